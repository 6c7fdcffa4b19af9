namespace Pool.Scenarios.Support;

/// <summary>
/// One small configuration that the <c>dpor</c> search explores to the end: every schedule up to
/// <paramref name="PreemptionBound"/> preemptions (every schedule when null), one of each class of equivalent ones.
/// </summary>
/// <param name="Part">The part of the product whose races the configuration holds.</param>
/// <param name="Scenario">The scenario (class and method, as <see cref="ScenarioCatalogue"/> names it).</param>
/// <param name="PreemptionBound">The highest bound whose search finishes within the CI budget, or null: unbounded.</param>
public sealed record BoundedProof(string Part, string Scenario, int? PreemptionBound);

/// <summary>
/// The configurations explored to the end in CI (tests/Coyote/Tests/Engine/BoundedProofTests.cs), one or more for
/// each part of the product, and the bound each finishes with (docs/verification.md).
/// </summary>
public static class BoundedProofs
{
    /// <summary>Every bounded proof, by part.</summary>
    public static IReadOnlyList<BoundedProof> All { get; } =
    [
        // the queue alone: producers, claims, steals, sleeps, parks, exit entries, close
        new(
            "queue: a claimed task stolen, idle workers until close",
            "BoundedScenarios.AClaimedTaskIsStolenByTheOtherWorker",
            2
        ),
        new(
            "queue: owner and thief race for a claimed task, destroy closes",
            "BoundedScenarios.OwnerAndThiefRaceForAClaimedTask",
            2
        ),
        new(
            "queue: a sleeping worker woken, three times",
            "PoolScenarios.ScheduleWakesASleepingWorker",
            3
        ),
        new(
            "queue: an exit entry reaching an idle worker",
            "PoolScenarios.DecreaseReachesAnIdleWorker",
            3
        ),
        // the pool's lifecycle
        new(
            "pool: exits, decreases and destroy keep the count",
            "PoolScenarios.CountStaysExact",
            2
        ),
        new(
            "pool: exit with claimed tasks racing destroy",
            "PoolScenarios.ExitWithClaimedTasksRacingDestroy",
            2
        ),
        new(
            "pool: destroy from a task, with work queued",
            "BoundedScenarios.DestroyFromATaskWithWorkQueued",
            4
        ),
        new(
            "pool: in-pool in pending, destroy from a task and from outside",
            "PoolScenarios.InPoolFromPending",
            4
        ),
        // the executor
        new(
            "executor: destroy from a serial queue's session",
            "ExecutorScenarios.DestroyFromExecutorQueueTask",
            2
        ),
        new(
            "executor: submits to two queues racing destroy",
            "BoundedScenarios.SubmitsRacingExecutorDestroy",
            3
        ),
        new(
            "executor: a session submitted as its serial queue's pool task ends",
            "BoundedScenarios.ASessionSubmittedAsTheQueueDrains",
            3
        ),
        // the task scheduler and its synchronization context
        new(
            "task scheduler: a sent callback racing destroy",
            "TaskSchedulerScenarios.SentCallbackRacingDestroy",
            4
        ),
        new(
            "task scheduler: a posted callback racing destroy",
            "TaskSchedulerScenarios.PostedCallbackRacingDestroy",
            4
        ),
        // the event loop's functor queue and wake flag
        new(
            "loop: a functor queued from a functor",
            "TimerScenarios.FunctorQueuedFromAFunctorOnAnIdleLoop",
            null
        ),
        new(
            "loop: functors queued while the loop runs functors",
            "TimerScenarios.FunctorsQueuedWhileTheLoopRunsFunctors",
            4
        ),
        new("loop: quit with functors pending", "TimerScenarios.LoopQuitWithPendingFunctors", 2),
        // timers
        new(
            "timers: a repeating timer cancelled from its callback",
            "TimerScenarios.TimerCancelFromItsOwnCallback",
            null
        ),
        new(
            "timers: a repeating timer cancelled while it fires",
            "TimerScenarios.TimerCancelFromAnotherThreadWhileItFires",
            3
        ),
        new("timers: a fired timer cancelled", "TimerScenarios.CancelOfAFiredTimer", 4),
        new(
            "timers: two threads add a timer each",
            "BoundedTimerScenarios.TwoThreadsAddATimerEach",
            null
        ),
        // connections
        new(
            "connection: the peer closes while its message is answered on a worker",
            "ConnectionScenarios.PeerClosesBeforeRead",
            2
        ),
        new(
            "connection: two messages answered by a worker, its replies written by the worker",
            "BoundedConnectionScenarios.TwoMessagesAnsweredByAWorker",
            2
        ),
        new(
            "connection: replies in flight inline when the peer half-closes",
            "ConnectionScenarios.PeerClosesWithRepliesInFlightInline",
            2
        ),
    ];

    /// <summary>The proof of this scenario, or null when none explores it to the end.</summary>
    public static BoundedProof? Of(string scenario) =>
        All.FirstOrDefault(p => p.Scenario == scenario);
}
