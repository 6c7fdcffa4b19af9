namespace Pool.Systematic;

/// <summary>
/// How the explorer picks the next thread at each scheduling point. On the command line each member is its name in
/// lower case (<see cref="OptionNames"/>).
/// </summary>
public enum Strategy
{
    /// <summary>The best default: random, PCT at two depths and a sticky random walk, taking turns per iteration.</summary>
    Portfolio,

    /// <summary>A uniformly random enabled thread at every point, from <see cref="ExplorationOptions.Seed"/>.</summary>
    Random,

    /// <summary>Probabilistic concurrency testing: random priorities and d-1 change points (<see cref="ExplorationOptions.PctDepth"/>).</summary>
    Pct,

    /// <summary>
    /// Depth-first search of the schedule tree, one schedule per iteration, optionally bounded by
    /// <see cref="ExplorationOptions.PreemptionBound"/>. Deterministic: no seed, and it cannot be sharded.
    /// </summary>
    Dfs,

    /// <summary>
    /// Dynamic partial-order reduction: a depth-first search that runs one schedule per class of equivalent schedules
    /// (those that differ only in the order of operations that commute), optionally bounded by
    /// <see cref="ExplorationOptions.PreemptionBound"/>. Deterministic: no seed. Sequential consistency only.
    /// </summary>
    Dpor,
}
