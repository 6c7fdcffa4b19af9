namespace EchoLoad;

/// <summary>What one load run measured.</summary>
internal sealed record LoadResult(
    long Messages,
    long Bytes,
    TimeSpan Elapsed,
    long[] SortedLatencyTicks,
    long Errors
)
{
    internal double MessagesPerSecond => Messages / Elapsed.TotalSeconds;

    internal double MegabytesPerSecond => Bytes / Elapsed.TotalSeconds / 1_000_000;

    /// <summary>The latency at quantile <paramref name="q"/> (0..1), in microseconds (nearest rank).</summary>
    internal double Percentile(double q)
    {
        if (SortedLatencyTicks.Length == 0)
        {
            return double.NaN;
        }
        var rank = (int)Math.Ceiling(q * SortedLatencyTicks.Length) - 1;
        var ticks = SortedLatencyTicks[Math.Clamp(rank, 0, SortedLatencyTicks.Length - 1)];
        return ticks * 1_000_000.0 / System.Diagnostics.Stopwatch.Frequency;
    }
}

/// <summary>
/// One server's run of a cell: the load, its CPU per message (us), its system calls (null: not counted) and the
/// part of its CPU per message spent in the work (us; NaN: not sampled).
/// </summary>
internal sealed record Measurement(
    LoadResult Load,
    double Cpu,
    Dictionary<string, long>? Syscalls,
    double WorkCpu
);
