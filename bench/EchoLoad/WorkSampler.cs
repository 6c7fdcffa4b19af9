using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace EchoLoad;

/// <summary>
/// Measures the share of a server process's CPU time spent in the work itself (fib), under load, by sampling the
/// process with <c>perf record</c> while a load runs (a CPU-clock sample about every millisecond on each running
/// thread) and counting the samples whose symbol is the work's (<c>fib</c> in the native server, <c>Fibonacci</c> in
/// the .NET ones, which must run with <c>DOTNET_PerfMapEnabled=1</c> and <c>DOTNET_EnableWriteXorExecute=0</c> so that
/// perf can name their compiled code). No change to the servers, but sampling costs them messages/s: take nothing
/// else from a sampled run. Where perf is missing or not permitted, <see cref="Start"/> returns null.
/// </summary>
internal sealed partial class WorkSampler
{
    private readonly Process _perf;
    private readonly string _output;

    private WorkSampler(Process perf, string output)
    {
        _perf = perf;
        _output = output;
    }

    internal static WorkSampler? Start(int pid)
    {
        var output = Path.GetTempFileName();
        try
        {
            var perf = Run(
                "record",
                "--quiet",
                "-F",
                "999",
                "-e",
                "cpu-clock",
                "-o",
                output,
                "-p",
                pid.ToString(CultureInfo.InvariantCulture)
            );
            Thread.Sleep(200); // perf attaches before the load starts
            return perf.HasExited ? null : new WorkSampler(perf, output);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // perf is not installed
        }
    }

    /// <summary>
    /// Stops perf and returns the share (0 to 1) of the process's samples that fell in the work, or NaN when perf
    /// recorded nothing.
    /// </summary>
    internal double Stop()
    {
        Process
            .Start("kill", ["-INT", _perf.Id.ToString(CultureInfo.InvariantCulture)])!
            .WaitForExit();
        _perf.WaitForExit(10_000);
        _perf.Dispose();
        using var report = Run(
            "report",
            "-i",
            _output,
            "--stdio",
            "--no-children",
            "--sort",
            "sym",
            "--percent-limit",
            "0",
            "-q"
        );
        var text = report.StandardOutput.ReadToEnd();
        report.WaitForExit();
        File.Delete(_output);
        return WorkShare(text);
    }

    /// <summary>
    /// The share (0 to 1) of the samples in a <c>perf report --sort sym</c> listing whose symbol is the work's, or
    /// NaN when the listing has no samples.
    /// </summary>
    internal static double WorkShare(string report)
    {
        double total = 0,
            work = 0;
        foreach (Match line in SampleLine().Matches(report))
        {
            var share = double.Parse(line.Groups[1].Value, CultureInfo.InvariantCulture);
            total += share;
            if (WorkSymbol().IsMatch(line.Groups[2].Value))
            {
                work += share;
            }
        }
        return total > 0 ? work / total : double.NaN;
    }

    // perf with its diagnostics drained (a full pipe would stop it), and its output kept for the caller to read
    private static Process Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("perf")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        var perf = Process.Start(start)!;
        perf.ErrorDataReceived += (_, _) => { };
        perf.BeginErrorReadLine();
        return perf;
    }

    // "    45.23%  [.] fib" : a symbol's share of the samples
    [GeneratedRegex(@"^\s*([0-9.]+)%\s+\[.\]\s+(.*)$", RegexOptions.Multiline)]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"^fib$|Fibonacci")]
    private static partial Regex WorkSymbol();
}
