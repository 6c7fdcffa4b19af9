using System.Collections.Concurrent;

namespace Pool.Tests.Pooling;

public class ThreadPoolTests
{
    [Fact]
    public void Every_scheduled_task_runs_once()
    {
        const int tasks = 20_000;
        var runs = new int[tasks];
        using var done = new CountdownEvent(tasks);
        var pool = new ThreadPool(4);
        for (var i = 0; i < tasks; i++)
        {
            var id = i;
            pool.Schedule(() =>
            {
                Interlocked.Increment(ref runs[id]);
                done.Signal();
            });
        }
        Wait.For(done);
        pool.Destroy(_ => Assert.Fail("nothing should be pending"));
        Assert.All(runs, count => Assert.Equal(1, count));
    }

    [Fact]
    public void One_producer_one_worker_runs_in_schedule_order()
    {
        var order = new List<int>();
        var pool = new ThreadPool(1);
        using var done = new CountdownEvent(2_000);
        for (var i = 0; i < 2_000; i++)
        {
            var id = i;
            pool.Schedule(() =>
            {
                order.Add(id);
                done.Signal();
            });
        }
        Wait.For(done);
        pool.Destroy();
        Assert.Equal(Enumerable.Range(0, 2_000), order);
    }

    [Fact]
    public void PoolTask_routine_receives_its_context()
    {
        var pool = new ThreadPool(1);
        using var done = new ManualResetEventSlim();
        object? seen = null;
        var context = new object();
        pool.Schedule(
            new PoolTask(
                c =>
                {
                    seen = c;
                    done.Set();
                },
                context
            )
        );
        Wait.For(done);
        pool.Destroy();
        Assert.Same(context, seen);
    }

    [Fact]
    public void Destroy_from_outside_hands_queued_tasks_to_pending_in_order_on_the_calling_thread()
    {
        var pool = new ThreadPool(0);
        var ran = 0;
        var tasks = Enumerable.Range(0, 10).Select(i => new PoolTask(_ => ran++, i)).ToList();
        tasks.ForEach(pool.Schedule);
        var pending = new List<PoolTask>();
        var callerThread = Environment.CurrentManagedThreadId;
        var inPoolDuringPending = new List<bool>();
        pool.Destroy(task =>
        {
            Assert.Equal(callerThread, Environment.CurrentManagedThreadId);
            inPoolDuringPending.Add(pool.InPool);
            pending.Add(task);
        });
        Assert.Equal(tasks, pending);
        Assert.Equal(0, ran);
        Assert.All(inPoolDuringPending, Assert.False);
        Assert.Equal(0, pool.ThreadCount);
    }

    [Fact]
    public void Destroy_without_pending_drops_queued_tasks_and_runs_none()
    {
        var pool = new ThreadPool(0);
        var ran = 0;
        for (var i = 0; i < 5; i++)
        {
            pool.Schedule(() => ran++);
        }
        pool.Destroy();
        Assert.Equal(0, ran);
    }

    [Fact]
    public void Tasks_that_pending_schedules_are_drained_too()
    {
        var pool = new ThreadPool(0);
        pool.Schedule(new PoolTask(_ => { }, "first"));
        var seen = new List<object?>();
        pool.Destroy(task =>
        {
            seen.Add(task.Context);
            if ("first".Equals(task.Context))
            {
                pool.Schedule(new PoolTask(_ => { }, "from pending"));
            }
        });
        Assert.Equal(["first", "from pending"], seen);
        Assert.Throws<InvalidOperationException>(() => pool.Schedule(() => { }));
    }

    [Fact]
    public void Destroy_from_outside_returns_with_every_worker_gone()
    {
        const int workerCount = 3;
        var threading = new WaitRecordingThreading();
        var pool = new ThreadPool(workerCount, threading: threading);
        var workers = new ConcurrentBag<Thread>();
        using var started = new CountdownEvent(workerCount);
        using var release = new SemaphoreSlim(0);
        for (var i = 0; i < workerCount; i++)
        {
            pool.Schedule(() =>
            {
                workers.Add(Thread.CurrentThread);
                started.Signal();
                Assert.True(release.Wait(Wait.Limit), "timed out waiting to be released");
            });
        }
        Wait.For(started);
        var returned = 0;
        var destroyer = new Thread(() =>
        {
            pool.Destroy();
            Volatile.Write(ref returned, 1);
        });
        destroyer.Start();
        // Every worker is busy: destroy has begun and waits for them (its only condition wait).
        Wait.Until(
            () => threading.IsWaiting(destroyer) || Volatile.Read(ref returned) == 1,
            "destroy waits for the busy workers"
        );
        for (var left = 1; left <= workerCount; left++)
        {
            Assert.True(
                Volatile.Read(ref returned) == 0,
                $"destroy returned while {workerCount - left + 1} workers were busy"
            );
            var waitsBefore = threading.WaitsBegun(destroyer);
            release.Release();
            if (left < workerCount)
            {
                // The departure wakes the destroyer, which must count the workers still busy and wait again.
                Wait.Until(
                    () =>
                        threading.WaitsBegun(destroyer) > waitsBefore
                        || Volatile.Read(ref returned) == 1,
                    "the destroyer saw a worker leave"
                );
            }
        }
        Assert.True(destroyer.Join(Wait.Limit));
        Assert.Equal(workerCount, workers.Count);
        Assert.All(workers, worker => Assert.False(worker.IsAlive));
        Assert.Equal(0, pool.ThreadCount);
    }

    [Fact]
    public void Destroy_from_a_task_returns_and_the_task_goes_on()
    {
        var pool = new ThreadPool(3);
        using var destroyed = new ManualResetEventSlim();
        var afterDestroy = new List<string>();
        var pending = new List<PoolTask>();
        using var blockers = new CountdownEvent(2);
        using var releaseBlockers = new ManualResetEventSlim();
        for (var i = 0; i < 2; i++)
        {
            pool.Schedule(() =>
            {
                blockers.Signal();
                releaseBlockers.Wait();
            });
        }
        Wait.For(blockers);
        var queuedBehind = new PoolTask(_ => Assert.Fail("must not run"), "queued");
        pool.Schedule(() =>
        {
            pool.Schedule(queuedBehind);
            // Release the blockers only once destroy has closed the queue (it uncounts this worker in the same
            // critical section): released earlier, a blocker's worker could run queuedBehind first.
            new Thread(() =>
            {
                Wait.Until(() => pool.ThreadCount == 2, "destroy has begun");
                releaseBlockers.Set();
            }).Start();
            pool.Destroy(task =>
            {
                afterDestroy.Add($"pending in-pool={pool.InPool}");
                pending.Add(task);
            });
            afterDestroy.Add($"returned count={pool.ThreadCount} in-pool={pool.InPool}");
            afterDestroy.Add(
                Record.Exception(() => pool.Schedule(() => { })) is InvalidOperationException
                    ? "schedule rejected"
                    : "schedule accepted"
            );
            destroyed.Set();
        });
        Wait.For(destroyed);
        Assert.Equal(
            ["pending in-pool=True", "returned count=0 in-pool=True", "schedule rejected"],
            afterDestroy
        );
        Assert.Equal([queuedBehind], pending);
    }

    [Fact]
    public void Destroy_twice_or_concurrently_throws_for_every_call_but_one()
    {
        for (var round = 0; round < 50; round++)
        {
            var pool = new ThreadPool(2);
            using var go = new ManualResetEventSlim();
            var outcomes = new ConcurrentBag<Exception?>();
            var callers = Enumerable
                .Range(0, 3)
                .Select(_ => new Thread(() =>
                {
                    go.Wait();
                    outcomes.Add(Record.Exception(() => pool.Destroy()));
                }))
                .ToList();
            callers.ForEach(c => c.Start());
            go.Set();
            callers.ForEach(c => Assert.True(c.Join(Wait.Limit)));
            Assert.Single(outcomes, o => o is null);
            Assert.All(
                outcomes.Where(o => o is not null),
                o => Assert.IsType<InvalidOperationException>(o)
            );
            Assert.Throws<InvalidOperationException>(() => pool.Destroy());
        }
    }

    [Fact]
    public void Schedule_increase_and_decrease_after_destroy_throw_and_nothing_runs()
    {
        var pool = new ThreadPool(1);
        pool.Destroy();
        var ran = false;
        var schedule = Assert.Throws<InvalidOperationException>(() =>
            pool.Schedule(() => ran = true)
        );
        Assert.Contains("destroyed", schedule.Message);
        Assert.Throws<InvalidOperationException>(() =>
            pool.Schedule(new PoolTask(_ => ran = true, null))
        );
        Assert.Throws<InvalidOperationException>(pool.Increase);
        Assert.Throws<InvalidOperationException>(pool.Decrease);
        Assert.False(ran);
        Assert.Equal(0, pool.ThreadCount);
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadPool(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadPool(1, -4096));
        var small = Assert.Throws<ArgumentOutOfRangeException>(() => new ThreadPool(1, 16 * 1024));
        Assert.Contains(ThreadPool.MinimumStackSize.ToString(), small.Message);
        var pool = new ThreadPool(0);
        Assert.Throws<ArgumentNullException>(() => pool.Schedule((Action)null!));
        Assert.Throws<ArgumentException>(() => pool.Schedule(default(PoolTask)));
        pool.Destroy(_ => Assert.Fail("rejected tasks must not be queued"));
    }

    [Fact]
    public void Workers_run_with_the_requested_stack_size()
    {
        // 50,000 frames need 5-8 MB (tier-0 frames are larger): far above the 1.5 MB default, well inside 16 MB.
        var pool = new ThreadPool(1, 16 * 1024 * 1024);
        using var done = new ManualResetEventSlim();
        var depth = 0;
        pool.Schedule(() =>
        {
            depth = Recurse(50_000);
            done.Set();
        });
        Wait.For(done);
        pool.Destroy();
        Assert.Equal(50_000, depth);
    }

    private static int Recurse(int n)
    {
        Span<byte> frame = stackalloc byte[32];
        frame[0] = (byte)n;
        return n == 0 ? frame[0] : 1 + Recurse(n - 1);
    }

    [Fact]
    public void In_pool_is_true_exactly_on_this_pools_workers()
    {
        var pool = new ThreadPool(1);
        var other = new ThreadPool(1);
        using var done = new CountdownEvent(2);
        bool onOwnWorker = false,
            onOtherWorker = true;
        pool.Schedule(() =>
        {
            onOwnWorker = pool.InPool;
            done.Signal();
        });
        other.Schedule(() =>
        {
            onOtherWorker = pool.InPool;
            done.Signal();
        });
        Wait.For(done);
        Assert.True(onOwnWorker);
        Assert.False(onOtherWorker);
        Assert.False(pool.InPool);
        pool.Destroy();
        other.Destroy();
    }

    [Fact]
    public void Increase_adds_workers_and_count_tracks_started_minus_left()
    {
        var pool = new ThreadPool(1);
        pool.Increase();
        pool.Increase();
        Assert.Equal(3, pool.ThreadCount);
        pool.Decrease();
        Wait.Until(() => pool.ThreadCount == 2, "a worker took the exit entry");
        pool.Destroy();
        Assert.Equal(0, pool.ThreadCount);
    }

    [Fact]
    public void Decrease_below_zero_makes_a_later_worker_leave_at_once()
    {
        var pool = new ThreadPool(0);
        pool.Decrease();
        pool.Decrease();
        Assert.Equal(0, pool.ThreadCount);
        using var ran = new ManualResetEventSlim();
        var runs = 0;
        pool.Schedule(() =>
        {
            Interlocked.Increment(ref runs);
            ran.Set();
        });
        pool.Increase();
        pool.Increase();
        pool.Increase();
        // The two exit entries jump the queue: two of the three workers leave, the third runs the task.
        Wait.For(ran);
        Wait.Until(() => pool.ThreadCount == 1, "two workers left");
        pool.Destroy(_ => Assert.Fail("exit entries are never pending"));
        Assert.Equal(1, runs);
    }

    [Fact]
    public void Exit_entries_are_not_handed_to_pending()
    {
        var pool = new ThreadPool(0);
        pool.Decrease();
        var task = new PoolTask(_ => { }, "only");
        pool.Schedule(task);
        pool.Decrease();
        var pending = new List<PoolTask>();
        pool.Destroy(pending.Add);
        Assert.Equal([task], pending);
    }

    [Fact]
    public void Exit_from_a_task_makes_its_worker_leave_after_the_task()
    {
        var pool = new ThreadPool(2);
        using var exited = new ManualResetEventSlim();
        var stillRunningAfterExit = false;
        pool.Schedule(() =>
        {
            pool.Exit();
            stillRunningAfterExit = pool.InPool;
            exited.Set();
        });
        Wait.For(exited);
        Wait.Until(() => pool.ThreadCount == 1, "the exiting worker left");
        using var more = new ManualResetEventSlim();
        pool.Schedule(more.Set);
        Wait.For(more);
        pool.Destroy();
        Assert.True(stillRunningAfterExit);
    }

    [Fact]
    public void Exit_off_the_pool_throws()
    {
        var pool = new ThreadPool(1);
        var other = new ThreadPool(1);
        Assert.Throws<InvalidOperationException>(pool.Exit);
        using var done = new ManualResetEventSlim();
        Exception? fromOtherPool = null;
        other.Schedule(() =>
        {
            fromOtherPool = Record.Exception(pool.Exit);
            done.Set();
        });
        Wait.For(done);
        Assert.IsType<InvalidOperationException>(fromOtherPool);
        Assert.Equal(1, pool.ThreadCount);
        pool.Destroy();
        other.Destroy();
    }

    [Fact]
    public void A_failing_task_reaches_the_handler_and_the_worker_survives()
    {
        var pool = new ThreadPool(1);
        var failures = new ConcurrentQueue<(PoolTask, Exception)>();
        pool.TaskFailed += (task, failure) => failures.Enqueue((task, failure));
        var boom = new PoolTask(_ => throw new InvalidTimeZoneException("boom"), "bad");
        pool.Schedule(boom);
        using var after = new ManualResetEventSlim();
        pool.Schedule(after.Set);
        Wait.For(after);
        pool.Destroy();
        var (task, failure) = Assert.Single(failures);
        Assert.Equal(boom, task);
        Assert.IsType<InvalidTimeZoneException>(failure);
    }

    [Fact]
    public void A_failure_with_no_handler_is_thrown_by_destroy_after_it_finished()
    {
        var pool = new ThreadPool(1);
        pool.Schedule(() => throw new InvalidTimeZoneException("unobserved"));
        using var after = new ManualResetEventSlim();
        pool.Schedule(after.Set);
        Wait.For(after);
        var thrown = Assert.Throws<AggregateException>(() => pool.Destroy());
        Assert.IsType<InvalidTimeZoneException>(Assert.Single(thrown.InnerExceptions));
        Assert.Equal(0, pool.ThreadCount);
        Assert.Throws<InvalidOperationException>(() => pool.Schedule(() => { }));
    }

    [Fact]
    public void A_throwing_pending_does_not_stop_the_drain()
    {
        var pool = new ThreadPool(0);
        for (var i = 0; i < 3; i++)
        {
            pool.Schedule(new PoolTask(_ => { }, i));
        }
        var seen = new List<object?>();
        var thrown = Assert.Throws<AggregateException>(() =>
            pool.Destroy(task =>
            {
                seen.Add(task.Context);
                throw new InvalidTimeZoneException();
            })
        );
        Assert.Equal([0, 1, 2], seen);
        Assert.Equal(3, thrown.InnerExceptions.Count);
    }

    [Fact]
    public void Schedule_allocates_nothing_per_task()
    {
        var pool = new ThreadPool(0);
        Action empty = static () => { };
        // Grow the queue's ring to 8192 entries first; the measured 3000 then fit without growth.
        for (var i = 0; i < 5_000; i++)
        {
            pool.Schedule(empty);
        }
        var task = new PoolTask(static _ => { }, null);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_500; i++)
        {
            pool.Schedule(empty);
            pool.Schedule(task);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        pool.Destroy();
        Assert.Equal(0, allocated);
    }
}
