using System.Globalization;

namespace Coyote.MutationReport;

/// <summary>One engine on one mutant in the table: its runs (one per seed; one for <c>dpor</c>), or why it was not run.</summary>
/// <param name="Runs">Every run's result.</param>
/// <param name="Kills">
/// The runs whose search found the bug the mutant's catalogue entry names (the explorer's too when its minimised trace
/// then ended otherwise: see <see cref="Unconfirmed"/>).
/// </param>
/// <param name="NotRun">Why the engine was not run on the mutant (then there are no runs), or null.</param>
/// <param name="Error">Why the engine could not run the mutant (a failed run, a build that failed), or null.</param>
internal sealed record EngineCell(
    IReadOnlyList<KillResult> Runs,
    IReadOnlyList<KillResult> Kills,
    string? NotRun = null,
    string? Error = null
)
{
    internal static EngineCell Skipped(string reason) => new([], [], NotRun: reason);

    internal static EngineCell Failed(string error) => new([], [], Error: error);

    /// <summary>
    /// The cell of <paramref name="runs"/>: its kills are the runs that found a bug (confirmed or not) that
    /// <paramref name="isTheMutantsBug"/> accepts.
    /// </summary>
    internal static EngineCell Of(
        IReadOnlyList<KillResult> runs,
        Func<string, bool> isTheMutantsBug
    ) => new(runs, [.. runs.Where(r => (r.Killed || r.Unconfirmed) && isTheMutantsBug(r.Message))]);

    /// <summary>Killed by at least one run.</summary>
    internal bool Killed => Kills.Count > 0;

    /// <summary>Runs that found another bug than the mutant's.</summary>
    internal int OtherBugs => Runs.Count(r => r.Killed || r.Unconfirmed) - Kills.Count;

    /// <summary>
    /// Kills whose minimised trace did not replay to the same failure (or added preemptions): the search found the
    /// mutant's bug, but the CI check (<c>MutantTests</c>) would not count it.
    /// </summary>
    internal int Unconfirmed => Kills.Count(k => k.Unconfirmed);

    internal double MedianIterations => TableRow.Median(Kills.Select(k => (double)k.Iterations));

    internal double MedianSeconds => TableRow.Median(Kills.Select(k => k.Seconds));

    internal double MedianProcessSeconds => TableRow.Median(Kills.Select(k => k.ProcessSeconds));
}

/// <summary>One mutant's row of the time-to-the-first-bug table.</summary>
/// <param name="Mutant">The mutant.</param>
/// <param name="Scenario">The killing scenario of both sampling engines.</param>
/// <param name="Explorer">The explorer's portfolio, seeds 1..N.</param>
/// <param name="Coyote">Coyote's default portfolio, seeds 1..N.</param>
/// <param name="Dpor">The bounded proof's search, or why there is none.</param>
/// <param name="DporConfiguration">The configuration <c>dpor</c> explores and its bound (<c>k=2</c>), or null.</param>
/// <param name="Fact">The F# fact's verdict ("killed", "NOT killed"), or null: the mutant has none.</param>
/// <param name="Note">What the catalogue says about the row (the CI's expectations), or null.</param>
internal sealed record TableRow(
    string Mutant,
    string Scenario,
    EngineCell Explorer,
    EngineCell Coyote,
    EngineCell Dpor,
    string? DporConfiguration,
    string? Fact,
    string? Note
)
{
    /// <summary>
    /// The median: the middle value, or the mean of the two middle values of an even count; NaN for none.
    /// </summary>
    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count switch
        {
            0 => double.NaN,
            var n when n % 2 == 1 => sorted[n / 2],
            var n => (sorted[(n / 2) - 1] + sorted[n / 2]) / 2,
        };
    }

    /// <summary>The header of <see cref="ToMarkdown"/>'s table.</summary>
    internal static IReadOnlyList<string> Header { get; } =
    [
        "| mutant | scenario | explorer: iterations | Coyote: iterations | explorer: s | Coyote: s | explorer: s from start | Coyote: s from start | faster (search s) | dpor: schedules | dpor: s | F# fact |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---|",
    ];

    /// <summary>The row in markdown, cells as <see cref="Header"/> names them.</summary>
    internal string ToMarkdown() =>
        "| "
        + string.Join(
            " | ",
            [
                Note is null ? Mutant : $"{Mutant} ({Note})",
                Scenario,
                IterationsCell(Explorer),
                IterationsCell(Coyote),
                SecondsCell(Explorer, c => c.MedianSeconds),
                SecondsCell(Coyote, c => c.MedianSeconds),
                SecondsCell(Explorer, c => c.MedianProcessSeconds),
                SecondsCell(Coyote, c => c.MedianProcessSeconds),
                Faster(),
                DporCell(),
                SecondsCell(Dpor, c => c.MedianSeconds),
                Fact ?? "-",
            ]
        )
        + " |";

    /// <summary>
    /// Which sampling engine's median search seconds are lower, and by what factor ("explorer 2.5x"); "same" within
    /// 5%; "-" unless both killed the mutant.
    /// </summary>
    internal string Faster()
    {
        if (!Explorer.Killed || !Coyote.Killed)
        {
            return "-";
        }
        var (explorer, coyote) = (Explorer.MedianSeconds, Coyote.MedianSeconds);
        var ratio = Math.Max(explorer, coyote) / Math.Max(Math.Min(explorer, coyote), 0.001);
        return ratio < 1.05 ? "same"
            : explorer < coyote ? Invariant($"explorer {ratio:F1}x")
            : Invariant($"Coyote {ratio:F1}x");
    }

    private static string IterationsCell(EngineCell cell)
    {
        if (cell.NotRun is { } reason)
        {
            return $"not run: {reason}";
        }
        if (cell.Error is { } error)
        {
            return $"error: {error}";
        }
        var other = cell.OtherBugs switch
        {
            0 => "",
            1 => ", 1 other bug",
            var n => Invariant($", {n} other bugs"),
        };
        var unconfirmed = cell.Unconfirmed switch
        {
            0 => "",
            var n => Invariant($", {n} not replayed"),
        };
        var tally = Invariant($"({cell.Kills.Count}/{cell.Runs.Count}{other}{unconfirmed})");
        return cell.Killed ? $"{Number(cell.MedianIterations)} {tally}" : $"not killed {tally}";
    }

    private string DporCell()
    {
        if (Dpor.NotRun is { } reason)
        {
            return $"not run: {reason}";
        }
        if (Dpor.Error is { } error)
        {
            return $"error: {error}";
        }
        var run = Dpor.Runs.Single();
        return Dpor.Killed
            ? $"{Number(run.Iterations)} ({DporConfiguration})"
            : $"not found: {run.Message} ({DporConfiguration})";
    }

    private static string SecondsCell(EngineCell cell, Func<EngineCell, double> median) =>
        cell.Killed ? Invariant($"{median(cell):F2}") : "-";

    private static string Number(double value) =>
        value == Math.Floor(value) ? Invariant($"{value:N0}") : Invariant($"{value:N1}");

    private static string Invariant(FormattableString text) =>
        text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The summary under the table: where each engine is faster, in seconds and in iterations.</summary>
internal static class TableSummary
{
    /// <summary>One line per comparison, over the rows both sampling engines killed (on at least one seed).</summary>
    internal static IReadOnlyList<string> Lines(IReadOnlyList<TableRow> rows)
    {
        var both = rows.Where(r => r.Explorer.Killed && r.Coyote.Killed).ToList();
        var lines = new List<string>
        {
            Invariant(
                $"Both sampling engines killed {both.Count} of {rows.Count} mutants (on at least one seed)."
            ),
            Compare(
                "search seconds",
                both,
                r => r.Explorer.MedianSeconds,
                r => r.Coyote.MedianSeconds,
                tolerance: 0.05,
                format: "0.00"
            ),
            Compare(
                "seconds from the process's start",
                both,
                r => r.Explorer.MedianProcessSeconds,
                r => r.Coyote.MedianProcessSeconds,
                tolerance: 0.05,
                format: "0.00"
            ),
            Compare(
                "iterations",
                both,
                r => r.Explorer.MedianIterations,
                r => r.Coyote.MedianIterations,
                tolerance: 0,
                format: "0.#"
            ),
        };
        var missed = rows.Where(r =>
                r.Explorer.Runs.Count > 0 && r.Explorer.Kills.Count < r.Explorer.Runs.Count
            )
            .Select(r =>
                Invariant($"{r.Mutant} ({r.Explorer.Kills.Count}/{r.Explorer.Runs.Count})")
            )
            .ToList();
        var coyoteMissed = rows.Where(r =>
                r.Coyote.Runs.Count > 0 && r.Coyote.Kills.Count < r.Coyote.Runs.Count
            )
            .Select(r => Invariant($"{r.Mutant} ({r.Coyote.Kills.Count}/{r.Coyote.Runs.Count})"))
            .ToList();
        lines.Add(
            $"Seeds that did not kill: explorer {List(missed)}; Coyote {List(coyoteMissed)}."
        );
        return lines;
    }

    // "In search seconds (median), the explorer is faster on 30, Coyote on 2 (A 1.50 against 1.00, ...), the same on 1."
    private static string Compare(
        string measure,
        IReadOnlyList<TableRow> rows,
        Func<TableRow, double> explorer,
        Func<TableRow, double> coyote,
        double tolerance,
        string format
    )
    {
        bool Same(TableRow r) =>
            Math.Abs(explorer(r) - coyote(r)) <= tolerance * Math.Max(explorer(r), coyote(r));
        var explorerAhead = rows.Where(r => !Same(r) && explorer(r) < coyote(r)).ToList();
        var coyoteAhead = rows.Where(r => !Same(r) && coyote(r) < explorer(r)).ToList();
        var same = rows.Count - explorerAhead.Count - coyoteAhead.Count;
        var coyoteCases = coyoteAhead.Select(r =>
            string.Create(
                CultureInfo.InvariantCulture,
                $"{r.Mutant} {explorer(r).ToString(format, CultureInfo.InvariantCulture)} against {coyote(r).ToString(format, CultureInfo.InvariantCulture)}"
            )
        );
        return Invariant(
                $"In {measure} (median), the explorer is ahead on {explorerAhead.Count}, Coyote on {coyoteAhead.Count}"
            )
            + (coyoteAhead.Count == 0 ? "" : $" ({string.Join(", ", coyoteCases)})")
            + Invariant($", {(tolerance == 0 ? "equal" : "the same within 5%")} on {same}.");
    }

    private static string List(IReadOnlyList<string> items) =>
        items.Count == 0 ? "none" : string.Join(", ", items);

    private static string Invariant(FormattableString text) =>
        text.ToString(CultureInfo.InvariantCulture);
}
