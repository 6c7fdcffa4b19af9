using System.Globalization;

namespace Coyote.MutationReport;

/// <summary>What one engine did to one mutant: killed it (at which iteration, how fast) or not.</summary>
/// <param name="Killed">The scenario failed on the mutant.</param>
/// <param name="Iterations">Iterations run: the killing one, or the whole budget.</param>
/// <param name="Seconds">Wall-clock time of the exploration.</param>
/// <param name="Message">The failure, on one line (empty when not killed).</param>
internal sealed record KillResult(bool Killed, int Iterations, double Seconds, string Message)
{
    private const string Prefix = "KILL-RESULT";

    /// <summary>The one line a <c>kill</c> run prints for the process that started it.</summary>
    internal string ToLine() =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{Prefix}\t{Killed}\t{Iterations}\t{Seconds:F3}\t{Message.ReplaceLineEndings(" ")}"
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
        var parts = line.Split('\t', 5);
        return new KillResult(
            bool.Parse(parts[1]),
            int.Parse(parts[2], CultureInfo.InvariantCulture),
            double.Parse(parts[3], CultureInfo.InvariantCulture),
            parts[4]
        );
    }
}
