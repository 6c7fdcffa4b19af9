using System.Collections.Concurrent;
using Pool.Tasks;
// These tests are about blocking: Task.Wait and RunSynchronously inline or wait, and destroy leaves no waiter
// hanging. Every wait of the test thread is bounded (Wait.Limit), so a hang fails instead of sticking the run.
// StartNew on a destroyed scheduler throws synchronously, so Assert.Throws (not ThrowsAsync) is the check.
#pragma warning disable xUnit1031, xUnit2014
using Pool.Tests.Pooling;

namespace Pool.Tests.Tasks;

/// <summary>
/// The TaskScheduler and SynchronizationContext over the pool on real threads: where tasks and continuations run,
/// inlining on and off a worker, and what destroy makes of queued work (every wait is bounded: a hang fails).
/// </summary>
public class PoolTaskSchedulerTests
{
    private static Task StartNew(PoolTaskScheduler scheduler, Action action) =>
        Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.None, scheduler);

    private static Task<T> StartNew<T>(PoolTaskScheduler scheduler, Func<T> function) =>
        Task.Factory.StartNew(
            function,
            CancellationToken.None,
            TaskCreationOptions.None,
            scheduler
        );

    private static void Finishes(Task task, string what) =>
        Assert.True(task.Wait(Wait.Limit), $"timed out waiting for {what}");

    [Fact]
    public void StartNew_runs_the_task_on_a_worker_with_the_scheduler_and_its_context_current()
    {
        var pool = new ThreadPool(2);
        var scheduler = new PoolTaskScheduler(pool);
        var seen = StartNew(
            scheduler,
            () =>
                (
                    InPool: pool.InPool,
                    Current: TaskScheduler.Current,
                    SynchronizationContext: SynchronizationContext.Current,
                    CurrentManagedThreadId: Environment.CurrentManagedThreadId
                )
        );
        Finishes(seen, "the task");
        scheduler.DestroyPool();
        Assert.True(seen.Result.InPool, "the task ran on a worker of the pool");
        Assert.Same(scheduler, seen.Result.Current);
        Assert.Same(scheduler.SynchronizationContext, seen.Result.SynchronizationContext);
        Assert.NotEqual(Environment.CurrentManagedThreadId, seen.Result.CurrentManagedThreadId);
    }

    [Fact]
    public void A_TaskFactory_over_the_scheduler_runs_many_tasks_once_each_on_the_pool()
    {
        const int tasks = 10_000;
        var pool = new ThreadPool(2);
        var scheduler = new PoolTaskScheduler(pool);
        var factory = new TaskFactory(scheduler);
        var runs = new int[tasks];
        var offPool = 0;
        var all = Enumerable
            .Range(0, tasks)
            .Select(i =>
                factory.StartNew(() =>
                {
                    Interlocked.Increment(ref runs[i]);
                    if (!pool.InPool)
                    {
                        Interlocked.Increment(ref offPool);
                    }
                })
            )
            .ToArray();
        Finishes(Task.WhenAll(all), "every task");
        scheduler.DestroyPool();
        Assert.All(runs, count => Assert.Equal(1, count));
        Assert.Equal(0, offPool);
    }

    [Fact]
    public void An_await_inside_a_task_resumes_on_the_pool_whatever_thread_completes_it()
    {
        var pool = new ThreadPool(2);
        var scheduler = new PoolTaskScheduler(pool);
        var completion = new TaskCompletionSource(TaskCreationOptions.None);
        using var awaiting = new ManualResetEventSlim();
        var resumed = Task
            .Factory.StartNew(
                async () =>
                {
                    awaiting.Set();
                    await completion.Task;
                    var afterFirst = (pool.InPool, SynchronizationContext.Current);
                    await Task.Delay(1); // completed by a timer thread of .NET's pool
                    return (afterFirst, second: pool.InPool);
                },
                CancellationToken.None,
                TaskCreationOptions.None,
                scheduler
            )
            .Unwrap();
        Wait.For(awaiting);
        var completer = new Thread(completion.SetResult) { IsBackground = true };
        completer.Start();
        Finishes(resumed, "the async task");
        completer.Join();
        scheduler.DestroyPool();
        Assert.True(
            resumed.Result.afterFirst.InPool,
            "resumed on a worker after a foreign thread completed the awaited task"
        );
        Assert.Same(scheduler.SynchronizationContext, resumed.Result.afterFirst.Current);
        Assert.True(resumed.Result.second, "resumed on a worker after a timer completed a delay");
    }

    [Fact]
    public void Code_off_the_pool_that_sets_the_context_resumes_its_awaits_on_the_pool()
    {
        var pool = new ThreadPool(1);
        var scheduler = new PoolTaskScheduler(pool);
        Task<bool> resumed;
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(scheduler.SynchronizationContext);
        try
        {
            resumed = ResumeAndReportInPool(pool);
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
        Finishes(resumed, "the async method");
        scheduler.DestroyPool();
        Assert.True(resumed.Result, "the continuation ran on the pool's worker");

        static async Task<bool> ResumeAndReportInPool(ThreadPool pool)
        {
            await Task.Yield(); // posts the rest of the method to the current context
            return pool.InPool;
        }
    }

    [Fact]
    public void A_task_that_waits_for_a_queued_task_on_a_worker_runs_it_inline_so_one_worker_cannot_deadlock()
    {
        var pool = new ThreadPool(1);
        var scheduler = new PoolTaskScheduler(pool);
        var outer = StartNew(
            scheduler,
            () =>
            {
                var inner = StartNew(scheduler, () => Environment.CurrentManagedThreadId);
                inner.Wait(); // the only worker is this one: declining to inline would wait forever
                return (outer: Environment.CurrentManagedThreadId, inner: inner.Result);
            }
        );
        Finishes(outer, "the outer task");
        scheduler.DestroyPool();
        Assert.Equal(outer.Result.outer, outer.Result.inner);
    }

    [Fact]
    public void RunSynchronously_runs_inline_on_a_worker_and_on_a_worker_when_called_off_the_pool()
    {
        var pool = new ThreadPool(1);
        var scheduler = new PoolTaskScheduler(pool);
        var offPool = new Task<(bool, int)>(() =>
            (pool.InPool, Environment.CurrentManagedThreadId)
        );
        var caller = new Thread(() => offPool.RunSynchronously(scheduler)) { IsBackground = true };
        caller.Start(); // declined there: queued, and the caller waits for the worker
        Assert.True(caller.Join(Wait.Limit), "RunSynchronously returned");
        Assert.True(offPool.Result.Item1, "run off the pool, the task still ran on a worker");
        Assert.NotEqual(caller.ManagedThreadId, offPool.Result.Item2);

        var onWorker = StartNew(
            scheduler,
            () =>
            {
                var inner = new Task<int>(() => Environment.CurrentManagedThreadId);
                inner.RunSynchronously(scheduler);
                return (Environment.CurrentManagedThreadId, inner.Result);
            }
        );
        Finishes(onWorker, "the task on the worker");
        scheduler.DestroyPool();
        Assert.Equal(onWorker.Result.Item1, onWorker.Result.Item2);
    }

    [Fact]
    public void Destroy_runs_every_queued_task_once_on_the_destroyer_in_queue_order()
    {
        var pool = new ThreadPool(0); // nothing runs before destroy
        var scheduler = new PoolTaskScheduler(pool);
        var order = new List<int>();
        var threads = new ConcurrentBag<int>();
        var tasks = Enumerable
            .Range(0, 5)
            .Select(i =>
                StartNew(
                    scheduler,
                    () =>
                    {
                        order.Add(i);
                        threads.Add(Environment.CurrentManagedThreadId);
                    }
                )
            )
            .ToList();
        var continuation = tasks[0]
            .ContinueWith(
                _ => order.Add(100),
                CancellationToken.None,
                TaskContinuationOptions.None,
                scheduler
            );
        var posted = new ManualResetEventSlim();
        scheduler.SynchronizationContext.Post(_ => posted.Set(), null);

        scheduler.DestroyPool();

        Assert.All(tasks, t => Assert.Equal(TaskStatus.RanToCompletion, t.Status));
        Assert.Equal(TaskStatus.RanToCompletion, continuation.Status);
        Assert.True(posted.IsSet, "the posted callback ran during destroy");
        // The continuation was queued when task 0 finished, behind the callback posted before destroy.
        Assert.Equal([0, 1, 2, 3, 4, 100], order);
        Assert.All(threads, id => Assert.Equal(Environment.CurrentManagedThreadId, id));
    }

    [Fact]
    public void Destroy_with_busy_workers_leaves_no_awaited_task_pending()
    {
        const int tasks = 200;
        const int workers = 2;
        var threading = new WaitRecordingThreading();
        var pool = new ThreadPool(workers, threading: threading);
        var scheduler = new PoolTaskScheduler(pool);
        using var release = new SemaphoreSlim(0);
        using var busy = new CountdownEvent(workers);
        var runs = new int[tasks];
        var ranOn = new int[tasks];
        var ranOnDestroyer = 0;
        Thread? destroyer = null;
        var all = Enumerable
            .Range(0, tasks)
            .Select(i =>
                StartNew(
                    scheduler,
                    () =>
                    {
                        Interlocked.Increment(ref runs[i]);
                        ranOn[i] = Environment.CurrentManagedThreadId;
                        if (Thread.CurrentThread == Volatile.Read(ref destroyer))
                        {
                            Interlocked.Increment(ref ranOnDestroyer);
                        }
                        else
                        {
                            busy.Signal(); // only the two tasks the workers took before destroy get here
                        }
                        Assert.True(release.Wait(Wait.Limit), "timed out waiting to be released");
                    }
                )
            )
            .ToArray();
        Wait.For(busy); // both workers run a task and the other 198 are queued (or claimed)
        var destroyerThread = new Thread(() => scheduler.DestroyPool()) { IsBackground = true };
        Volatile.Write(ref destroyer, destroyerThread);
        destroyerThread.Start();
        Wait.Until(
            () => threading.IsWaiting(destroyerThread) || Volatile.Read(ref ranOnDestroyer) > 0,
            "destroy waits for the busy workers"
        );
        Assert.True(
            Volatile.Read(ref ranOnDestroyer) == 0,
            "the destroyer ran queued work while the workers were busy"
        );
        // One worker finishes and leaves: the destroyer must wait again for the other, still busy.
        var waitsBefore = threading.WaitsBegun(destroyerThread);
        release.Release();
        Wait.Until(
            () =>
                threading.WaitsBegun(destroyerThread) > waitsBefore
                || Volatile.Read(ref ranOnDestroyer) > 0,
            "the destroyer saw a worker leave"
        );
        Assert.True(
            Volatile.Read(ref ranOnDestroyer) == 0,
            "the destroyer ran queued work while a worker was busy"
        );
        release.Release(tasks); // the other worker's task, then every task the destroyer runs
        Assert.True(destroyerThread.Join(Wait.Limit), "destroy returned");
        Assert.All(all, t => Assert.True(t.IsCompletedSuccessfully, $"task {t.Id} completed"));
        Assert.All(runs, count => Assert.Equal(1, count));
        // The workers took no new work once destroy had begun: the destroyer ran everything queued.
        Assert.Equal(tasks - workers, ranOnDestroyer);
        Assert.Equal(tasks - workers, ranOn.Count(id => id == destroyerThread.ManagedThreadId));
    }

    [Fact]
    public void A_task_the_destroyer_runs_may_wait_for_one_queued_behind_it()
    {
        var pool = new ThreadPool(0);
        var scheduler = new PoolTaskScheduler(pool);
        Task<int>? second = null;
        using var secondCreated = new ManualResetEventSlim();
        var first = StartNew(
            scheduler,
            () =>
            {
                secondCreated.Wait();
                return second!.Result; // inlined on the destroyer: the drain would reach it only after this task
            }
        );
        second = StartNew(scheduler, () => 42);
        secondCreated.Set();
        // On a thread of its own: the first task's wait is unbounded (only an infinite wait inlines).
        var destroyer = new Thread(() => scheduler.DestroyPool()) { IsBackground = true };
        destroyer.Start();
        Assert.True(
            destroyer.Join(Wait.Limit),
            "destroy returned: the waiting task did not wait forever"
        );
        Finishes(first, "the waiting task");
        Assert.Equal(42, first.Result);
    }

    [Fact]
    public void StartNew_after_destroy_throws_a_TaskSchedulerException_that_says_why_and_runs_nothing()
    {
        var pool = new ThreadPool(1);
        var scheduler = new PoolTaskScheduler(pool);
        var done = StartNew(scheduler, () => { });
        Finishes(done, "the first task");
        scheduler.DestroyPool();
        var ran = false;

        var refused = Assert.Throws<TaskSchedulerException>(() =>
        {
            StartNew(scheduler, () => ran = true);
        });
        Assert.IsType<InvalidOperationException>(refused.InnerException);
        Assert.Contains("has been destroyed", refused.InnerException.Message);
        Assert.Throws<TaskSchedulerException>(() =>
        {
            new TaskFactory(scheduler).StartNew(() => ran = true);
        });

        var continuation = done.ContinueWith(
            _ => ran = true,
            CancellationToken.None,
            TaskContinuationOptions.None,
            scheduler
        );
        Assert.True(continuation.IsFaulted, "a continuation refused by the scheduler ends faulted");
        Assert.IsType<TaskSchedulerException>(continuation.Exception!.InnerException);
        Assert.Throws<TaskSchedulerException>(() =>
            new Task(() => ran = true).RunSynchronously(scheduler)
        );
        Assert.False(ran);
        Assert.Throws<InvalidOperationException>(() => scheduler.DestroyPool());
    }

    [Fact]
    public void Destroy_from_a_task_on_the_scheduler_runs_the_queued_tasks_on_that_worker()
    {
        var pool = new ThreadPool(2);
        var scheduler = new PoolTaskScheduler(pool);
        // Both workers are inside a task before the tasks below are queued, so no worker can have claimed them.
        using var blockerRunning = new ManualResetEventSlim();
        using var releaseBlocker = new ManualResetEventSlim();
        var blocker = StartNew(
            scheduler,
            () =>
            {
                blockerRunning.Set();
                releaseBlocker.Wait();
            }
        );
        Wait.For(blockerRunning);
        using var destroyerRunning = new ManualResetEventSlim();
        using var queued = new ManualResetEventSlim();
        var destroyer = StartNew(
            scheduler,
            () =>
            {
                destroyerRunning.Set();
                queued.Wait();
                scheduler.DestroyPool();
                var afterDestroy = Record.Exception(() =>
                {
                    StartNew(scheduler, () => { });
                });
                return (Environment.CurrentManagedThreadId, pool.InPool, afterDestroy);
            }
        );
        Wait.For(destroyerRunning);
        var behind = Enumerable
            .Range(0, 3)
            .Select(_ =>
                StartNew(scheduler, () => (pool.InPool, Environment.CurrentManagedThreadId))
            )
            .ToList();
        queued.Set();
        Wait.Until(() => pool.ThreadCount < 2, "destroy has begun"); // the destroying worker no longer counts
        releaseBlocker.Set(); // its worker sees the closed queue and leaves without taking a task

        Finishes(destroyer, "the destroying task");
        Assert.True(blocker.IsCompletedSuccessfully);
        Assert.All(
            behind,
            t => Assert.True(t.IsCompletedSuccessfully, "completed when destroy returned")
        );
        Assert.True(destroyer.Result.InPool, "the destroying task goes on on its worker");
        Assert.IsType<TaskSchedulerException>(destroyer.Result.afterDestroy);
        Assert.All(
            behind,
            t => Assert.Equal((true, destroyer.Result.CurrentManagedThreadId), t.Result) // on the destroyer, in the pool
        );
    }

    [Fact]
    public void An_await_pending_when_the_pool_is_destroyed_resumes_on_the_completing_thread()
    {
        var pool = new ThreadPool(1);
        var scheduler = new PoolTaskScheduler(pool);
        var completion = new TaskCompletionSource();
        using var awaiting = new ManualResetEventSlim();
        var resumed = Task
            .Factory.StartNew(
                async () =>
                {
                    awaiting.Set();
                    await completion.Task;
                    return (pool.InPool, Environment.CurrentManagedThreadId);
                },
                CancellationToken.None,
                TaskCreationOptions.None,
                scheduler
            )
            .Unwrap();
        Wait.For(awaiting); // whether or not it has reached its await yet, destroy lets it get there
        scheduler.DestroyPool();
        completion.SetResult(); // the continuation is posted after destroy: it runs here
        Finishes(resumed, "the async task");
        Assert.False(resumed.Result.InPool);
        Assert.Equal(Environment.CurrentManagedThreadId, resumed.Result.CurrentManagedThreadId);
    }

    [Fact]
    public void Post_runs_on_a_worker_and_after_destroy_on_the_posting_thread()
    {
        var pool = new ThreadPool(1);
        var scheduler = new PoolTaskScheduler(pool);
        var context = scheduler.SynchronizationContext;
        using var ran = new ManualResetEventSlim();
        var onWorker = false;
        context.Post(
            _ =>
            {
                onWorker = pool.InPool && SynchronizationContext.Current == context;
                ran.Set();
            },
            null
        );
        Wait.For(ran);
        Assert.True(onWorker, "posted before destroy: ran on a worker, with the context current");
        scheduler.DestroyPool();

        var thread = 0;
        context.Post(_ => thread = Environment.CurrentManagedThreadId, null);
        Assert.Equal(Environment.CurrentManagedThreadId, thread);
        Assert.Same(context, context.CreateCopy());
        Assert.Throws<ArgumentNullException>(() => context.Post(null!, null));
    }

    [Fact]
    public void Send_runs_on_a_worker_returns_after_it_and_rethrows_its_exception()
    {
        var pool = new ThreadPool(1);
        var scheduler = new PoolTaskScheduler(pool);
        var context = scheduler.SynchronizationContext;
        var seen = (inPool: false, thread: 0);
        context.Send(_ => seen = (pool.InPool, Environment.CurrentManagedThreadId), null);
        Assert.True(seen.inPool, "sent from off the pool: ran on a worker before Send returned");
        Assert.NotEqual(Environment.CurrentManagedThreadId, seen.thread);

        var failure = Assert.Throws<InvalidOperationException>(() =>
            context.Send(_ => throw new InvalidOperationException("from the callback"), null)
        );
        Assert.Equal("from the callback", failure.Message);

        var nested = StartNew(
            scheduler,
            () =>
            {
                var inner = 0;
                context.Send(_ => inner = Environment.CurrentManagedThreadId, null); // on a worker: inline
                return (Environment.CurrentManagedThreadId, inner);
            }
        );
        Finishes(nested, "the task that sends");
        scheduler.DestroyPool();
        Assert.Equal(nested.Result.Item1, nested.Result.inner);

        var afterDestroy = 0;
        context.Send(_ => afterDestroy = Environment.CurrentManagedThreadId, null);
        Assert.Equal(Environment.CurrentManagedThreadId, afterDestroy);
    }

    [Fact]
    public void A_failing_task_faults_its_Task_and_is_no_failure_of_the_pool()
    {
        var pool = new ThreadPool(1);
        var scheduler = new PoolTaskScheduler(pool);
        var poolFailures = 0;
        pool.TaskFailed += (_, _) => Interlocked.Increment(ref poolFailures);
        var failing = StartNew(
            scheduler,
            () => throw new InvalidOperationException("task failure")
        );
        Assert.Throws<AggregateException>(() => failing.Wait(Wait.Limit));
        scheduler.DestroyPool(); // would throw an AggregateException if the pool had kept a failure
        Assert.True(failing.IsFaulted);
        Assert.Equal(0, poolFailures);
    }

    [Fact]
    public void A_failing_posted_callback_is_a_failure_of_a_pool_task()
    {
        var pool = new ThreadPool(1);
        var scheduler = new PoolTaskScheduler(pool);
        using var failed = new ManualResetEventSlim();
        Exception? reported = null;
        pool.TaskFailed += (_, exception) =>
        {
            reported = exception;
            failed.Set();
        };
        scheduler.SynchronizationContext.Post(
            _ => throw new InvalidOperationException("posted"),
            null
        );
        Wait.For(failed);
        scheduler.DestroyPool();
        Assert.Equal("posted", reported!.Message);
    }

    [Fact]
    public void Other_pool_tasks_reach_pending_and_dropping_them_drops_only_them()
    {
        var pool = new ThreadPool(0);
        var scheduler = new PoolTaskScheduler(pool);
        var plain = new PoolTask(
            _ => Assert.Fail("a plain pool task never runs in destroy"),
            "plain"
        );
        pool.Schedule(plain);
        var task = StartNew(scheduler, () => 1);
        var pending = new List<PoolTask>();
        scheduler.DestroyPool(pending.Add);
        Assert.Equal([plain], pending);
        Assert.True(task.IsCompletedSuccessfully, "the scheduler's task ran in destroy");
        Assert.Equal(1, task.Result);
    }

    [Fact]
    public void Two_schedulers_over_one_pool_are_both_drained_by_either()
    {
        var pool = new ThreadPool(0);
        var first = new PoolTaskScheduler(pool);
        var second = new PoolTaskScheduler(pool);
        var a = StartNew(first, () => 1);
        var b = StartNew(second, () => 2);
        first.DestroyPool(_ => Assert.Fail("no other pool task was queued"));
        Assert.True(a.IsCompletedSuccessfully && b.IsCompletedSuccessfully, "both ran in destroy");
        Assert.Equal((1, 2), (a.Result, b.Result));
    }

    [Fact]
    public void A_scheduler_needs_a_pool() =>
        Assert.Throws<ArgumentNullException>(() => new PoolTaskScheduler(null!));
}
