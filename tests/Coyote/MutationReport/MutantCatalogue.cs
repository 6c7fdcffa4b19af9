using Pool.Scenarios.Support;
using Pool.Systematic;

namespace Coyote.MutationReport;

/// <summary>
/// One deliberate defect, kept as a patch of the product (tests/Coyote/Mutants/<c>Mutant</c>.patch), and what must
/// kill it: a scenario under each engine, and, where one catches it, an F# conformance fact of tests/Properties.
/// </summary>
/// <param name="Mutant">The patch's name.</param>
/// <param name="Scenario">The killing scenario, as <c>pool-explore list</c> shows it.</param>
/// <param name="Property">A substring of the name of the F# fact that fails on the mutant, or null.</param>
/// <param name="MemoryModel">The explorer's memory model that exposes it (<see cref="MemoryModel.Sc"/>, or <see cref="MemoryModel.Tso"/> for a missing fence).</param>
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
/// <param name="DporScenario">
/// The configuration explored to the end (<see cref="BoundedProofs"/>) that must find it under <c>dpor</c>, when not
/// <paramref name="Scenario"/>, or null.
/// </param>
/// <param name="DporKilledBy">What must kill it under <c>dpor</c>, when not <paramref name="KilledBy"/>, or null.</param>
/// <param name="DporHunt">
/// A <c>dpor</c> search, shallowest first, that must find it on a scenario whose search does not finish within the CI
/// budget, when no configuration explored to the end holds its race, or null.
/// </param>
/// <param name="DporMissReason">
/// Why no configuration explored to the end finds it (then <c>dpor</c> is not run on it), or null.
/// </param>
/// <param name="SamplingMissReason">
/// Why neither sampling engine is expected to kill it within the CI budget (then only <c>dpor</c> must, within its
/// bound, and the others are not run on it), or null.
/// </param>
internal sealed record MutantKill(
    string Mutant,
    string Scenario,
    string? Property = null,
    MemoryModel MemoryModel = MemoryModel.Sc,
    string? CoyoteMissReason = null,
    string KilledBy = "",
    string? CoyoteKilledBy = null,
    string? DporScenario = null,
    string? DporKilledBy = null,
    string? DporMissReason = null,
    string? SamplingMissReason = null,
    DporHunt? DporHunt = null
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
        engine switch
        {
            "coyote" => CoyoteKilledBy ?? KilledBy,
            "dpor" => DporKilledBy ?? KilledBy,
            _ => KilledBy,
        };

    /// <summary>
    /// The configuration <c>dpor</c> explores to the end that must find it, or null: none does (its scenario has no
    /// bounded proof, or <see cref="DporMissReason"/> says why), or it needs a memory model other than sequential
    /// consistency, which <c>dpor</c> does not explore.
    /// </summary>
    internal BoundedProof? Proof =>
        MemoryModel != MemoryModel.Sc || DporMissReason is not null ? null
        : DporHunt is { } hunt
            ? new BoundedProof(
                "a search shallowest first, to its first bug",
                hunt.Scenario,
                hunt.PreemptionBound
            )
        : BoundedProofs.Of(DporScenario ?? Scenario);

    /// <summary>The order of the <c>dpor</c> search of <see cref="Proof"/>: shallowest first for a hunt.</summary>
    internal SearchOrder DporOrder =>
        DporHunt is null ? SearchOrder.DeepestFirst : SearchOrder.ShallowestFirst;

    /// <summary>
    /// The most schedules the <c>dpor</c> search of <see cref="Proof"/> may run: no cap for a configuration explored
    /// to the end (it finishes), <see cref="DporHunt.Schedules"/> for a hunt.
    /// </summary>
    internal int DporIterations => DporHunt?.Schedules ?? int.MaxValue;

    /// <summary>Why <c>dpor</c> is not run on it, when <see cref="Proof"/> is null.</summary>
    internal string DporSkipped =>
        DporMissReason
        ?? (
            MemoryModel == MemoryModel.Sc
                ? "no configuration explored to the end holds its race"
                : "a missing fence: dpor explores sequential consistency only"
        );

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
            MemoryModel == MemoryModel.Sc
                ? null
                : "a missing fence: Coyote explores sequential consistency only"
        );

    /// <summary>
    /// The engines that must kill it: both sampling engines, or the explorer alone when <see cref="CoyoteSkipped"/>
    /// says why; and <c>dpor</c> on its <see cref="Proof"/>, where it has one (alone when
    /// <see cref="SamplingMissReason"/> says why).
    /// </summary>
    internal IReadOnlyList<string> Engines =>
        [
            .. SamplingMissReason is not null ? []
            : CoyoteSkipped is null ? ["explorer", "coyote"]
            : new[] { "explorer" },
            .. Proof is null ? [] : new[] { "dpor" },
        ];
}

/// <summary>
/// A <c>dpor</c> search, shallowest first (<see cref="SearchOrder.ShallowestFirst"/>), of a scenario whose search does
/// not finish within the CI budget: deterministic (no seed), it must meet the mutant's bug within
/// <paramref name="Schedules"/> schedules.
/// </summary>
internal sealed record DporHunt(string Scenario, int PreemptionBound, int Schedules = 50_000);

/// <summary>Every mutant and what must kill it within its CI budget (docs/verification.md).</summary>
internal static class MutantCatalogue
{
    internal static IReadOnlyList<MutantKill> All { get; } =
    [
        new(
            "DestroyWaitsWithIf",
            "PoolScenarios.DestroyFromTaskWhileOthersWork",
            KilledBy: MutantKill.Deadlock,
            DporScenario: "PoolScenarios.CountStaysExact",
            DporKilledBy: MutantKill.Invariant("the count is zero after destroy")
        ),
        new(
            "UnlockedThreadCount",
            "PoolScenarios.CountStaysExact",
            // The lost decrement shows at the settled point (the explorer's first find), or, when the departures
            // race destroy, as a destroy that waits for a count that never reaches zero (Coyote's).
            KilledBy: MutantKill.Invariant(
                "the count is zero once every worker has left, before destroy"
            ),
            CoyoteKilledBy: MutantKill.Deadlock
        ),
        new(
            "DestroyForgetsLateTasks",
            "PoolScenarios.DestroyFromOutsideWithPending",
            "tasks are scheduled during the destroy drain",
            KilledBy: "ran 0 times and was pending 0 times",
            DporScenario: "BoundedScenarios.DestroyFromATaskWithWorkQueued"
        ),
        new(
            "ClaimPublishedWithoutWake",
            "PoolScenarios.TaskWaitsForATaskClaimedWithIt",
            KilledBy: MutantKill.Deadlock,
            DporScenario: "BoundedScenarios.AClaimedTaskIsStolenByTheOtherWorker"
        ),
        new(
            "CancelTimerNeverMatches",
            "TimerScenarios.TimerCancelFromAnotherThreadWhileItFires",
            "every fire sequence of the real timer queue",
            KilledBy: MutantKill.Invariant("the timer fired after its cancel was processed")
        ),
        new(
            "SleeperFlagWithoutFence",
            "PoolScenarios.ScheduleWakesASleepingWorker",
            MemoryModel: MemoryModel.Tso,
            KilledBy: MutantKill.Deadlock
        ),
        new(
            "TimerRearmedAfterSelfCancel",
            "TimerScenarios.TimerCancelFromItsOwnCallback",
            KilledBy: MutantKill.Invariant("a self-cancelled repeating timer fired")
        ),
        new(
            "InFlightCountedAfterDispatch",
            "ConnectionScenarios.PeerClosesWithRepliesInFlight",
            "replies in flight when the peer half-closes",
            KilledBy: MutantKill.Invariant("a half-closed peer received"),
            DporHunt: new("ConnectionScenarios.PeerClosesWithRepliesInFlight", 2)
        ),
        new(
            "ReleaseIgnoringInFlight",
            "ConnectionScenarios.PeerClosesWithRepliesInFlight",
            "replies in flight when the peer half-closes",
            KilledBy: MutantKill.Invariant("a half-closed peer received"),
            DporHunt: new("ConnectionScenarios.PeerClosesWithRepliesInFlight", 2)
        ),
        // blind spots of the scenarios (docs/verification.md, "Mutants: pool, executor, event loop and connection")
        new(
            "TimerIdNotAtomic",
            "TimerScenarios.TimersAddedFromTwoThreads",
            KilledBy: "An item with the same key has already been added",
            DporScenario: "BoundedTimerScenarios.TwoThreadsAddATimerEach"
        ),
        new(
            "FunctorFromFunctorWithoutWake",
            "TimerScenarios.FunctorQueuedFromAFunctorOnAnIdleLoop",
            KilledBy: MutantKill.Deadlock
        ),
        new(
            "SleepFlagSetOnce",
            "PoolScenarios.WorkersNeverSleepOnQueuedWork",
            KilledBy: "tasks ran, and every worker is blocked",
            DporScenario: "PoolScenarios.ScheduleWakesASleepingWorker",
            DporKilledBy: MutantKill.Deadlock
        ),
        // the pool
        new(
            "LeaverReadsStateBeforeLock",
            "PoolScenarios.CountStaysExact",
            KilledBy: MutantKill.Deadlock
        ),
        new(
            "WorkerCountedAfterUnlock",
            "PoolScenarios.DestroyFromTaskWhileOthersWork",
            KilledBy: MutantKill.Deadlock,
            DporScenario: "PoolScenarios.ExitWithClaimedTasksRacingDestroy",
            DporKilledBy: MutantKill.Invariant("no pool thread runs after destroy returns")
        ),
        new(
            "LeaverSkipsJoin",
            "PoolScenarios.DestroyFromOutsideWithPending",
            KilledBy: MutantKill.Invariant("no pool thread runs after destroy returns"),
            DporScenario: "PoolScenarios.CountStaysExact",
            DporKilledBy: MutantKill.Invariant("every worker that left was joined")
        ),
        new(
            "DetachedWorkerLeavesAgain",
            "PoolScenarios.InPoolFromPending",
            KilledBy: MutantKill.Invariant(
                "the count stays 0 after the destroying task's worker ends"
            )
        ),
        new(
            "ExitEntryWithoutWake",
            "PoolScenarios.DecreaseReachesAnIdleWorker",
            KilledBy: MutantKill.Invariant("an idle worker left")
        ),
        new(
            "SleepingReadBeforePublish",
            "PoolScenarios.DestroyFromTaskWhileOthersWork",
            KilledBy: MutantKill.Deadlock,
            DporScenario: "PoolScenarios.ScheduleWakesASleepingWorker"
        ),
        new(
            "IdleWorkerNeverSteals",
            "PoolScenarios.TaskWaitsForATaskClaimedWithIt",
            // A livelock (the idle worker polls forever): an iteration reaches the step bound under either engine.
            KilledBy: MutantKill.StepBound,
            DporScenario: "BoundedScenarios.AClaimedTaskIsStolenByTheOtherWorker"
        ),
        new(
            "NoRecheckUnderGetLock",
            "PoolScenarios.DestroyFromOutsideWithPending",
            KilledBy: "ran 0 times and was pending 0 times",
            DporScenario: "BoundedScenarios.AClaimedTaskIsStolenByTheOtherWorker",
            DporKilledBy: MutantKill.Deadlock
        ),
        new(
            "ClaimReadsListBeforeClaimWord",
            "PoolScenarios.WorkersNeverSleepOnQueuedWork",
            // A stale list paired with the new claim word: a slot read past the list's tasks (a null task, the
            // explorer's first find), or a task never taken (Coyote's).
            KilledBy: "Object reference not set to an instance of an object",
            CoyoteKilledBy: "tasks ran, and every worker is blocked",
            DporScenario: "BoundedScenarios.AClaimedTaskIsStolenByTheOtherWorker"
        ),
        new(
            "TakeWithoutCompareExchange",
            "PoolScenarios.WorkersNeverSleepOnQueuedWork",
            KilledBy: "tasks ran, and every worker is blocked",
            DporScenario: "BoundedScenarios.OwnerAndThiefRaceForAClaimedTask",
            DporKilledBy: "ran 2 times"
        ),
        // the standby of idle workers
        new(
            "LeavingWaiterSkipsStandbyWake",
            "PoolScenarios.ClaimsPublishedAsTheWaiterLeaves",
            KilledBy: MutantKill.Deadlock,
            // Two preemptions, at steps 56 and 69 of about 250: a depth-first search meets them last.
            DporHunt: new("PoolScenarios.ClaimsPublishedAsTheWaiterLeaves", 2),
            SamplingMissReason: "neither sampling engine meets the window within the CI budget of seed 1"
        ),
        new(
            "StandbyParksWithoutRecheck",
            "PoolScenarios.ASecondTaskReachesTheOtherWorker",
            KilledBy: MutantKill.Deadlock,
            DporHunt: new("PoolScenarios.ASecondTaskReachesTheOtherWorker", 2)
        ),
        new(
            "OneWakeForSeveralClaimed",
            "PoolScenarios.EveryParkedWorkerIsReached",
            KilledBy: MutantKill.Deadlock
        ),
        new(
            "StandbyTokenLeftBehind",
            "PoolScenarios.EveryParkedWorkerIsReached",
            KilledBy: MutantKill.Deadlock,
            DporHunt: new("PoolScenarios.EveryParkedWorkerIsReached", 2)
        ),
        // executor
        new(
            "DestroySkipsRunningSerialQueues",
            "ExecutorScenarios.DestroyFromExecutorQueueTask",
            "a session of a serial queue destroys it",
            KilledBy: MutantKill.Invariant(
                "session after-destroyer ran or was cancelled exactly once"
            )
        ),
        new(
            "SerialQueueReschedulesBeforeRunning",
            "ExecutorScenarios.DestroyFromExecutorQueueTask",
            KilledBy: MutantKill.Invariant("a serial session never overlaps its predecessor")
        ),
        new(
            "SubmitReadsPoolTaskFlagBeforeLock",
            "ExecutorScenarios.SubmitWhileTheQueueDrains",
            // One stale read, two outcomes: a session left without a pool task (a deadlock: the explorer's first
            // find), or a second pool task for the queue (sessions overlapping on the two workers: Coyote's).
            KilledBy: MutantKill.Deadlock,
            DporScenario: "BoundedScenarios.ASessionSubmittedAsTheQueueDrains",
            CoyoteKilledBy: MutantKill.Invariant("sessions of a serial queue never overlap")
        ),
        // event loop
        new(
            "QueueChecksFinishedBeforeLock",
            "TimerScenarios.LoopQuitWithPendingFunctors",
            KilledBy: "functors accepted but"
        ),
        new(
            "WakeRearmedAfterTakingFunctors",
            "TimerScenarios.FunctorsQueuedWhileTheLoopRunsFunctors",
            KilledBy: MutantKill.Deadlock
        ),
        new(
            "QuitWakesBeforeSettingFlag",
            "TimerScenarios.LoopQuitWithPendingFunctors",
            KilledBy: MutantKill.Deadlock
        ),
        new(
            "FinishRunsFunctorsOnce",
            "TimerScenarios.LoopQuitWithPendingFunctors",
            KilledBy: "functors accepted but"
        ),
        // connection
        new(
            "InFlightLoweredOnWorker",
            "ConnectionScenarios.PeerClosesWithRepliesInFlight",
            KilledBy: MutantKill.Invariant("a half-closed peer received"),
            DporHunt: new("ConnectionScenarios.PeerClosesWithRepliesInFlight", 2)
        ),
        new(
            "ReleaseClaimedBeforeInFlightCheck",
            "ConnectionScenarios.WorkerSendAfterRelease",
            KilledBy: MutantKill.Invariant("a connection's descriptor was never closed"),
            DporScenario: "ConnectionScenarios.PeerClosesBeforeRead"
        ),
        new(
            "LastReplyDoesNotRelease",
            "ConnectionScenarios.WorkerSendAfterRelease",
            KilledBy: MutantKill.Invariant("a connection's descriptor was never closed"),
            DporScenario: "ConnectionScenarios.PeerClosesBeforeRead"
        ),
        new(
            "NextBatchSubmittedBeforeReply",
            "ConnectionScenarios.RepliesKeepTheirOrderOnTwoWorkers",
            KilledBy: "not every reply in order"
        ),
        new(
            "ShutdownIgnoresRepliesInFlight",
            "ConnectionScenarios.LocalShutdownWhileAnswering",
            // The sending direction shut too early: a reply written after it (the explorer's first find), or that
            // write failing and closing the connection (Coyote's).
            KilledBy: MutantKill.Invariant("a write after the sending direction was shut"),
            CoyoteKilledBy: MutantKill.Invariant("a shut-down connection closed for SocketError"),
            DporHunt: new("ConnectionScenarios.LocalShutdownWhileAnswering", 2)
        ),
        new(
            "DirectWriteOvertakesQueuedWrites",
            "ConnectionScenarios.RepliesKeepTheirOrderOnTwoWorkers",
            KilledBy: "not every reply in order",
            DporHunt: new("ConnectionScenarios.PeerClosesWithRepliesInFlight", 2)
        ),
        new(
            "DirectWriteAfterEndOfStream",
            "ConnectionScenarios.PeerClosesWithRepliesInFlight",
            KilledBy: MutantKill.Deadlock,
            DporHunt: new("ConnectionScenarios.PeerClosesWithRepliesInFlight", 2)
        ),
        new(
            "ShutdownRoutesWritesLate",
            "ConnectionScenarios.SendAfterShutdownIsDropped",
            KilledBy: "sent after the shutdown",
            DporHunt: new("ConnectionScenarios.SendAfterShutdownIsDropped", 2)
        ),
        new(
            "InputCheckedBeforeLock",
            "ConnectionScenarios.PeerClosesWithRepliesInFlight",
            KilledBy: MutantKill.Invariant("a half-closed peer received"),
            DporHunt: new("ConnectionScenarios.PeerClosesWithRepliesInFlight", 2)
        ),
        // several I/O loops
        new(
            "HandOverKeepsAcceptorsBuffers",
            "LoopScenarios.ConnectionsServedOnTwoLoops",
            KilledBy: "not its own echo",
            DporHunt: new("LoopScenarios.ConnectionsServedOnTwoLoops", 1)
        ),
        new(
            "StopClosesOtherLoopsFromCaller",
            "LoopScenarios.StopWithRepliesInFlightOnTwoLoops",
            KilledBy: MutantKill.Deadlock,
            DporHunt: new("LoopScenarios.StopWithRepliesInFlightOnTwoLoops", 2)
        ),
        new(
            "ShutdownSkipsOtherLoops",
            "LoopScenarios.ShutdownDrainsTwoLoops",
            KilledBy: MutantKill.Deadlock,
            DporHunt: new("LoopScenarios.ShutdownDrainsTwoLoops", 2)
        ),
        // the task scheduler
        new(
            "PostChecksDestroyedBeforeScheduling",
            "TaskSchedulerScenarios.TasksRacingDestroyRunOnceAndNoneIsLeftPending",
            "a task destroys the pool while the client posts",
            KilledBy: "The thread pool has been destroyed",
            DporScenario: "TaskSchedulerScenarios.PostedCallbackRacingDestroy"
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
