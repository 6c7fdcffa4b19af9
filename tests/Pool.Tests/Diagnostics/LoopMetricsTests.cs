using Pool.Reactor;
using Pool.Tests.Pooling;

namespace Pool.Tests.Diagnostics;

/// <summary>The event loop's instruments (meter Pool.EventLoop).</summary>
public sealed class LoopMetricsTests
{
    private const string Meter = "Pool.EventLoop";

    private static long Read(Telemetry telemetry, string instrument) =>
        telemetry.Read(Meter, instrument, ("pool.event_loop.name", "loop-under-test"))
        ?? throw new Xunit.Sdk.XunitException($"{instrument} was not reported");

    [Fact]
    public void FunctorsTimersWakeUpsAndRoundsAreCounted()
    {
        using var telemetry = new Telemetry("loop-under-test");
        var loop = new EventLoop(telemetry: telemetry.Options);
        Assert.Equal(0, Read(telemetry, "pool.event_loop.iterations"));
        var thread = new Thread(loop.Run) { IsBackground = true };
        thread.Start();

        using var ran = new CountdownEvent(5);
        for (var i = 0; i < 5; i++)
        {
            loop.QueueInLoop(() => ran.Signal());
        }
        Wait.For(ran);
        Assert.True(Read(telemetry, "pool.event_loop.functors") >= 5);
        Assert.True(
            Read(telemetry, "pool.event_loop.wakeups") >= 1,
            "queueing from another thread wakes the loop"
        );
        Assert.True(Read(telemetry, "pool.event_loop.iterations") >= 1);

        using var fired = new CountdownEvent(2);
        loop.RunAfter(TimeSpan.Zero, () => fired.Signal());
        loop.RunAfter(TimeSpan.FromMilliseconds(1), () => fired.Signal());
        Wait.For(fired);
        // The loop counts a round's fired timers after their callbacks return.
        Wait.Until(
            () => Read(telemetry, "pool.event_loop.timers.fired") == 2,
            "both timers counted as fired"
        );
        Assert.Equal(2, Read(telemetry, "pool.event_loop.timers.fired"));

        // Each round is counted: a functor queued by a functor runs in the next round.
        var before = Read(telemetry, "pool.event_loop.iterations");
        using var second = new ManualResetEventSlim();
        loop.QueueInLoop(() => loop.QueueInLoop(second.Set));
        Wait.For(second);
        Assert.True(Read(telemetry, "pool.event_loop.iterations") >= before + 1);

        loop.Quit();
        Assert.True(thread.Join(Wait.Limit));
        loop.Dispose();
    }
}
