using Pool.Scenarios.Support;
using Pool.Systematic;
using Pool.Threading;

namespace Pool.Scenarios;

/// <summary>
/// The pool's failure paths and its claimed tasks at destroy: a task that throws is reported exactly once (to the
/// <see cref="ThreadPool.TaskFailed"/> handler, or by <see cref="ThreadPool.Destroy"/> when there is none or the
/// handler throws) however it races destroy; and the drain hands over the tasks two departed workers claimed in queue
/// order.
/// </summary>
public static partial class PoolScenarios
{
    /// <summary>
    /// Two of three tasks throw while the main thread destroys the pool, and no handler is attached: destroy throws
    /// every failure of a task that ran, once, in one <see cref="AggregateException"/>, and nothing when none ran.
    /// </summary>
    [SystematicTest(CiIterations = 500)]
    public static void FailingTasksRacingDestroyWithoutHandler(IThreading threading)
    {
        var live = new LiveThreads(threading);
        var pool = new ThreadPool(2, 0, live);
        var ledger = new Ledger(threading);
        var failures = new TaskFailures(threading);
        ledger.TrySchedule(pool, failures.Throw);
        ledger.TrySchedule(pool);
        ledger.TrySchedule(pool, failures.Throw);
        var reported = DestroyCollecting(pool, ledger.Pending);
        Check.That(live.Count == 0, "no pool thread runs after destroy returns");
        ledger.CheckExactlyOnce();
        failures.CheckReported(reported, "destroy");
    }

    /// <summary>
    /// Two tasks throw while the main thread destroys the pool; the handler takes the first task's failure and
    /// throws on the second's, and a handler removed before any task ran is never called. The first reaches the
    /// handler once; the second, with the handler's own exception, reaches destroy once; nothing else is reported.
    /// </summary>
    [SystematicTest(CiIterations = 500)]
    public static void FailingTasksRacingDestroyWithHandler(IThreading threading)
    {
        var live = new LiveThreads(threading);
        var pool = new ThreadPool(2, 0, live);
        var ledger = new Ledger(threading);
        var failures = new TaskFailures(threading);
        var handled = new TaskFailures(threading);
        void Removed(PoolTask task, Exception failure) =>
            Check.That(false, "a removed TaskFailed handler was called");
        pool.TaskFailed += Removed;
        pool.TaskFailed += (task, failure) =>
        {
            if ((int)task.Context! == 2)
            {
                throw new HandlerFailure();
            }
            handled.Record(failure);
        };
        pool.TaskFailed -= Removed;
        ledger.TrySchedule(pool, failures.Throw); // task 1
        ledger.TrySchedule(pool, failures.Throw); // task 2: its handler throws
        var reported = DestroyCollecting(pool, ledger.Pending);
        Check.That(live.Count == 0, "no pool thread runs after destroy returns");
        ledger.CheckExactlyOnce();
        var thrown = failures.Ids();
        Check.That(
            handled.Ids().SequenceEqual(thrown.Where(id => id == 1)),
            $"the handler took [{string.Join(", ", handled.Ids())}] of the failures [{string.Join(", ", thrown)}]"
        );
        var fromDestroy = reported
            .Select(e =>
                e is AggregateException { InnerExceptions: [TaskFailure task, HandlerFailure] }
                    ? task.Id
                    : -1
            )
            .ToList();
        Check.That(
            fromDestroy.SequenceEqual(thrown.Where(id => id == 2)),
            $"destroy reported [{string.Join(", ", reported.Select(e => e.Message))}] for the failures [{string.Join(", ", thrown)}]"
        );
    }

    /// <summary>
    /// Two workers each claim a run of tasks and leave after running the first (it exits its worker once both have
    /// started), so both leave tasks claimed in their slots; destroy from outside must hand every task that never
    /// ran to pending exactly once, in queue order, taking the oldest of the two slots each time.
    /// </summary>
    [SystematicTest(CiIterations = 500)]
    public static void TwoWorkersLeaveWithClaimedTasks(IThreading threading)
    {
        var live = new LiveThreads(threading);
        var pool = new ThreadPool(0, 0, live);
        var ledger = new Ledger(threading);
        var started = new Latch(threading, 2);
        var pendingOrder = new List<int>();
        void ExitOnceBothStarted(int _)
        {
            started.CountDown();
            started.Await();
            pool.Exit();
        }
        for (var run = 0; run < 2; run++)
        {
            ledger.TrySchedule(pool, ExitOnceBothStarted);
            ledger.TrySchedule(pool);
            ledger.TrySchedule(pool);
        }
        pool.Increase(); // one claims the first three tasks; the other two of the three left, or steals
        pool.Increase();
        live.AwaitAtMost(0); // both workers left
        pool.Destroy(task =>
        {
            pendingOrder.Add((int)task.Context!); // only this thread calls pending
            ledger.Pending(task);
        });
        Check.That(
            pendingOrder.SequenceEqual(pendingOrder.Order()),
            $"pending in queue order, got [{string.Join(", ", pendingOrder)}]"
        );
        ledger.CheckExactlyOnce();
    }

    // Destroys the pool and returns the failures its AggregateException carried (none when it did not throw).
    private static List<Exception> DestroyCollecting(ThreadPool pool, Action<PoolTask> pending)
    {
        try
        {
            pool.Destroy(pending);
            return [];
        }
        catch (AggregateException failures)
        {
            return [.. failures.InnerExceptions];
        }
    }

    /// <summary>The failures thrown by tasks, by task id, guarded by a lock of the seam.</summary>
    private sealed class TaskFailures(IThreading threading)
    {
        private readonly ILock _lock = threading.CreateLock();
        private readonly List<int> _ids = [];

        /// <summary>A task's body: records that task <paramref name="id"/> threw, then throws.</summary>
        public void Throw(int id)
        {
            Record(new TaskFailure(id));
            throw new TaskFailure(id);
        }

        public void Record(Exception failure)
        {
            _lock.Enter();
            _ids.Add(((TaskFailure)failure).Id);
            _lock.Exit();
        }

        /// <summary>The ids recorded, ascending.</summary>
        public List<int> Ids()
        {
            _lock.Enter();
            var ids = _ids.Order().ToList();
            _lock.Exit();
            return ids;
        }

        /// <summary>Every task that threw is among <paramref name="reported"/> once, and nothing else is.</summary>
        public void CheckReported(List<Exception> reported, string by)
        {
            var ids = reported.Select(e => e is TaskFailure failure ? failure.Id : -1).Order();
            Check.That(
                ids.SequenceEqual(Ids()),
                $"{by} reported [{string.Join(", ", reported.Select(e => e.Message))}] for the tasks that threw [{string.Join(", ", Ids())}]"
            );
        }
    }

    private sealed class TaskFailure(int id) : Exception($"task {id} failed")
    {
        public int Id => id;
    }

    private sealed class HandlerFailure() : Exception("the handler failed");
}
