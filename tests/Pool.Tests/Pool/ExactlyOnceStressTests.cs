using System.Collections.Concurrent;

namespace Pool.Tests.Pool;

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

        public bool TrySchedule(ThreadPool pool, Action<int> body)
        {
            var id = Interlocked.Increment(ref _nextId);
            try
            {
                pool.Schedule(new PoolTask(_ => body(id), id));
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
            pool.Destroy(task =>
                ledger.Pending.AddOrUpdate((int)task.Context!, 1, (_, n) => n + 1)
            );
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
        for (var round = 0; round < 40; round++)
        {
            var pool = new ThreadPool(2);
            var ledger = new Ledger();
            using var go = new ManualResetEventSlim();
            var producers = Enumerable
                .Range(0, 2)
                .Select(_ => new Thread(() =>
                {
                    go.Wait();
                    for (var i = 0; i < 500; i++)
                    {
                        if (
                            !ledger.TrySchedule(
                                pool,
                                id => ledger.Ran.AddOrUpdate(id, 1, (_, n) => n + 1)
                            )
                        )
                        {
                            return;
                        }
                    }
                }))
                .ToList();
            producers.ForEach(p => p.Start());
            go.Set();
            pool.Destroy(task =>
                ledger.Pending.AddOrUpdate((int)task.Context!, 1, (_, n) => n + 1)
            );
            producers.ForEach(p => Assert.True(p.Join(Wait.Limit)));
            ledger.AssertExactlyOnce();
        }
    }
}
