using System.Diagnostics;

namespace EchoLoad;

/// <summary>
/// What fib(n) costs a .NET handler in steady state on this machine: warmed up for a second, so that the JIT's
/// optimised code runs (tiered compilation starts in unoptimised code, and moves on only after a quiet spell of the
/// process's compilations, which its own start-up may delay), then timed over three windows of 300 ms, the fastest
/// kept, in wall time and in the process's CPU time. One thread computes, so on an idle machine the wall time is the
/// work's cost; the process's CPU time also counts its other threads, which right after its start (the JIT compiling
/// in the background) add up to half as much again.
/// </summary>
internal static class WorkCost
{
    internal static (double WallUs, double CpuUs, long Calls) Measure(int n)
    {
        RunFor(n, TimeSpan.FromSeconds(1));
        var process = Process.GetCurrentProcess();
        var best = (WallUs: double.MaxValue, CpuUs: 0.0, Calls: 0L);
        for (var window = 0; window < 3; window++)
        {
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            var calls = RunFor(n, TimeSpan.FromMilliseconds(300));
            var wall = watch.Elapsed;
            process.Refresh();
            var cpu = process.TotalProcessorTime - cpuBefore;
            if (wall.TotalMicroseconds / calls < best.WallUs)
            {
                best = (wall.TotalMicroseconds / calls, cpu.TotalMicroseconds / calls, calls);
            }
        }
        return best;
    }

    private static long RunFor(int n, TimeSpan duration)
    {
        var watch = Stopwatch.StartNew();
        long calls = 0;
        while (watch.Elapsed < duration)
        {
            _ = Work.Fibonacci(n);
            calls++;
        }
        return calls;
    }
}
