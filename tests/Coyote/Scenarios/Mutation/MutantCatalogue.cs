namespace Coyote.Scenarios.Mutation;

/// <summary>
/// One deliberate defect, kept as a patch of the product (tests/Coyote/Mutants/<c>Mutant</c>.patch), and what must
/// kill it: a scenario under each engine, and, where one catches it, an F# conformance fact of tests/Properties.
/// </summary>
/// <param name="Mutant">The patch's name.</param>
/// <param name="Scenario">The killing scenario, as <c>pool-explore list</c> shows it.</param>
/// <param name="Property">A substring of the name of the F# fact that fails on the mutant, or null.</param>
/// <param name="MemoryModel">The explorer's memory model that exposes it ("sc", or "tso" for a missing fence).</param>
/// <param name="CoyoteMissReason">
/// Why Coyote is not expected to kill the mutant (then only the explorer must, and Coyote is not run on it), or null:
/// both engines must kill it.
/// </param>
/// <param name="KilledBy">
/// What must kill it, as a part of the bug's message (any case) under every engine that runs it: the invariant the
/// scenario states (<see cref="Invariant"/>), or a kind of bug: <see cref="Deadlock"/>, <see cref="StepBound"/>, or
/// an exception's message. Any other bug is not the mutant's kill.
/// </param>
/// <param name="CoyoteKilledBy">What must kill it under Coyote, when not <paramref name="KilledBy"/>, or null.</param>
internal sealed record MutantKill(
    string Mutant,
    string Scenario,
    string? Property = null,
    string MemoryModel = "sc",
    string? CoyoteMissReason = null,
    string KilledBy = "",
    string? CoyoteKilledBy = null
)
{
    /// <summary>Every unfinished thread blocked: the explorer's "Deadlock: ..." and Coyote's "Deadlock detected. ...".</summary>
    internal const string Deadlock = "deadlock";

    /// <summary>
    /// An iteration that reached the step bound (a livelock): the explorer's "The iteration exceeded N scheduling
    /// steps" and Coyote's "Scheduling steps bound of N reached".
    /// </summary>
    internal const string StepBound = "scheduling steps";

    /// <summary>The message of a broken <c>Check.That</c> of the scenario, under both engines.</summary>
    internal static string Invariant(string invariant) => $"invariant violated: {invariant}";

    /// <summary>What must kill it under <paramref name="engine"/>.</summary>
    internal string KilledUnder(string engine) =>
        engine == "coyote" ? CoyoteKilledBy ?? KilledBy : KilledBy;

    /// <summary>Whether <paramref name="message"/>, the bug <paramref name="engine"/> found, is this mutant's kill.</summary>
    internal bool IsItsKill(string engine, string message) =>
        KilledUnder(engine) is { Length: > 0 } expected
        && message.Contains(expected, StringComparison.OrdinalIgnoreCase);

    /// <summary>The patch, relative to the repository root.</summary>
    internal string PatchPath => $"tests/Coyote/Mutants/{Mutant}.patch";

    /// <summary>
    /// Why Coyote is not run on it, or null: the reason given, or a missing fence, which only the explorer's store
    /// buffers expose (Coyote explores sequentially consistent interleavings only).
    /// </summary>
    internal string? CoyoteSkipped =>
        CoyoteMissReason
        ?? (
            MemoryModel == "sc"
                ? null
                : "a missing fence: Coyote explores sequential consistency only"
        );

    /// <summary>The engines that must kill it: both, or the explorer alone when <see cref="CoyoteSkipped"/> says why.</summary>
    internal IReadOnlyList<string> Engines =>
        CoyoteSkipped is null ? ["explorer", "coyote"] : ["explorer"];
}

/// <summary>Every mutant and what must kill it within its CI budget (docs/verification.md).</summary>
internal static class MutantCatalogue
{
    internal static IReadOnlyList<MutantKill> All { get; } =
    [
        new("DestroyWaitsWithIf", "PoolScenarios.DestroyFromTaskWhileOthersWork"),
        new("UnlockedThreadCount", "PoolScenarios.CountStaysExact"),
        new(
            "DestroyForgetsLateTasks",
            "PoolScenarios.DestroyFromOutsideWithPending",
            "tasks are scheduled during the destroy drain"
        ),
        new("ClaimPublishedWithoutWake", "PoolScenarios.TaskWaitsForATaskClaimedWithIt"),
        new(
            "CancelTimerNeverMatches",
            "TimerScenarios.TimerCancelFromAnotherThreadWhileItFires",
            "every fire sequence of the real timer queue"
        ),
        new(
            "SleeperFlagWithoutFence",
            "PoolScenarios.ScheduleWakesASleepingWorker",
            MemoryModel: "tso"
        ),
        new("TimerRearmedAfterSelfCancel", "TimerScenarios.TimerCancelFromItsOwnCallback"),
        new(
            "InFlightCountedAfterDispatch",
            "ConnectionScenarios.PeerClosesWithRepliesInFlight",
            "replies in flight when the peer half-closes"
        ),
        new(
            "ReleaseIgnoringInFlight",
            "ConnectionScenarios.PeerClosesWithRepliesInFlight",
            "replies in flight when the peer half-closes"
        ),
        // blind spots of session 5 (docs/verification.md, "Mutation campaign (session 5)")
        new("TimerIdNotAtomic", "TimerScenarios.TimersAddedFromTwoThreads"),
        new(
            "FunctorFromFunctorWithoutWake",
            "TimerScenarios.FunctorQueuedFromAFunctorOnAnIdleLoop"
        ),
        new("SleepFlagSetOnce", "PoolScenarios.WorkersNeverSleepOnQueuedWork"),
        // the mutation campaign of session 5: pool
        new("LeaverReadsStateBeforeLock", "PoolScenarios.CountStaysExact"),
        new("WorkerCountedAfterUnlock", "PoolScenarios.DestroyFromTaskWhileOthersWork"),
        new("LeaverSkipsJoin", "PoolScenarios.DestroyFromOutsideWithPending"),
        new("DetachedWorkerLeavesAgain", "PoolScenarios.InPoolFromPending"),
        new("ExitEntryWithoutWake", "PoolScenarios.DecreaseReachesAnIdleWorker"),
        new("SleepingReadBeforePublish", "PoolScenarios.DestroyFromTaskWhileOthersWork"),
        new(
            "IdleWorkerNeverSteals",
            "PoolScenarios.TaskWaitsForATaskClaimedWithIt",
            CoyoteMissReason: "a livelock: the idle worker polls forever and never blocks. The explorer reports an "
                + "iteration that reaches its step bound (FailOnMaxSteps); Coyote does not treat its step bound as a bug, "
                + "and each such iteration runs to its fair bound, so it can neither kill this mutant nor finish its budget"
        ),
        new("NoRecheckUnderGetLock", "PoolScenarios.DestroyFromOutsideWithPending"),
        new("ClaimReadsListBeforeClaimWord", "PoolScenarios.WorkersNeverSleepOnQueuedWork"),
        new("TakeWithoutCompareExchange", "PoolScenarios.WorkersNeverSleepOnQueuedWork"),
        // the standby of idle workers (issue 16)
        new("StandbyParksWithoutRecheck", "PoolScenarios.ASecondTaskReachesTheOtherWorker"),
        new("OneWakeForSeveralClaimed", "PoolScenarios.EveryParkedWorkerIsReached"),
        new("StandbyTokenLeftBehind", "PoolScenarios.EveryParkedWorkerIsReached"),
        // executor
        new("DestroySkipsRunningSerialQueues", "ExecutorScenarios.DestroyFromExecutorQueueTask"),
        new(
            "SerialQueueReschedulesBeforeRunning",
            "ExecutorScenarios.DestroyFromExecutorQueueTask"
        ),
        new("SubmitReadsPoolTaskFlagBeforeLock", "ExecutorScenarios.SubmitWhileTheQueueDrains"),
        // event loop
        new("QueueChecksFinishedBeforeLock", "TimerScenarios.LoopQuitWithPendingFunctors"),
        new(
            "WakeRearmedAfterTakingFunctors",
            "TimerScenarios.FunctorsQueuedWhileTheLoopRunsFunctors"
        ),
        new("QuitWakesBeforeSettingFlag", "TimerScenarios.LoopQuitWithPendingFunctors"),
        new("FinishRunsFunctorsOnce", "TimerScenarios.LoopQuitWithPendingFunctors"),
        // connection
        new("InFlightLoweredOnWorker", "ConnectionScenarios.PeerClosesWithRepliesInFlight"),
        new("ReleaseClaimedBeforeInFlightCheck", "ConnectionScenarios.WorkerSendAfterRelease"),
        new("LastReplyDoesNotRelease", "ConnectionScenarios.WorkerSendAfterRelease"),
        new("MessagesSpreadOverQueues", "ConnectionScenarios.RepliesKeepTheirOrderOnTwoWorkers"),
        new("ShutdownIgnoresRepliesInFlight", "ConnectionScenarios.LocalShutdownWhileAnswering"),
        new(
            "DirectWriteOvertakesQueuedWrites",
            "ConnectionScenarios.RepliesKeepTheirOrderOnTwoWorkers"
        ),
        new("DirectWriteAfterEndOfStream", "ConnectionScenarios.PeerClosesWithRepliesInFlight"),
        new("ShutdownRoutesWritesLate", "ConnectionScenarios.SendAfterShutdownIsDropped"),
        new("InputCheckedBeforeLock", "ConnectionScenarios.PeerClosesWithRepliesInFlight"),
        // the task scheduler (issue 17)
        new(
            "PostChecksDestroyedBeforeScheduling",
            "TaskSchedulerScenarios.TasksRacingDestroyRunOnceAndNoneIsLeftPending",
            "a task destroys the pool while the client posts"
        ),
    ];

    /// <summary>The mutant of this name.</summary>
    /// <exception cref="ArgumentException">No mutant has that name.</exception>
    internal static MutantKill Named(string mutant) =>
        All.SingleOrDefault(k => k.Mutant == mutant)
        ?? throw new ArgumentException(
            $"No mutant is named '{mutant}'; the mutants are: {string.Join(", ", All.Select(k => k.Mutant))}.",
            nameof(mutant)
        );
}
