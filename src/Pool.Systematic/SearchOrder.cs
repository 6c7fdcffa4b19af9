namespace Pool.Systematic;

/// <summary>
/// Which unexplored alternative a <see cref="Strategy.Dpor"/> search runs next. Both orders run the same schedules in
/// the end (a finished search is the same proof); they differ in which come first, and so in how soon a bug is met.
/// </summary>
public enum SearchOrder
{
    /// <summary>
    /// The alternative of the deepest decision first (depth-first): only the current path is kept in memory, and a
    /// bug that needs a switch late in the schedule is met early; one that needs a switch early is met only after
    /// nearly every schedule that agrees with the first one up to there.
    /// </summary>
    DeepestFirst,

    /// <summary>
    /// The alternative of the shallowest decision first: every schedule that branches off near the start is run before
    /// those that branch off later, so a bug that needs early switches is met early. The decisions that still have
    /// alternatives are kept in memory, with the prefixes leading to them.
    /// </summary>
    ShallowestFirst,
}
