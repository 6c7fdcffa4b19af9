using System.Diagnostics.Metrics;
using Pool.Diagnostics;
using Pool.Threading;

namespace Pool.Reactor;

/// <summary>
/// The event loop's instruments on a meter named <see cref="MeterName"/>, one set per meter, reporting every live loop of
/// that meter with the tag <c>pool.event_loop.name</c>.
/// </summary>
internal sealed class LoopMetrics
{
    /// <summary>The meter's name (what <c>dotnet-counters monitor --counters</c> takes).</summary>
    public const string MeterName = "Pool.EventLoop";

    internal const string NameTag = "pool.event_loop.name";
    private static readonly MeterCatalog<LoopMetrics> s_catalog = new(
        MeterName,
        (meter, publication) => new LoopMetrics(meter, publication)
    );
    private static long s_unnamed;

    private readonly ObservedInstances<LoopCounts> _loops = new();

    private LoopMetrics(Meter meter, InstrumentPublication publication)
    {
        publication.Publish(() =>
            meter.CreateObservableCounter(
                "pool.event_loop.iterations",
                () => _loops.Measure(l => l.Iterations),
                "{iteration}",
                "Rounds of the loop: a wait for readiness or a deadline, then events, timers and functors."
            )
        );
        publication.Publish(() =>
            meter.CreateObservableCounter(
                "pool.event_loop.functors",
                () => _loops.Measure(l => l.Functors),
                "{functor}",
                "Functors queued from other threads (or from functors) that the loop ran."
            )
        );
        publication.Publish(() =>
            meter.CreateObservableCounter(
                "pool.event_loop.timers.fired",
                () => _loops.Measure(l => l.TimersFired),
                "{timer}",
                "Timer callbacks the loop ran."
            )
        );
        publication.Publish(() =>
            meter.CreateObservableCounter(
                "pool.event_loop.wakeups",
                () => _loops.Measure(l => l.WakeUps),
                "{wakeup}",
                "Eventfd writes that woke the loop (queue calls between two rounds share one)."
            )
        );
    }

    /// <summary>
    /// Reports <paramref name="counts"/> (see <see cref="TelemetryOptions"/>); a loop on a controlled threading is not
    /// reported. Returns the loop's name in the measurements, or null when it is not reported.
    /// </summary>
    /// <exception cref="InvalidOperationException">A metrics listener threw while the instruments were published.</exception>
    public static string? Observe(
        LoopCounts counts,
        TelemetryOptions? telemetry,
        IThreading threading
    )
    {
        if (!ReferenceEquals(threading, OsThreading.Instance))
        {
            return null;
        }
        var name = telemetry?.Name ?? $"loop-{Interlocked.Increment(ref s_unnamed)}";
        s_catalog.For(telemetry)._loops.Add(counts, [new(NameTag, name)]);
        return name;
    }
}
