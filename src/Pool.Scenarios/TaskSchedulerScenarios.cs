using Pool.Scenarios.Support;
using Pool.Systematic;
using Pool.Tasks;
using Pool.Threading;

namespace Pool.Scenarios;

/// <summary>
/// <see cref="PoolTaskScheduler"/> under both engines, with real <see cref="Task"/> objects: the pool's workers are
/// controlled threads, and .NET's task machinery runs on them unchanged (a task with an explicit scheduler is not
/// one of Coyote's controlled tasks: its rewritten <c>TaskFactory.StartNew</c> passes it through). The scenarios
/// never block on a <see cref="Task"/> (a wait inside .NET is invisible to both engines): they wait through the
/// seam and read a task's state once every thread that could still complete it has finished. The contract
/// checked: every task the scheduler accepted runs exactly once and has completed when destroy returns (none is
/// left pending for its awaiter); a refused one never runs and says why; a posted callback runs exactly once.
/// </summary>
/// <remarks>
/// Coyote's rewriter reports every member of <see cref="SynchronizationContext"/> and <see cref="Task.ContinueWith(Action{Task})"/>
/// as uncontrolled: in general they hand work to threads Coyote does not see. Here they do not (the Coyote side's
/// table of tolerated invocations, tests/Coyote/Scenarios/CoyoteTolerances.cs, says why), so Coyote runs these
/// scenarios with partially controlled concurrency allowed, and its suite checks that these are the only ones.
/// </remarks>
public static partial class TaskSchedulerScenarios
{
    /// <summary>
    /// Tasks, a child started from a task, a continuation and posted callbacks, from a producer thread and from the
    /// main thread, while the main thread destroys the pool through the scheduler.
    /// </summary>
    [SystematicTest(CiIterations = 2000)]
    public static void TasksRacingDestroyRunOnceAndNoneIsLeftPending(IThreading threading)
    {
        var live = new LiveThreads(threading);
        var pool = new ThreadPool(2, 0, live);
        var scheduler = new PoolTaskScheduler(pool);
        var work = new SchedulerWork(threading, scheduler);
        var producer = threading.Start(
            () =>
            {
                var first = work.StartNew("p1", () => work.StartNew("p1-child"));
                if (first is not null)
                {
                    work.ContinueWith(first, "p1-continuation");
                }
                work.Post("p-post");
                work.StartNew("p2");
            },
            "producer"
        );
        work.StartNew("m1");
        work.StartNew("m2", () => work.Post("m2-post"));
        scheduler.DestroyPool();
        Check.That(live.Count == 0, "no pool thread runs after destroy returns");
        work.CheckNothingPending("when destroy returned", final: false);
        producer.Join();
        work.CheckNothingPending("at the end", final: true);
    }

    /// <summary>
    /// A task on the scheduler destroys the pool while the main thread starts and posts work: the work queued
    /// behind it runs on its thread; the destroying task goes on; its own continuation is refused, since it is
    /// queued when that task completes, after destroy.
    /// </summary>
    [SystematicTest(CiIterations = 2000)]
    public static void DestroyFromATaskOnTheScheduler(IThreading threading)
    {
        var live = new LiveThreads(threading);
        var pool = new ThreadPool(2, 0, live);
        var scheduler = new PoolTaskScheduler(pool);
        var work = new SchedulerWork(threading, scheduler);
        var destroyed = new Latch(threading, 1);
        var inPoolAfterDestroy = false;
        Task? startedAfterDestroy = null;
        work.StartNew("a", () => work.StartNew("a-child"));
        var destroyer = work.StartNew(
            "destroyer",
            () =>
            {
                scheduler.DestroyPool();
                inPoolAfterDestroy = pool.InPool;
                startedAfterDestroy = work.StartNew("from-the-destroyer-after-destroy");
                destroyed.CountDown();
            }
        );
        Check.That(destroyer is not null, "the pool runs: the destroying task is accepted");
        var continuation = work.ContinueWith(destroyer!, "destroyer-continuation");
        work.StartNew("b");
        work.Post("post");
        destroyed.Await();
        Check.That(inPoolAfterDestroy, "the destroying task goes on on its worker");
        Check.That(startedAfterDestroy is null, "a task started after destroy is refused");
        Check.That(
            work.StartNew("main-after-destroy") is null,
            "a task started after destroy is refused"
        );
        // The virtual clock moves only when every other thread is blocked or finished: the destroying task has
        // completed (and its continuation was refused), and its worker has ended.
        threading.Sleep(TimeSpan.FromSeconds(1));
        Check.That(live.Count == 0, "every pool thread has ended");
        Check.That(
            continuation.IsFaulted
                && continuation.Exception!.InnerException is TaskSchedulerException,
            "the destroying task's continuation, queued after destroy, ends faulted with a TaskSchedulerException"
        );
        work.CheckNothingPending("at the end", final: true);
    }

    /// <summary>
    /// Another thread sends a callback to the scheduler's context while the main thread destroys the pool through the
    /// scheduler (one worker): it runs exactly once (on the worker, or on the sender once the pool is going away), and
    /// Send returns only once it has run.
    /// </summary>
    [SystematicTest(CiIterations = 1000)]
    public static void SentCallbackRacingDestroy(IThreading threading)
    {
        var pool = new ThreadPool(1, 0, threading);
        var scheduler = new PoolTaskScheduler(pool);
        var sent = threading.CreateAtomic();
        var sender = threading.Start(
            () =>
            {
                scheduler.SynchronizationContext.Send(_ => sent.Add(1), null);
                Check.That(sent.Read() == 1, "a sent callback ran exactly once when Send returned");
            },
            "sender"
        );
        scheduler.DestroyPool();
        sender.Join();
        Check.That(sent.Read() == 1, "the sent callback ran exactly once");
    }

    /// <summary>
    /// Another thread posts a callback to the scheduler's context while the main thread destroys the pool through the
    /// scheduler (one worker): it runs exactly once, on the worker, on the destroyer (pending) or on the poster.
    /// </summary>
    [SystematicTest(CiIterations = 1000)]
    public static void PostedCallbackRacingDestroy(IThreading threading)
    {
        var pool = new ThreadPool(1, 0, threading);
        var scheduler = new PoolTaskScheduler(pool);
        var work = new SchedulerWork(threading, scheduler);
        var poster = threading.Start(() => work.Post("posted"), "poster");
        scheduler.DestroyPool();
        poster.Join();
        work.CheckNothingPending("at the end", final: true);
    }
}
