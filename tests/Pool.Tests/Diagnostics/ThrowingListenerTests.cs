using System.Diagnostics.Metrics;
using Pool.Reactor;
using Pool.Tests.Pooling;
using Pool.Tests.Reactor;

namespace Pool.Tests.Diagnostics;

/// <summary>
/// Listeners that throw. One whose <c>InstrumentPublished</c> throws fails the first component created on that meter
/// with a clear error before it starts anything; one whose measurement callback throws throws on its own collecting
/// thread, and the loop and the workers go on (every instrument is observable: nothing is recorded on their threads).
/// </summary>
public sealed class ThrowingListenerTests
{
    /// <summary>A listener of the test's meter factory only (other tests' components are not disturbed).</summary>
    private static MeterListener Listen(
        Telemetry telemetry,
        bool throwOnPublish,
        bool throwOnMeasurement
    )
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, self) =>
            {
                if (instrument.Meter.Scope != telemetry.MeterFactory)
                {
                    return;
                }
                if (throwOnPublish)
                {
                    throw new InvalidOperationException(
                        "planted: the listener cannot take " + instrument.Name
                    );
                }
                self.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>(
            (instrument, value, tags, state) =>
            {
                if (throwOnMeasurement)
                {
                    throw new InvalidOperationException(
                        "planted: the listener fails on " + instrument.Name
                    );
                }
            }
        );
        listener.Start();
        return listener;
    }

    [Fact]
    public void APublishingFailureIsAClearErrorOfTheFirstPoolAndStartsNothing()
    {
        using var telemetry = new Telemetry("p");
        using (Listen(telemetry, throwOnPublish: true, throwOnMeasurement: false))
        {
            var failure = Assert.Throws<InvalidOperationException>(() =>
                new ThreadPool(2, telemetry: telemetry.Options)
            );
            Assert.Contains("A metrics listener threw", failure.Message);
            Assert.Contains("'Pool.ThreadPool'", failure.Message);
            Assert.Contains("planted", failure.Message);
            Assert.Contains("Nothing was started", failure.Message);
        }
        // The instruments exist: the next pool starts and runs, and is measured.
        var pool = new ThreadPool(1, telemetry: telemetry.Options);
        using var ran = new ManualResetEventSlim();
        pool.Schedule(ran.Set);
        Wait.For(ran);
        pool.Destroy();
        Assert.Equal(
            1,
            telemetry.Read(
                "Pool.ThreadPool",
                "pool.thread_pool.tasks.started",
                ("pool.thread_pool.name", "p")
            )
        );
    }

    [Fact]
    public void APublishingFailureFailsTheLoopAndTheServerBeforeTheyOpenAnything()
    {
        using var telemetry = new Telemetry();
        using (Listen(telemetry, throwOnPublish: true, throwOnMeasurement: false))
        {
            var loopFailure = Assert.Throws<InvalidOperationException>(() =>
                new EventLoop(telemetry: telemetry.Options)
            );
            Assert.Contains("'Pool.EventLoop'", loopFailure.Message);

            using var loop = new EventLoop(); // on the shared meter: not this listener's
            var serverFailure = Assert.Throws<InvalidOperationException>(() =>
                new TcpServer(loop, RunningLoop.Echo, telemetry: telemetry.Options)
            );
            Assert.Contains("'Pool.TcpServer'", serverFailure.Message);
        }
    }

    [Fact]
    public void AMeasurementFailureStaysOnTheListenersThread()
    {
        using var telemetry = new Telemetry();
        using var running = new RunningLoop(new EventLoop(telemetry: telemetry.Options));
        var server = running.StartServer(RunningLoop.Echo);
        var pool = new ThreadPool(2, telemetry: telemetry.Options);
        using var listener = Listen(telemetry, throwOnPublish: false, throwOnMeasurement: true);
        var client = running.Connect(server);

        for (var round = 0; round < 3; round++)
        {
            var collect = Assert.Throws<AggregateException>(listener.RecordObservableInstruments);
            Assert.All(collect.InnerExceptions, e => Assert.Contains("planted", e.Message));

            // The loop still serves, the workers still run.
            client.Send([(byte)round]);
            Assert.Equal(round, RunningLoop.ReceiveExactly(client, 1)[0]);
            using var ran = new ManualResetEventSlim();
            pool.Schedule(ran.Set);
            Wait.For(ran);
        }
        Assert.Equal(0, server.Errors);
        pool.Destroy();
    }
}
