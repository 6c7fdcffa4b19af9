using System.Collections.Concurrent;
using Pool.Tests.Pooling;

namespace Pool.Tests.Executors;

public class ExecutorTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sessions_of_one_queue_start_in_submission_order(bool serial)
    {
        // Every session holds its worker until released, so at each settled point the next start is the only
        // one possible: each worker added, and each session released, lets exactly one more session start.
        const int workers = 3;
        const int sessions = 12;
        var executor = new global::Pool.Executor(0);
        var queue = executor.CreateQueue("fifo", serial);
        var starts = new List<int>();
        var gates = Enumerable.Range(0, sessions).Select(_ => new SemaphoreSlim(0)).ToArray();
        for (var i = 0; i < sessions; i++)
        {
            var id = i;
            queue.Submit(() =>
            {
                lock (starts)
                {
                    starts.Add(id);
                }
                Assert.True(gates[id].Wait(Wait.Limit), $"session {id} was never released");
            });
        }
        int Started()
        {
            lock (starts)
            {
                return starts.Count;
            }
        }
        void StartsAre(int count, string after)
        {
            Wait.Until(() => Started() >= count, $"{count} sessions started {after}");
            lock (starts)
            {
                Assert.Equal(Enumerable.Range(0, count), starts);
            }
        }

        // Workers join one at a time: a concurrent queue starts its next session on each (they overlap), a
        // serial one only its first.
        for (var w = 1; w <= workers; w++)
        {
            executor.Increase();
            if (!serial)
            {
                StartsAre(w, $"with {w} workers");
            }
        }
        var running = serial ? 1 : workers;
        StartsAre(running, $"with {workers} workers");
        for (var released = 0; released < sessions; released++)
        {
            gates[released].Release();
            StartsAre(
                Math.Min(sessions, released + 1 + running),
                $"after session {released} returned"
            );
        }
        executor.Destroy();
        Assert.Equal(Enumerable.Range(0, sessions), starts);
    }

    [Fact]
    public void A_serial_queue_never_overlaps_its_sessions()
    {
        var executor = new global::Pool.Executor(4);
        var queue = executor.CreateQueue("serial", serial: true);
        var running = 0;
        var maxRunning = 0;
        var order = new List<int>();
        using var done = new CountdownEvent(300);
        for (var i = 0; i < 300; i++)
        {
            var id = i;
            queue.Submit(() =>
            {
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref maxRunning, now);
                order.Add(id); // safe only because sessions never overlap
                Thread.SpinWait(200);
                Interlocked.Decrement(ref running);
                done.Signal();
            });
        }
        Wait.For(done);
        executor.Destroy();
        Assert.Equal(1, maxRunning);
        Assert.Equal(Enumerable.Range(0, 300), order);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var previous = Interlocked.CompareExchange(ref target, value, seen);
            if (previous == seen)
            {
                return;
            }
            seen = previous;
        }
    }

    [Fact]
    public void Queues_are_served_round_robin()
    {
        // No workers yet: submit everything, then one worker serves the queues' pool tasks in pool order.
        var executor = new global::Pool.Executor(0);
        var busy = executor.CreateQueue("busy");
        var quiet = executor.CreateQueue("quiet");
        var order = new List<string>();
        using var done = new CountdownEvent(4);
        for (var i = 0; i < 3; i++)
        {
            var id = i;
            busy.Submit(() =>
            {
                order.Add($"busy{id}");
                done.Signal();
            });
        }
        quiet.Submit(() =>
        {
            order.Add("quiet");
            done.Signal();
        });
        executor.Increase();
        Wait.For(done);
        executor.Destroy();
        Assert.Equal(["busy0", "quiet", "busy1", "busy2"], order);
    }

    [Fact]
    public void Destroy_cancels_sessions_that_never_started_in_order_and_runs_none()
    {
        var executor = new global::Pool.Executor(0);
        var a = executor.CreateQueue("a");
        var b = executor.CreateQueue("b", serial: true);
        var events = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var id = i;
            a.Submit(() => events.Add($"ran a{id}"), () => events.Add($"cancelled a{id}"));
            b.Submit(() => events.Add($"ran b{id}"), () => events.Add($"cancelled b{id}"));
        }
        executor.Destroy();
        Assert.Equal(
            [
                "cancelled a0",
                "cancelled a1",
                "cancelled a2",
                "cancelled b0",
                "cancelled b1",
                "cancelled b2",
            ],
            events
        );
        Assert.Throws<InvalidOperationException>(() => a.Submit(() => { }));
        Assert.Throws<InvalidOperationException>(() => executor.CreateQueue("late"));
        Assert.Throws<InvalidOperationException>(executor.Destroy);
    }

    [Fact]
    public void Destroy_from_inside_a_serial_session_cancels_the_rest()
    {
        var executor = new global::Pool.Executor(2);
        var queue = executor.CreateQueue("serial", serial: true);
        var events = new ConcurrentQueue<string>();
        using var finished = new ManualResetEventSlim();
        queue.Submit(() =>
        {
            events.Enqueue("first ran");
            executor.Destroy();
            events.Enqueue($"destroy returned in-pool={executor.InPool}");
            finished.Set();
        });
        for (var i = 0; i < 3; i++)
        {
            var id = i;
            queue.Submit(
                () => events.Enqueue($"ran {id}"),
                () => events.Enqueue($"cancelled {id}")
            );
        }
        Wait.For(finished);
        Assert.Equal(
            [
                "first ran",
                "cancelled 0",
                "cancelled 1",
                "cancelled 2",
                "destroy returned in-pool=True",
            ],
            events
        );
    }

    [Fact]
    public void Every_session_runs_or_is_cancelled_exactly_once_when_destroy_races()
    {
        for (var round = 0; round < 30; round++)
        {
            var executor = new global::Pool.Executor(3);
            var queues = Enumerable
                .Range(0, 4)
                .Select(i => executor.CreateQueue($"q{i}", serial: i % 2 == 0))
                .ToList();
            var outcome = new ConcurrentDictionary<int, int>();
            var accepted = new ConcurrentBag<int>();
            var next = 0;
            void Submit(ExecQueue queue, int depth)
            {
                var id = Interlocked.Increment(ref next);
                try
                {
                    queue.Submit(
                        () =>
                        {
                            outcome.AddOrUpdate(id, 1, (_, n) => n + 1);
                            if (depth > 0)
                            {
                                Submit(queues[id % queues.Count], depth - 1);
                            }
                        },
                        () => outcome.AddOrUpdate(id, 1, (_, n) => n + 1)
                    );
                    accepted.Add(id);
                }
                catch (InvalidOperationException) { }
            }
            for (var i = 0; i < 40; i++)
            {
                Submit(queues[i % queues.Count], 3);
            }
            executor.Destroy();
            Assert.All(accepted, id => Assert.Equal(1, outcome.GetValueOrDefault(id)));
            Assert.Equal(accepted.Count, outcome.Count);
        }
    }

    [Fact]
    public void A_failing_session_reaches_the_handler_and_the_queue_goes_on()
    {
        var executor = new global::Pool.Executor(1);
        var queue = executor.CreateQueue("q", serial: true);
        var failures = new ConcurrentQueue<(string, Exception)>();
        executor.SessionFailed += (q, e) => failures.Enqueue((q.Name, e));
        using var after = new ManualResetEventSlim();
        queue.Submit(() => throw new InvalidTimeZoneException());
        queue.Submit(after.Set);
        Wait.For(after);
        executor.Destroy();
        var (name, failure) = Assert.Single(failures);
        Assert.Equal("q", name);
        Assert.IsType<InvalidTimeZoneException>(failure);
    }

    [Fact]
    public void A_failing_session_with_no_handler_is_thrown_by_destroy()
    {
        var executor = new global::Pool.Executor(1);
        var queue = executor.CreateQueue("q");
        using var after = new ManualResetEventSlim();
        queue.Submit(() => throw new InvalidTimeZoneException());
        queue.Submit(after.Set);
        Wait.For(after);
        var thrown = Assert.Throws<AggregateException>(executor.Destroy);
        Assert.IsType<InvalidTimeZoneException>(Assert.Single(thrown.InnerExceptions));
    }
}
