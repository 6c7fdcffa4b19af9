using System.Globalization;

namespace Coyote.MutationReport;

/// <summary>What one engine did to one mutant: killed it (at which iteration, how fast) or not.</summary>
/// <param name="Killed">The scenario failed on the mutant.</param>
/// <param name="Iterations">Iterations run: the killing one, or the whole budget.</param>
/// <param name="Seconds">
/// The search's wall-clock time (<see cref="SearchClock"/>): from just before the engine is called (the explorer's
/// <c>Explorer.Run</c> without minimisation; Coyote's engine creation and run) to the end of the last iteration run
/// (the failing one, for a kill).
/// </param>
/// <param name="Message">The failure, on one line (empty when not killed).</param>
/// <param name="ProcessSeconds">
/// Wall-clock time from the start of the process that ran the search to the end of its last iteration: the runtime's
/// start-up, loading the engine and the product, and the search (what a user running one search waits for).
/// </param>
/// <param name="Unconfirmed">
/// The search found a bug, but the explorer's minimised trace did not replay to the same failure, or had more
/// preemptions than the schedule found: not a kill (<paramref name="Killed"/> is false), though the search did find
/// the bug at <paramref name="Iterations"/>.
/// </param>
internal sealed record KillResult(
    bool Killed,
    int Iterations,
    double Seconds,
    string Message,
    double ProcessSeconds = 0,
    bool Unconfirmed = false
)
{
    private const string Prefix = "KILL-RESULT";

    /// <summary>The one line a <c>kill</c> run prints for the process that started it.</summary>
    internal string ToLine() =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{Prefix}\t{Killed}\t{Iterations}\t{Seconds:F3}\t{ProcessSeconds:F3}\t{Unconfirmed}\t{Message.ReplaceLineEndings(" ")}"
        );

    /// <summary>Reads the line of <see cref="ToLine"/> back from a child's output; null if it printed none.</summary>
    internal static KillResult? FromOutput(string output)
    {
        var line = output
            .Split('\n')
            .Select(l => l.TrimEnd('\r'))
            .LastOrDefault(l => l.StartsWith(Prefix + "\t", StringComparison.Ordinal));
        if (line is null)
        {
            return null;
        }
        var parts = line.Split('\t', 7);
        return new KillResult(
            bool.Parse(parts[1]),
            int.Parse(parts[2], CultureInfo.InvariantCulture),
            double.Parse(parts[3], CultureInfo.InvariantCulture),
            parts[6],
            double.Parse(parts[4], CultureInfo.InvariantCulture),
            bool.Parse(parts[5])
        );
    }

    /// <summary>Seconds from this process's start until now (see <see cref="ProcessSeconds"/>).</summary>
    internal static double SinceProcessStart()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return (DateTime.Now - self.StartTime).TotalSeconds;
    }
}
