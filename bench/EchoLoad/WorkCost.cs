using System.Diagnostics;

namespace EchoLoad;

/// <summary>
/// What fib(n) costs a .NET handler in steady state on this machine: warmed up until the JIT's optimised code runs
/// (tiered compilation starts in unoptimised code), then timed over at least the given time, in wall time and in
/// the process's CPU time (one thread busy, so the two agree on an idle machine, and the CPU time is the cost when
/// it is not idle).
/// </summary>
internal static class WorkCost
{
    internal static (double WallUs, double CpuUs, long Calls) Measure(int n)
    {
        RunFor(n, TimeSpan.FromMilliseconds(300));
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var calls = RunFor(n, TimeSpan.FromMilliseconds(500));
        var wall = watch.Elapsed;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        return (wall.TotalMicroseconds / calls, cpu.TotalMicroseconds / calls, calls);
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
