namespace Pool.Systematic.Strategies;

/// <summary>
/// Decides every scheduling choice of an iteration. One instance serves a whole exploration: it is told
/// when an iteration begins and ends, so it can carry state across iterations (dfs, pct's step estimate).
/// </summary>
internal interface ISchedulingStrategy
{
    /// <summary>Name shown in reports.</summary>
    string Name { get; }

    /// <summary>Prepares iteration <paramref name="index"/> (0-based, global across shards).</summary>
    void BeginIteration(long index);

    /// <summary>A thread was created (id 0 is the test body).</summary>
    void ThreadCreated(int id);

    /// <summary>
    /// True when a thread about to block (a held lock, an unfinished join) must not be offered until it can go on
    /// (see <see cref="Runtime.Iteration.GuardsBlocking"/>).
    /// </summary>
    bool GuardsBlocking => false;

    /// <summary>
    /// Returns the id of the thread to run next, one of <see cref="SchedulingPoint.Enabled"/>; or -1 to end the
    /// iteration early because every schedule it can lead to was already explored.
    /// </summary>
    int PickThread(in SchedulingPoint point);

    /// <summary>Returns a value in [0, <paramref name="count"/>) for a nondeterministic data choice.</summary>
    int PickValue(int count, int step);

    /// <summary>Ends the iteration, which took <paramref name="steps"/> decisions; false when no schedule is left (dfs).</summary>
    bool EndIteration(int steps);
}
