using System.Diagnostics.Metrics;

namespace Pool.Diagnostics;

/// <summary>
/// The live instances that one meter's observable instruments report on, each with the tags that tell it apart.
/// Instances are held weakly: one that nobody references any more stops being reported and is forgotten, so a process
/// that creates many pools or servers does not keep them alive through their metrics. Thread-safe.
/// </summary>
internal sealed class ObservedInstances<T>
    where T : class
{
    private const int FirstSweep = 16;
    private readonly Lock _lock = new();
    private readonly List<(
        WeakReference<T> Instance,
        KeyValuePair<string, object?>[] Tags
    )> _entries = []; // guarded by _lock
    private int _sweepAt = FirstSweep; // guarded by _lock

    /// <summary>Reports <paramref name="instance"/> from now on, with <paramref name="tags"/> on each of its measurements.</summary>
    public void Add(T instance, KeyValuePair<string, object?>[] tags)
    {
        lock (_lock)
        {
            if (_entries.Count >= _sweepAt)
            {
                // Entries of collected instances go here too, not only when measured: nobody may ever listen.
                _entries.RemoveAll(entry => !entry.Instance.TryGetTarget(out _));
                _sweepAt = Math.Max(FirstSweep, 2 * _entries.Count);
            }
            _entries.Add((new WeakReference<T>(instance), tags));
        }
    }

    /// <summary>One measurement per live instance: the value <paramref name="read"/> returns for it.</summary>
    public List<Measurement<long>> Measure(Func<T, long> read)
    {
        var measurements = new List<Measurement<long>>();
        foreach (var (instance, tags) in Live())
        {
            measurements.Add(new Measurement<long>(read(instance), tags));
        }
        return measurements;
    }

    /// <summary>Several measurements per live instance (one per reason or direction, say): <paramref name="observe"/> adds them.</summary>
    public List<Measurement<long>> Measure(
        Action<T, KeyValuePair<string, object?>[], List<Measurement<long>>> observe
    )
    {
        var measurements = new List<Measurement<long>>();
        foreach (var (instance, tags) in Live())
        {
            observe(instance, tags, measurements);
        }
        return measurements;
    }

    /// <summary>The instance's tags followed by one more.</summary>
    public static KeyValuePair<string, object?>[] With(
        KeyValuePair<string, object?>[] tags,
        string key,
        object? value
    ) => [.. tags, new(key, value)];

    private List<(T Instance, KeyValuePair<string, object?>[] Tags)> Live()
    {
        var live = new List<(T, KeyValuePair<string, object?>[])>();
        lock (_lock)
        {
            foreach (var (reference, tags) in _entries)
            {
                if (reference.TryGetTarget(out var instance))
                {
                    live.Add((instance, tags));
                }
            }
        }
        return live;
    }
}
