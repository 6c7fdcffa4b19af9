using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Pool.Diagnostics;

namespace Pool.Tests.Diagnostics;

/// <summary>
/// A meter factory and a log collector of one test: components given <see cref="Options"/> report only here, so tests
/// that run at the same time never see each other's measurements or logs.
/// </summary>
internal sealed class Telemetry : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection()
        .AddMetrics()
        .BuildServiceProvider();
    private readonly List<IDisposable> _collectors = [];

    public Telemetry(string? name = null)
    {
        Logs = new FakeLoggerProvider();
        LoggerFactory = new LoggerFactory([Logs]);
        Options = new TelemetryOptions
        {
            MeterFactory = MeterFactory,
            LoggerFactory = LoggerFactory,
            Name = name,
        };
    }

    public IMeterFactory MeterFactory => _services.GetRequiredService<IMeterFactory>();

    public ILoggerFactory LoggerFactory { get; }

    public FakeLoggerProvider Logs { get; }

    public TelemetryOptions Options { get; }

    /// <summary>The log records so far.</summary>
    public IReadOnlyList<FakeLogRecord> Records => Logs.Collector.GetSnapshot();

    /// <summary>
    /// Collects the observable instruments now and returns the value of <paramref name="instrument"/> of meter
    /// <paramref name="meter"/> whose tags include <paramref name="tags"/> (null: no such series was reported).
    /// </summary>
    public long? Read(string meter, string instrument, params (string Key, object? Value)[] tags)
    {
        var collector = new MetricCollector<long>(MeterFactory, meter, instrument);
        _collectors.Add(collector);
        collector.RecordObservableInstruments();
        var matching = collector
            .GetMeasurementSnapshot()
            .Where(m => tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && Equals(v, t.Value)))
            .ToList();
        return matching.Count == 0 ? null : matching[^1].Value;
    }

    /// <summary>Every series of <paramref name="instrument"/> collected now: tags (as "key=value" sorted) and values.</summary>
    public IReadOnlyList<(string Tags, long Value)> Series(string meter, string instrument)
    {
        var collector = new MetricCollector<long>(MeterFactory, meter, instrument);
        _collectors.Add(collector);
        collector.RecordObservableInstruments();
        return
        [
            .. collector
                .GetMeasurementSnapshot()
                .Select(m =>
                    (
                        string.Join(
                            ",",
                            m.Tags.OrderBy(t => t.Key).Select(t => $"{t.Key}={t.Value}")
                        ),
                        m.Value
                    )
                ),
        ];
    }

    public void Dispose()
    {
        _collectors.ForEach(c => c.Dispose());
        LoggerFactory.Dispose();
        _services.Dispose();
    }
}
