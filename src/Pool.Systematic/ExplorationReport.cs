namespace Pool.Systematic;

/// <summary>The outcome of <see cref="Explorer.Run"/> or <see cref="Explorer.Replay"/>.</summary>
public sealed class ExplorationReport
{
    internal ExplorationReport() { }

    /// <summary>True when an iteration failed (exception, deadlock, uncontrolled blocking, or livelock when asked).</summary>
    public bool BugFound => BugKind is not null;

    /// <summary>What kind of bug was found, or null.</summary>
    public BugKind? BugKind { get; internal init; }

    /// <summary>Iterations actually run.</summary>
    public int Iterations { get; internal init; }

    /// <summary>1-based global index of the first failing iteration.</summary>
    public int? BugIteration { get; internal init; }

    /// <summary>What failed, and on which thread.</summary>
    public string? BugMessage { get; internal init; }

    /// <summary>The name of the thread that failed (for deadlocks: the test body's thread).</summary>
    public string? BugThread { get; internal init; }

    /// <summary>A replayable trace: <see cref="Explorer.Replay"/> with it fails the same way.</summary>
    public string? Trace { get; internal init; }

    /// <summary>The strategy (portfolio member) whose iteration failed, e.g. <c>pct(3)</c>.</summary>
    public string? BugStrategy { get; internal init; }

    /// <summary>Scheduling steps of the reported (minimised) trace.</summary>
    public int? Steps { get; internal init; }

    /// <summary>Context switches in <see cref="Trace"/> that blocking did not force.</summary>
    public int? Preemptions { get; internal init; }

    /// <summary>Preemptions of the failing schedule before minimisation.</summary>
    public int? OriginalPreemptions { get; internal init; }

    /// <summary>Scheduling steps of the failing schedule before minimisation.</summary>
    public int? OriginalSteps { get; internal init; }

    /// <summary>The reported trace as readable steps (thread, operation, source location).</summary>
    public IReadOnlyList<TraceStep> Interleaving { get; internal init; } = [];

    /// <summary>What each blocked thread waited for when the reported (rendered) iteration failed, e.g. a deadlock's cycle.</summary>
    public IReadOnlyList<ThreadWait> FinalWaits { get; internal init; } = [];

    /// <summary>How the search ended: exhaustive, cut (and by what), sampled, or stopped at a bug.</summary>
    public SearchEnd End { get; internal init; }

    /// <summary>True when <see cref="End"/> is <see cref="SearchEnd.Exhaustive"/>.</summary>
    public bool Exhausted => End == SearchEnd.Exhaustive;

    /// <summary>The preemption bound the search kept to (dfs, dpor), or null for none.</summary>
    public int? PreemptionBound { get; internal init; }

    /// <summary>
    /// The schedules each worker of the search ran to their end (<see cref="ExplorationOptions.Workers"/>); one number
    /// for a search run by one worker. They add up to <see cref="Schedules"/>.
    /// </summary>
    public IReadOnlyList<int> SchedulesPerWorker { get; internal init; } = [];

    /// <summary>Schedules run to their end: <see cref="Iterations"/> minus <see cref="Pruned"/>.</summary>
    public int Schedules => Iterations - Pruned;

    /// <summary>
    /// dpor: iterations ended early because every schedule they led to was already covered by an earlier one (a
    /// sleep-set-blocked prefix), or belonged to another shard.
    /// </summary>
    public int Pruned { get; internal init; }

    /// <summary>
    /// One line saying what the run proved, e.g. <c>exhaustive: every schedule up to 2 preemptions (1,204 schedules)</c>
    /// or <c>cut by the iteration budget after 1,000 schedules</c>.
    /// </summary>
    public string Verdict => Describe(End, Schedules, PreemptionBound, MaxStepsHits);

    /// <summary>The line <see cref="Verdict"/> prints, from its parts (for reports merged from shards).</summary>
    public static string Describe(
        SearchEnd end,
        int schedules,
        int? preemptionBound,
        int maxStepsHits
    ) =>
        end switch
        {
            SearchEnd.Exhaustive => preemptionBound is { } bound
                ? $"exhaustive: every schedule up to {bound} preemption{(bound == 1 ? "" : "s")} ({schedules:N0} schedules)"
                : $"exhaustive ({schedules:N0} schedules)",
            SearchEnd.CutByIterations =>
                $"cut by the iteration budget after {schedules:N0} schedules",
            SearchEnd.CutByTime => $"cut by the time limit after {schedules:N0} schedules",
            SearchEnd.CutBySteps =>
                $"cut by the step bound: {maxStepsHits:N0} of {schedules:N0} schedules hit max steps",
            SearchEnd.Sampled => $"sampled {schedules:N0} schedules",
            _ => $"bug found after {schedules:N0} schedules",
        };

    /// <summary>Distinct schedules among the iterations run.</summary>
    public int DistinctSchedules { get; internal init; }

    /// <summary>Fewest scheduling steps in one iteration.</summary>
    public int MinSteps { get; internal init; }

    /// <summary>Most scheduling steps in one iteration.</summary>
    public int MaxSteps { get; internal init; }

    /// <summary>Scheduling steps summed over all iterations.</summary>
    public long TotalSteps { get; internal init; }

    /// <summary>Iterations cut off at the step bound.</summary>
    public int MaxStepsHits { get; internal init; }

    /// <summary>Real time the exploration took (minimisation included).</summary>
    public TimeSpan Elapsed { get; internal init; }

    /// <summary>
    /// With <see cref="ExplorationOptions.Coverage"/>: every scheduling point the exploration's iterations reached
    /// (not the minimisation's or the rendering's runs), by file, line and operation; otherwise empty.
    /// </summary>
    public IReadOnlyList<Coverage.PointCoverage> Coverage { get; internal set; } = [];

    /// <summary>True when <see cref="Explorer.Replay"/> found the code no longer following the trace.</summary>
    public bool Diverged { get; internal init; }
}

/// <summary>The ways an iteration can fail.</summary>
public enum BugKind
{
    /// <summary>An exception escaped a controlled thread.</summary>
    Exception,

    /// <summary>Every unfinished controlled thread was blocked with no deadline to wait for.</summary>
    Deadlock,

    /// <summary>The iteration exceeded the step bound and <see cref="ExplorationOptions.FailOnMaxSteps"/> was set.</summary>
    Livelock,

    /// <summary>A controlled thread ran longer than the watchdog allows without a scheduling point.</summary>
    UncontrolledBlocking,

    /// <summary>Replay only: the code under test no longer follows the trace.</summary>
    Divergence,
}

/// <summary>One step of a readable interleaving.</summary>
/// <param name="Step">0-based position in the schedule.</param>
/// <param name="ThreadId">Controlled thread number (0 is the test body).</param>
/// <param name="ThreadName">The thread's name.</param>
/// <param name="Operation">The scheduling point reached, e.g. <c>Lock.Enter</c>.</param>
/// <param name="Location">The first caller outside the explorer and the threading seam, as <c>file:line</c>, when known.</param>
public sealed record TraceStep(
    int Step,
    int ThreadId,
    string ThreadName,
    string Operation,
    string? Location
)
{
    /// <summary>The frame of <see cref="Location"/> in full and a few of its callers, one <c>at …</c> line each, when known.</summary>
    public string? Stack { get; init; }

    /// <summary>The thread this step preempted (it could have gone on but another was picked), or null.</summary>
    public int? PreemptedThreadId { get; init; }

    /// <summary>Every other unfinished thread that could not run when this step was picked, and what it waited for.</summary>
    public IReadOnlyList<ThreadWait> Waits { get; init; } = [];
}
