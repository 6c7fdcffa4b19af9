using System.Globalization;
using Pool.Systematic;

namespace Coyote.MutationReport;

/// <summary>The mutation table (both engines side by side) and the all-killed check.</summary>
internal static class MutationTable
{
    /// <summary>
    /// Measures the time to the first bug of every mutant (or those whose name contains <paramref name="only"/>) and
    /// prints one row each: for each sampling engine (the explorer's portfolio, Coyote's default portfolio), the
    /// median iterations and seconds to the first bug over the seeds 1..<paramref name="seeds"/> that killed it, with
    /// how many did; for <c>dpor</c>, which takes no seed, the schedules to the first bug of its bounded proof's
    /// search (one run, the same every time); then the F# fact's verdict. With <paramref name="markdown"/>, also
    /// writes the table, how it was measured and a summary to that file (rewritten after each row).
    /// </summary>
    internal static int Print(int seeds, int budget, string? only = null, string? markdown = null)
    {
        var command =
            $"dotnet run -c Release --project tests/Coyote/MutationReport -- table {seeds} {budget}"
            + (only is null ? "" : $" {only}")
            + (markdown is null ? "" : $" --out {markdown}");
        var started = DateTime.UtcNow;
        var loadAtStart = LoadAverage();
        var preface = new List<string>
        {
            string.Create(
                CultureInfo.InvariantCulture,
                $"Seeds 1..{seeds}, budget {budget} iterations. Iterations and seconds: the median over the seeds that killed the mutant with its bug "
            )
                + "(the mean of the middle two for an even count), and (kills/seeds). \"not replayed\": seeds whose search found the "
                + "mutant's bug but whose minimised trace ended in another failure (another set of blocked threads, say), which the CI "
                + "check does not count; another bug than the mutant's is not a kill.",
            "s: the search's wall-clock time, from just before the engine is called (the explorer: `Explorer.Run` without "
                + "minimisation; Coyote: creating its `TestingEngine` and running it) to the end of the failing iteration, as each "
                + "engine's end-of-iteration callback reports it (not what follows it: the explorer's drawing of the failing "
                + "schedule, Coyote's report and trace).",
            "s from start: from the start of the child process that ran the search to the same point (the runtime's start-up, "
                + "loading the engines and the product, and the search; not the mutant's build).",
            "Both engines run in the same child program, on the same mutated product assembly rewritten by `coyote rewrite`.",
            "dpor: schedules to the first bug of the bounded proof's search (no seed), with its configuration and bound (k), or of the hunt's search shallowest first where no finished configuration holds the race.",
        };
        Console.WriteLine(string.Join(Environment.NewLine, preface));
        Console.WriteLine();
        foreach (var line in TableRow.Header)
        {
            Console.WriteLine(line);
        }
        var rows = new List<TableRow>();
        var notes = new List<string>();
        foreach (
            var kill in MutantCatalogue.All.Where(k => only is null || k.Mutant.Contains(only))
        )
        {
            var row = Measure(kill, seeds, budget);
            rows.Add(row);
            if (kill.SamplingMissReason is { } missed)
            {
                notes.Add(
                    $"{kill.Mutant}: not required of the sampling engines in CI ({missed}); measured here all the same."
                );
            }
            Console.WriteLine(row.ToMarkdown());
            if (markdown is not null)
            {
                File.WriteAllLines(
                    markdown,
                    Document(command, started, loadAtStart, preface, rows, notes)
                );
            }
        }
        Console.WriteLine();
        foreach (var line in notes.Concat(TableSummary.Lines(rows)))
        {
            Console.WriteLine(line);
        }
        return 0;
    }

    private static IEnumerable<string> Document(
        string command,
        DateTime started,
        string loadAtStart,
        IReadOnlyList<string> preface,
        IReadOnlyList<TableRow> rows,
        IReadOnlyList<string> notes
    )
    {
        yield return string.Create(
            CultureInfo.InvariantCulture,
            $"Measured {started:yyyy-MM-dd HH:mm} to {DateTime.UtcNow:HH:mm} UTC with `{command}` on {Environment.ProcessorCount} cores; "
                + $"load average (1, 5, 15 minutes) {loadAtStart} at the start, {LoadAverage()} at the end."
        );
        yield return "";
        foreach (var line in preface)
        {
            yield return $"- {line}";
        }
        yield return "";
        foreach (var line in TableRow.Header)
        {
            yield return line;
        }
        foreach (var row in rows)
        {
            yield return row.ToMarkdown();
        }
        yield return "";
        foreach (var line in notes.Concat(TableSummary.Lines(rows)))
        {
            yield return $"- {line}";
        }
    }

    // One mutant's row: every engine that can run it (a failure to build or run is the row's or the cell's error, so
    // that one mutant does not end the measurement of the others).
    private static TableRow Measure(MutantKill kill, int seeds, int budget)
    {
        var note =
            kill.MemoryModel == MemoryModel.Sc
                ? null
                : $"explorer under {kill.MemoryModel.ToString().ToLowerInvariant()}";
        var dporConfiguration = kill.Proof is { } proof
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"{proof.Scenario}, k={proof.PreemptionBound?.ToString(CultureInfo.InvariantCulture) ?? "none"}{(kill.DporHunt is null ? "" : ", shallowest first")}"
            )
            : null;
        MutantWorkspace workspace;
        try
        {
            workspace = MutantWorkspace.Prepare(kill);
        }
        catch (InvalidOperationException e)
        {
            var failed = EngineCell.Failed(FirstLine(e.Message));
            return new TableRow(
                kill.Mutant,
                kill.Scenario,
                failed,
                failed,
                failed,
                dporConfiguration,
                null,
                note
            );
        }
        // The seeds of the two engines alternate, so that a change of the machine's load meets both alike.
        var explorer = new List<KillResult>();
        var coyote = new List<KillResult>();
        string? explorerError = null;
        string? coyoteError = null;
        for (var seed = 1u; seed <= seeds; seed++)
        {
            explorerError ??= Run(workspace, "explorer", seed, budget, explorer);
            if (kill.CoyoteSkipped is null)
            {
                coyoteError ??= Run(workspace, "coyote", seed, budget, coyote);
            }
        }
        var dpor = new List<KillResult>();
        var dporError = kill.Proof is null ? null : Run(workspace, "dpor", 1, budget, dpor);
        return new TableRow(
            kill.Mutant,
            kill.Scenario,
            Cell(kill, "explorer", explorer, explorerError),
            kill.CoyoteSkipped is { } reason
                ? EngineCell.Skipped(reason)
                : Cell(kill, "coyote", coyote, coyoteError),
            kill.Proof is null
                ? EngineCell.Skipped(kill.DporSkipped)
                : Cell(kill, "dpor", dpor, dporError),
            dporConfiguration,
            kill.Property is null ? null
                : workspace.KillWithProperty().Killed ? "killed"
                : "NOT killed",
            note
        );
    }

    private static string? Run(
        MutantWorkspace workspace,
        string engine,
        uint seed,
        int budget,
        List<KillResult> results
    )
    {
        try
        {
            results.Add(workspace.KillWith(engine, seed, budget));
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            return FirstLine(e.Message);
        }
    }

    // Only the bug the mutant names is its kill; another bug counts as a survival.
    private static EngineCell Cell(
        MutantKill kill,
        string engine,
        IReadOnlyList<KillResult> runs,
        string? error
    ) =>
        error is not null
            ? EngineCell.Failed(error)
            : EngineCell.Of(runs, message => kill.IsItsKill(engine, message));

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();

    // The load average of /proc/loadavg (1, 5 and 15 minutes), or "unknown" off Linux.
    private static string LoadAverage()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"{fields[0]}, {fields[1]}, {fields[2]}";
        }
        catch (IOException)
        {
            return "unknown";
        }
        catch (UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    /// <summary>
    /// Seed 1, every engine and fact against every mutant (or those of <paramref name="only"/>, when it names any);
    /// exit code 1 if any survives, or is killed by another bug than the one its catalogue entry names.
    /// </summary>
    internal static int Check(int budget, IReadOnlyList<string> only)
    {
        var survivors = 0;
        var kills = only.Count == 0 ? MutantCatalogue.All : [.. only.Select(MutantCatalogue.Named)];
        foreach (var kill in kills)
        {
            var workspace = MutantWorkspace.Prepare(kill);
            foreach (var engine in kill.Engines)
            {
                var result = workspace.KillWith(engine, seed: 1, budget);
                var itsKill = result.Killed && kill.IsItsKill(engine, result.Message);
                survivors += itsKill ? 0 : 1;
                var verdict =
                    itsKill ? "killed"
                    : result.Killed ? "WRONG-KILL"
                    : "SURVIVED";
                Console.WriteLine(
                    $"{kill.Mutant, -30} {engine, -9} {verdict, -10} "
                        + $"iteration {result.Iterations, 5}  {result.Seconds, 6:F2} s  {result.Message}"
                        + (itsKill ? "" : $"  (must be killed by '{kill.KilledUnder(engine)}')")
                );
            }
            if (kill.Property is not null)
            {
                var killed = workspace.KillWithProperty().Killed;
                survivors += killed ? 0 : 1;
                Console.WriteLine(
                    $"{kill.Mutant, -30} {"F# fact", -9} {(killed ? "killed" : "SURVIVED")}"
                );
            }
        }
        return survivors == 0 ? 0 : 1;
    }
}
