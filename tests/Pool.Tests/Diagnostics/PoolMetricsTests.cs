using Pool.Tests.Pooling;

namespace Pool.Tests.Diagnostics;

/// <summary>The thread pool's instruments (meter Pool.ThreadPool) against what the test made the pool do.</summary>
public sealed class PoolMetricsTests
{
    private const string Meter = "Pool.ThreadPool";

    private static long Read(Telemetry telemetry, string instrument, string pool) =>
        telemetry.Read(Meter, instrument, ("pool.thread_pool.name", pool))
        ?? throw new Xunit.Sdk.XunitException($"{instrument} of {pool} was not reported");

    [Fact]
    public void ScheduledStartedWaitingAndThreadsFollowThePool()
    {
        using var telemetry = new Telemetry("busy");
        var pool = new ThreadPool(2, telemetry: telemetry.Options);
        using var gate = new ManualResetEventSlim();
        using var running = new CountdownEvent(2);
        using var finished = new CountdownEvent(10);
        var began = 0;
        for (var i = 0; i < 10; i++)
        {
            pool.Schedule(() =>
            {
                if (Interlocked.Increment(ref began) <= 2)
                {
                    running.Signal();
                }
                gate.Wait();
                finished.Signal();
            });
        }
        // Only two workers: two tasks run (blocked on the gate), eight wait.
        Wait.For(running);
        Assert.Equal(10, Read(telemetry, "pool.thread_pool.tasks.scheduled", "busy"));
        Assert.Equal(2, Read(telemetry, "pool.thread_pool.tasks.started", "busy"));
        Assert.Equal(8, Read(telemetry, "pool.thread_pool.queue.length", "busy"));
        Assert.Equal(2, Read(telemetry, "pool.thread_pool.thread.count", "busy"));

        gate.Set();
        Wait.For(finished);
        Assert.Equal(10, Read(telemetry, "pool.thread_pool.tasks.started", "busy"));
        Assert.Equal(0, Read(telemetry, "pool.thread_pool.queue.length", "busy"));
        Assert.Equal(0, Read(telemetry, "pool.thread_pool.tasks.failed", "busy"));

        pool.Increase();
        Assert.Equal(3, Read(telemetry, "pool.thread_pool.thread.count", "busy"));
        pool.Destroy();
        Assert.Equal(0, Read(telemetry, "pool.thread_pool.thread.count", "busy"));
        Assert.Equal(10, Read(telemetry, "pool.thread_pool.tasks.started", "busy"));
    }

    [Fact]
    public async Task FailedAndDrainedTasksAreCounted()
    {
        using var telemetry = new Telemetry("failing");
        var pool = new ThreadPool(1, telemetry: telemetry.Options);
        using var failed = new ManualResetEventSlim();
        pool.TaskFailed += (_, _) => failed.Set();
        pool.Schedule(() => throw new InvalidOperationException("planted"));
        Wait.For(failed);
        Assert.Equal(1, Read(telemetry, "pool.thread_pool.tasks.failed", "failing"));

        // Three tasks behind a blocked one never run: Destroy hands them to pending.
        using var gate = new ManualResetEventSlim();
        using var blocked = new ManualResetEventSlim();
        pool.Schedule(() =>
        {
            blocked.Set();
            gate.Wait();
        });
        Wait.For(blocked);
        for (var i = 0; i < 3; i++)
        {
            pool.Schedule(() => { });
        }
        var destroyer = Task.Run(() => pool.Destroy(_ => { }));
        gate.Set();
        await destroyer.WaitAsync(Wait.Limit);
        var drained = Read(telemetry, "pool.thread_pool.tasks.drained", "failing");
        var started = Read(telemetry, "pool.thread_pool.tasks.started", "failing");
        // Each of the five tasks either started or was drained (the worker may take some before Destroy closes).
        Assert.Equal(5, started + drained);
        Assert.Equal(5, Read(telemetry, "pool.thread_pool.tasks.scheduled", "failing"));
        Assert.Equal(0, Read(telemetry, "pool.thread_pool.queue.length", "failing"));
    }

    [Fact]
    public void APoolWithoutWorkersDrainsEverythingAtDestroy()
    {
        using var telemetry = new Telemetry("idle");
        var pool = new ThreadPool(0, telemetry: telemetry.Options);
        for (var i = 0; i < 4; i++)
        {
            pool.Schedule(() => { });
        }
        Assert.Equal(4, Read(telemetry, "pool.thread_pool.queue.length", "idle"));
        var handed = 0;
        pool.Destroy(_ => handed++);
        Assert.Equal(4, handed);
        Assert.Equal(4, Read(telemetry, "pool.thread_pool.tasks.drained", "idle"));
        Assert.Equal(0, Read(telemetry, "pool.thread_pool.tasks.started", "idle"));
        Assert.Equal(0, Read(telemetry, "pool.thread_pool.queue.length", "idle"));
    }

    [Fact]
    public void PoolsOfOneMeterAreToldApartByName()
    {
        using var telemetry = new Telemetry();
        var first = new ThreadPool(1, telemetry: telemetry.Options with { Name = "first" });
        var second = new ThreadPool(1, telemetry: telemetry.Options with { Name = "second" });
        first.Schedule(() => { });
        first.Schedule(() => { });
        second.Schedule(() => { });
        Assert.Equal(2, Read(telemetry, "pool.thread_pool.tasks.scheduled", "first"));
        Assert.Equal(1, Read(telemetry, "pool.thread_pool.tasks.scheduled", "second"));
        first.Destroy();
        second.Destroy();

        // Unnamed pools get a name of their own each ("pool-N"), so their series never merge.
        var unnamed = new[]
        {
            new ThreadPool(0, telemetry: telemetry.Options),
            new ThreadPool(0, telemetry: telemetry.Options),
        };
        var names = telemetry
            .Series(Meter, "pool.thread_pool.thread.count")
            .Select(s => s.Tags)
            .ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal(
            2,
            names.Count(n =>
                System.Text.RegularExpressions.Regex.IsMatch(
                    n,
                    "^pool.thread_pool.name=pool-[0-9]+$"
                )
            )
        );
        GC.KeepAlive(first);
        GC.KeepAlive(second);
        Array.ForEach(unnamed, p => p.Destroy());
    }

    [Fact]
    public void AnExecutorReportsThroughItsPool()
    {
        using var telemetry = new Telemetry("executor");
        var executor = new global::Pool.Executor(1, telemetry: telemetry.Options);
        var queue = executor.CreateQueue("q", serial: true);
        using var done = new CountdownEvent(3);
        for (var i = 0; i < 3; i++)
        {
            queue.Submit(() => done.Signal());
        }
        Wait.For(done);
        Assert.True(Read(telemetry, "pool.thread_pool.tasks.started", "executor") >= 3);
        Assert.Equal(1, Read(telemetry, "pool.thread_pool.thread.count", "executor"));
        executor.Destroy();
    }

    [Fact]
    public void APoolOnAnotherThreadingIsNotMeasured()
    {
        // Reading a controlled scheduler's state from the listener's thread would be a step it does not know of:
        // only pools on the operating system's threads are measured.
        using var telemetry = new Telemetry("controlled");
        var pool = new ThreadPool(
            1,
            threading: new FailingThreading(failOnStart: 0),
            telemetry: telemetry.Options
        );
        pool.Schedule(() => { });
        Assert.Null(
            telemetry.Read(
                Meter,
                "pool.thread_pool.tasks.scheduled",
                ("pool.thread_pool.name", "controlled")
            )
        );
        pool.Destroy();
    }
}
