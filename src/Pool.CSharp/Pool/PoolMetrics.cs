using System.Diagnostics.Metrics;
using Pool.Diagnostics;
using Pool.Threading;

namespace Pool;

/// <summary>
/// The thread pool's instruments on a meter named <see cref="MeterName"/>, one set per meter, reporting every live pool
/// of that meter with the tag <c>pool.thread_pool.name</c>. Names follow the runtime's <c>dotnet.thread_pool.*</c>.
/// </summary>
internal sealed class PoolMetrics
{
    /// <summary>The meter's name (what <c>dotnet-counters monitor --counters</c> takes).</summary>
    public const string MeterName = "Pool.ThreadPool";

    private const string NameTag = "pool.thread_pool.name";
    private static readonly MeterCatalog<PoolMetrics> s_catalog = new(
        MeterName,
        (meter, publication) => new PoolMetrics(meter, publication)
    );
    private static long s_unnamed;

    private readonly ObservedInstances<PoolCounts> _pools = new();

    private PoolMetrics(Meter meter, InstrumentPublication publication)
    {
        publication.Publish(() =>
            meter.CreateObservableCounter(
                "pool.thread_pool.tasks.scheduled",
                () => _pools.Measure(p => p.Scheduled),
                "{task}",
                "Tasks accepted by Schedule."
            )
        );
        publication.Publish(() =>
            meter.CreateObservableCounter(
                "pool.thread_pool.tasks.started",
                () => _pools.Measure(p => p.Started),
                "{task}",
                "Tasks a worker took from the queue and ran."
            )
        );
        publication.Publish(() =>
            meter.CreateObservableCounter(
                "pool.thread_pool.tasks.failed",
                () => _pools.Measure(p => p.Failed),
                "{task}",
                "Tasks that threw."
            )
        );
        publication.Publish(() =>
            meter.CreateObservableCounter(
                "pool.thread_pool.tasks.drained",
                () => _pools.Measure(p => p.Drained),
                "{task}",
                "Tasks that never ran, handed to Destroy's pending callback."
            )
        );
        publication.Publish(() =>
            meter.CreateObservableUpDownCounter(
                "pool.thread_pool.queue.length",
                () => _pools.Measure(p => p.Waiting),
                "{task}",
                "Tasks scheduled and not yet started or drained."
            )
        );
        publication.Publish(() =>
            meter.CreateObservableUpDownCounter(
                "pool.thread_pool.thread.count",
                () => _pools.Measure(p => p.Threads),
                "{thread}",
                "Worker threads of the pool."
            )
        );
    }

    /// <summary>Only pools on the operating system's threads are measured (see <see cref="TelemetryOptions"/>).</summary>
    public static bool Measures(IThreading threading) =>
        ReferenceEquals(threading, OsThreading.Instance);

    /// <summary>
    /// Reports <paramref name="counts"/> on the meter of <paramref name="telemetry"/> (see <see cref="TelemetryOptions"/>),
    /// unless they are not <see cref="PoolCounts.Measured"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">A metrics listener threw while the instruments were published.</exception>
    public static void Observe(PoolCounts counts, TelemetryOptions? telemetry)
    {
        if (!counts.Measured)
        {
            return;
        }
        var name = telemetry?.Name ?? $"pool-{Interlocked.Increment(ref s_unnamed)}";
        s_catalog.For(telemetry)._pools.Add(counts, [new(NameTag, name)]);
    }
}
