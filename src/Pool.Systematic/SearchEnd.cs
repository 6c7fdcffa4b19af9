namespace Pool.Systematic;

/// <summary>How an exploration ended, and so what it proves.</summary>
public enum SearchEnd
{
    /// <summary>
    /// A systematic search (dfs, dpor) ran every schedule (dpor: one of each class of equivalent schedules), within
    /// the preemption bound when there is one, and no schedule was cut at the step bound: no bug exists within that
    /// bound for this test's configuration.
    /// </summary>
    Exhaustive,

    /// <summary>A systematic search stopped at the iteration budget before it finished.</summary>
    CutByIterations,

    /// <summary>A systematic search stopped at the time limit before it finished.</summary>
    CutByTime,

    /// <summary>A systematic search finished, but some schedules were cut at the step bound (raise max steps).</summary>
    CutBySteps,

    /// <summary>A sampling strategy (random, pct, portfolio) ran its budget: it proves nothing beyond the schedules run.</summary>
    Sampled,

    /// <summary>The exploration stopped at the first bug.</summary>
    BugFound,
}
