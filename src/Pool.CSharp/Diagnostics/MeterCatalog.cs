using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace Pool.Diagnostics;

/// <summary>
/// The instruments of one component kind on each meter of that kind's name: the process's shared meter, or a meter of
/// an <see cref="IMeterFactory"/>. Instruments are created once per meter, when the first component that reports to
/// it is created, and read every instance registered with them (<see cref="ObservedInstances{T}"/>).
/// </summary>
/// <typeparam name="TInstruments">The kind's instruments (PoolMetrics, LoopMetrics, ServerMetrics).</typeparam>
internal sealed class MeterCatalog<TInstruments>
    where TInstruments : class
{
    private static readonly string? s_version = typeof(MeterCatalog<>)
        .Assembly.GetName()
        .Version?.ToString();

    private readonly string _meterName;
    private readonly Func<Meter, InstrumentPublication, TInstruments> _create;
    private readonly Lazy<Meter> _shared;
    private readonly Lock _lock = new();
    private readonly ConditionalWeakTable<Meter, TInstruments> _byMeter = []; // written under _lock

    public MeterCatalog(string meterName, Func<Meter, InstrumentPublication, TInstruments> create)
    {
        _meterName = meterName;
        _create = create;
        _shared = new Lazy<Meter>(() => new Meter(meterName, s_version));
    }

    /// <summary>
    /// The instruments on the meter of <paramref name="telemetry"/>'s factory (or the shared meter), created now if
    /// this is the meter's first component.
    /// </summary>
    /// <exception cref="InvalidOperationException">A <see cref="MeterListener"/> threw while the instruments were
    /// published to it (its <c>InstrumentPublished</c> callback). The instruments exist all the same, so only the first
    /// component to publish them fails; it has started nothing.</exception>
    public TInstruments For(TelemetryOptions? telemetry)
    {
        var meter =
            telemetry?.MeterFactory?.Create(new MeterOptions(_meterName) { Version = s_version })
            ?? _shared.Value;
        List<Exception>? failures;
        TInstruments instruments;
        lock (_lock)
        {
            if (_byMeter.TryGetValue(meter, out var existing))
            {
                return existing;
            }
            var publication = new InstrumentPublication();
            instruments = _create(meter, publication);
            _byMeter.Add(meter, instruments);
            failures = publication.Failures;
        }
        if (failures is not null)
        {
            throw new InvalidOperationException(
                $"A metrics listener threw while the instruments of meter '{_meterName}' were published to it "
                    + $"({failures.Count} of them): {failures[0].Message} Nothing was started; the instruments exist, "
                    + "so the next component succeeds, but that listener did not take them. Fix the listener.",
                failures.Count == 1 ? failures[0] : new AggregateException(failures)
            );
        }
        return instruments;
    }
}
