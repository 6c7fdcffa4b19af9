namespace Pool.Systematic.Timelines;

/// <summary>
/// What the timeline page of one explored test shows: the test, its bug, where the bug was found and the readable
/// interleaving. pool-explore's report of a test and the xunit package's report of a failing test both provide it.
/// </summary>
internal interface ITimelineSubject
{
    /// <summary>The test's name, the page's heading.</summary>
    string Test { get; }

    /// <summary>The kind of bug (<see cref="Systematic.BugKind"/>'s name), or null.</summary>
    string? BugKind { get; }

    /// <summary>True when the run found a bug.</summary>
    bool BugFound { get; }

    /// <summary>The bug's message.</summary>
    string? BugMessage { get; }

    /// <summary>The thread the bug struck.</summary>
    string? BugThread { get; }

    /// <summary>1-based iteration that failed.</summary>
    int? BugIteration { get; }

    /// <summary>The strategy whose iteration failed.</summary>
    string? BugStrategy { get; }

    /// <summary>The trace file, when one was written.</summary>
    string? TraceFile { get; }

    /// <summary>Scheduling steps of the reported trace.</summary>
    int? Steps { get; }

    /// <summary>Preemptions of the reported trace.</summary>
    int? Preemptions { get; }

    /// <summary>The reported trace as readable steps.</summary>
    IReadOnlyList<TraceStep> Interleaving { get; }

    /// <summary>What each blocked thread waited for when the bug struck.</summary>
    IReadOnlyList<ThreadWait> FinalWaits { get; }
}
