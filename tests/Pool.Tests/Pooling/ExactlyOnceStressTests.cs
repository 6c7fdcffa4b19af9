using System.Collections.Concurrent;

namespace Pool.Tests.Pooling;

/// <summary>
/// Invariant 1 of pool.md under load: every accepted task runs exactly once or reaches pending exactly
/// once, while tasks spawn tasks, adjust the pool, and destroy races them from outside or from a task.
/// </summary>
public class ExactlyOnceStressTests
{
    private sealed class Ledger
    {
        private int _nextId;
        public readonly ConcurrentDictionary<int, int> Ran = new();
        public readonly ConcurrentDictionary<int, int> Pending = new();
        public readonly ConcurrentBag<int> Accepted = [];

        public bool TrySchedule(ThreadPool pool, Action<int> body) =>
            TrySchedule(pool, body, out _);

        public bool TrySchedule(ThreadPool pool, Action<int> body, out int id)
        {
            id = Interlocked.Increment(ref _nextId);
            var taskId = id;
            try
            {
                pool.Schedule(new PoolTask(_ => body(taskId), taskId));
            }
            catch (InvalidOperationException)
            {
                return false; // rejected after destroy: never accepted, so never owed
            }
            Accepted.Add(id);
            return true;
        }

        public void AssertExactlyOnce()
        {
            foreach (var id in Accepted)
            {
                var ran = Ran.GetValueOrDefault(id);
                var pending = Pending.GetValueOrDefault(id);
                Assert.True(
                    ran + pending == 1,
                    $"task {id}: ran {ran} times, pending {pending} times"
                );
            }
            Assert.Equal(Accepted.Count, Ran.Count + Pending.Count);
        }
    }

    private static void Spawning(ThreadPool pool, Ledger ledger, int id, int depth)
    {
        ledger.Ran.AddOrUpdate(id, 1, (_, n) => n + 1);
        if (depth == 0)
        {
            return;
        }
        for (var i = 0; i < 2; i++)
        {
            ledger.TrySchedule(pool, child => Spawning(pool, ledger, child, depth - 1));
        }
    }

    [Fact]
    public void Destroy_from_outside_while_tasks_spawn_tasks()
    {
        for (var round = 0; round < 40; round++)
        {
            var pool = new ThreadPool(3);
            var ledger = new Ledger();
            for (var i = 0; i < 50; i++)
            {
                ledger.TrySchedule(pool, id => Spawning(pool, ledger, id, 4));
            }
            Wait.Until(() => !ledger.Ran.IsEmpty, "the tasks have begun to spawn");
            pool.Destroy(task =>
                ledger.Pending.AddOrUpdate((int)task.Context!, 1, (_, n) => n + 1)
            );
            ledger.AssertExactlyOnce();
            Assert.Equal(0, pool.ThreadCount);
        }
    }

    [Fact]
    public void Tasks_spawned_while_destroy_waits_for_busy_workers_reach_pending()
    {
        const int workers = 3;
        for (var round = 0; round < 40; round++)
        {
            var threading = new WaitRecordingThreading();
            var pool = new ThreadPool(workers, threading: threading);
            var ledger = new Ledger();
            var destroyer = Thread.CurrentThread;
            var late = new ConcurrentBag<int>();
            var lateRan = new ConcurrentBag<int>();
            using var holding = new CountdownEvent(workers);
            using var lateScheduled = new ManualResetEventSlim();
            // Tasks spawn tasks first; behind them, one task per worker holds it, so that when destroy begins no
            // worker is between tasks. One of them waits until destroy waits for the busy workers, then spawns:
            // its children are accepted while destroy drains, and must reach pending.
            for (var i = 0; i < 30; i++)
            {
                ledger.TrySchedule(pool, id => Spawning(pool, ledger, id, 3));
            }
            ledger.TrySchedule(
                pool,
                id =>
                {
                    ledger.Ran.AddOrUpdate(id, 1, (_, n) => n + 1);
                    holding.Signal();
                    Wait.Until(
                        () => threading.IsWaiting(destroyer),
                        "destroy waits for the busy workers"
                    );
                    for (var i = 0; i < 3; i++)
                    {
                        Assert.True(
                            ledger.TrySchedule(
                                pool,
                                child =>
                                {
                                    lateRan.Add(child);
                                    Spawning(pool, ledger, child, 2);
                                },
                                out var lateId
                            ),
                            "a schedule while destroy drains is accepted"
                        );
                        late.Add(lateId);
                    }
                    lateScheduled.Set();
                }
            );
            for (var i = 1; i < workers; i++)
            {
                ledger.TrySchedule(
                    pool,
                    id =>
                    {
                        ledger.Ran.AddOrUpdate(id, 1, (_, n) => n + 1);
                        holding.Signal();
                        Assert.True(lateScheduled.Wait(Wait.Limit), "timed out holding a worker");
                    }
                );
            }
            Wait.For(holding);
            pool.Destroy(task =>
                ledger.Pending.AddOrUpdate((int)task.Context!, 1, (_, n) => n + 1)
            );
            // The round saw both outcomes: tasks that ran, and the children accepted during destroy in pending.
            Assert.True(lateScheduled.IsSet, "the task that spawns during destroy has finished");
            Assert.Equal(3, late.Count);
            Assert.Empty(lateRan);
            Assert.All(late, id => Assert.Equal(1, ledger.Pending.GetValueOrDefault(id)));
            ledger.AssertExactlyOnce();
            Assert.Equal(0, pool.ThreadCount);
        }
    }

    [Fact]
    public void Destroy_from_a_task_while_others_spawn_increase_decrease_and_exit()
    {
        for (var round = 0; round < 40; round++)
        {
            var pool = new ThreadPool(3);
            var ledger = new Ledger();
            using var destroyed = new ManualResetEventSlim();
            var failures = new ConcurrentBag<Exception>();
            pool.TaskFailed += (_, failure) => failures.Add(failure);
            for (var i = 0; i < 60; i++)
            {
                var kind = i % 6;
                ledger.TrySchedule(
                    pool,
                    id =>
                    {
                        Spawning(pool, ledger, id, 2);
                        switch (kind)
                        {
                            case 1:
                                pool.Increase();
                                break;
                            case 2: // every leave is paired with a join, so workers remain to run the destroyer
                                pool.Decrease();
                                pool.Increase();
                                break;
                            case 3:
                                pool.Exit();
                                pool.Increase();
                                break;
                        }
                    }
                );
            }
            ledger.TrySchedule(
                pool,
                id =>
                {
                    ledger.Ran.AddOrUpdate(id, 1, (_, n) => n + 1);
                    pool.Destroy(task =>
                        ledger.Pending.AddOrUpdate((int)task.Context!, 1, (_, n) => n + 1)
                    );
                    destroyed.Set();
                }
            );
            Wait.For(destroyed);
            ledger.AssertExactlyOnce();
            // Only Increase/Decrease racing the destroy may fail, and only with the documented exception.
            Assert.All(failures, failure => Assert.IsType<InvalidOperationException>(failure));
        }
    }

    [Fact]
    public void Schedule_from_outside_threads_racing_destroy()
    {
        const int producerCount = 2;
        const int burst = 5_000; // bounds the drain: a producer this far ahead waits for destroy to return
        for (var round = 0; round < 40; round++)
        {
            var pool = new ThreadPool(2);
            var ledger = new Ledger();
            using var go = new ManualResetEventSlim();
            var accepted = new int[producerCount];
            var refused = new bool[producerCount];
            var acceptedAfterDestroy = new bool[producerCount];
            var destroyReturned = 0;
            // Each producer schedules until it is refused (a schedule that begins after destroy returned must be),
            // pausing after a burst until destroy has returned.
            var producers = Enumerable
                .Range(0, producerCount)
                .Select(p => new Thread(() =>
                {
                    go.Wait(Wait.Limit);
                    while (true)
                    {
                        var afterDestroy = Volatile.Read(ref destroyReturned) == 1;
                        if (
                            !ledger.TrySchedule(
                                pool,
                                id => ledger.Ran.AddOrUpdate(id, 1, (_, n) => n + 1)
                            )
                        )
                        {
                            refused[p] = true;
                            return;
                        }
                        Volatile.Write(ref accepted[p], accepted[p] + 1);
                        if (afterDestroy)
                        {
                            acceptedAfterDestroy[p] = true;
                            return;
                        }
                        if (accepted[p] % burst == 0)
                        {
                            SpinWait.SpinUntil(
                                () => Volatile.Read(ref destroyReturned) == 1,
                                Wait.Limit
                            );
                        }
                    }
                }))
                .ToList();
            producers.ForEach(p => p.Start());
            go.Set();
            // Destroy only once every producer has had work accepted and some of it ran.
            Wait.Until(
                () =>
                    Enumerable
                        .Range(0, producerCount)
                        .All(p => Volatile.Read(ref accepted[p]) >= 20) && !ledger.Ran.IsEmpty,
                "every producer had work accepted and a task ran"
            );
            pool.Destroy(task =>
                ledger.Pending.AddOrUpdate((int)task.Context!, 1, (_, n) => n + 1)
            );
            Volatile.Write(ref destroyReturned, 1);
            producers.ForEach(p => Assert.True(p.Join(Wait.Limit)));
            // The round saw both outcomes on every producer: accepted before destroy, refused after.
            Assert.All(accepted, n => Assert.True(n >= 20));
            Assert.All(
                acceptedAfterDestroy,
                wrong => Assert.False(wrong, "a schedule begun after destroy returned was accepted")
            );
            Assert.All(refused, seen => Assert.True(seen, "a producer was never refused"));
            ledger.AssertExactlyOnce();
        }
    }
}
