using System.Collections.Concurrent;

namespace Pool.Tests.Pooling;

/// <summary>
/// A worker claims up to eight tasks at once and runs them one by one. These tests pin what that may and may
/// not change. Each starts with no workers and schedules four tasks first, so the first worker finds all four
/// in one list and claims the first two (half of what is left): the outcome is deterministic.
/// </summary>
public class ClaimedTasksTests
{
    [Fact]
    public void A_task_waiting_for_the_task_claimed_with_it_is_not_stuck_while_another_worker_is_free()
    {
        var pool = new ThreadPool(0);
        using var secondRan = new ManualResetEventSlim();
        using var done = new CountdownEvent(4);
        var firstSawSecond = false;
        pool.Schedule(() =>
        {
            firstSawSecond = secondRan.Wait(Wait.Limit); // only a steal by the other worker can run task 2
            done.Signal();
        });
        pool.Schedule(() =>
        {
            secondRan.Set();
            done.Signal();
        });
        pool.Schedule(() => done.Signal());
        pool.Schedule(() => done.Signal());

        pool.Increase();
        pool.Increase();
        Wait.For(done);
        pool.Destroy(_ => Assert.Fail("nothing should be pending"));
        Assert.True(firstSawSecond, "task 2 waited behind task 1 although a worker was free");
    }

    [Fact]
    public void Tasks_claimed_by_a_worker_that_exits_run_first_on_the_next_worker_in_order()
    {
        var pool = new ThreadPool(0);
        var order = new ConcurrentQueue<int>();
        using var done = new CountdownEvent(3);
        pool.Schedule(pool.Exit);
        for (var id = 2; id <= 4; id++)
        {
            var task = id;
            pool.Schedule(() =>
            {
                order.Enqueue(task);
                done.Signal();
            });
        }

        pool.Increase();
        Wait.Until(() => pool.ThreadCount == 0, "the worker has exited");
        Assert.Empty(order); // task 2 is claimed by the worker that left; nobody runs it yet

        pool.Increase();
        Wait.For(done);
        pool.Destroy(_ => Assert.Fail("nothing should be pending"));
        Assert.Equal([2, 3, 4], order);
    }

    [Fact]
    public void Destroy_from_a_task_hands_its_own_claimed_task_to_pending_first()
    {
        var pool = new ThreadPool(0);
        var ran = new ConcurrentQueue<int>();
        var pending = new List<int>();
        using var destroyed = new ManualResetEventSlim();
        pool.Schedule(() =>
        {
            pool.Destroy(task => pending.Add((int)task.Context!));
            destroyed.Set();
        });
        ScheduleRecordingTasks(pool, ran, 2, 4);

        pool.Increase();
        Wait.For(destroyed);
        Assert.Empty(ran);
        Assert.Equal([2, 3, 4], pending);
    }

    [Fact]
    public void A_worker_with_claimed_tasks_runs_them_before_it_takes_an_exit_entry()
    {
        var pool = new ThreadPool(0);
        var ran = new ConcurrentQueue<int>();
        using var release = new ManualResetEventSlim();
        using var firstStarted = new ManualResetEventSlim();
        pool.Schedule(() =>
        {
            firstStarted.Set();
            Assert.True(release.Wait(Wait.Limit));
            ran.Enqueue(1);
        });
        ScheduleRecordingTasks(pool, ran, 2, 4);

        pool.Increase();
        Wait.For(firstStarted);
        pool.Decrease();
        release.Set();
        Wait.Until(() => pool.ThreadCount == 0, "the worker has taken the exit entry");

        var pending = new List<int>();
        pool.Destroy(task => pending.Add((int)task.Context!));
        Assert.Equal([1, 2], ran);
        Assert.Equal([3, 4], pending);
    }

    [Fact]
    public void An_idle_pool_keeps_no_claimed_task_alive()
    {
        var pool = new ThreadPool(0);
        using var done = new CountdownEvent(4);
        var contexts = ScheduleFourCapturingTasks(pool, done);

        pool.Increase(); // claims the first two tasks at once, then the others one by one
        Wait.For(done);
        Wait.Until(
            () =>
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                return contexts.All(c => !c.IsAlive);
            },
            "the waiting worker has dropped every task it ran"
        );
        pool.Destroy();
    }

    // Separate method: the contexts must not stay alive in the test's own locals.
    private static List<WeakReference> ScheduleFourCapturingTasks(
        ThreadPool pool,
        CountdownEvent done
    )
    {
        var contexts = new List<WeakReference>();
        for (var i = 0; i < 4; i++)
        {
            var context = new byte[1024];
            contexts.Add(new WeakReference(context));
            pool.Schedule(new PoolTask(c => done.Signal(), context));
        }
        return contexts;
    }

    [Fact]
    public void Destroy_hands_the_claims_of_two_workers_to_pending_in_queue_order()
    {
        var pool = new ThreadPool(0);
        var pending = new List<int>();
        using var firstStarted = new ManualResetEventSlim();
        using var releaseFirst = new ManualResetEventSlim();
        using var fifthStarted = new ManualResetEventSlim();
        using var releaseFifth = new ManualResetEventSlim();
        using var destroyed = new ManualResetEventSlim();
        pool.Schedule(() =>
        {
            firstStarted.Set();
            Assert.True(releaseFirst.Wait(Wait.Limit));
            pool.Destroy(task => pending.Add((int)task.Context!));
            destroyed.Set();
        });
        for (var id = 2; id <= 8; id++)
        {
            pool.Schedule(
                new PoolTask(
                    c =>
                    {
                        if ((int)c! == 5)
                        {
                            fifthStarted.Set();
                            Assert.True(releaseFifth.Wait(Wait.Limit));
                        }
                    },
                    id
                )
            );
        }

        pool.Increase(); // claims 1-4 (half of eight), runs 1
        Wait.For(firstStarted);
        pool.Increase(); // claims 5-6 (half of the four left), runs 5
        Wait.For(fifthStarted);
        releaseFirst.Set(); // task 1 destroys the pool and waits for the second worker
        Wait.Until(
            () => pool.ThreadCount == 1,
            "destroy has begun (the destroying worker left the count)"
        );
        releaseFifth.Set(); // the second worker leaves with task 6 still claimed
        Wait.For(destroyed);

        Assert.Equal([2, 3, 4, 6, 7, 8], pending);
    }

    // Tasks first..last, each recording its number (its context) in ran when it runs.
    private static void ScheduleRecordingTasks(
        ThreadPool pool,
        ConcurrentQueue<int> ran,
        int first,
        int last
    )
    {
        for (var id = first; id <= last; id++)
        {
            pool.Schedule(new PoolTask(c => ran.Enqueue((int)c!), id));
        }
    }
}
