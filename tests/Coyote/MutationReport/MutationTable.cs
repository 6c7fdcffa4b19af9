using System.Globalization;

namespace Coyote.MutationReport;

/// <summary>The mutation table (both engines side by side) and the all-killed check.</summary>
internal static class MutationTable
{
    /// <summary>
    /// Prints one row per mutant: for each engine, the median iterations and seconds to the first bug over seeds
    /// 1..<paramref name="seeds"/>, with how many seeds killed it; for <c>dpor</c>, which takes no seed, the schedules to
    /// the first bug of its bounded proof's search (one run, the same every time); then the F# fact's verdict.
    /// </summary>
    internal static int Print(int seeds, int budget, string? only = null)
    {
        Console.WriteLine(
            $"Seeds 1..{seeds}, budget {budget} iterations; cells: median iterations to the first bug / median seconds (kills/seeds)."
        );
        Console.WriteLine();
        Console.WriteLine(
            "| mutant | scenario | explorer: iterations | explorer: seconds | Coyote: iterations | Coyote: seconds | dpor: schedules | dpor: seconds | F# fact |"
        );
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        var survivors = 0;
        foreach (
            var kill in MutantCatalogue.All.Where(k => only is null || k.Mutant.Contains(only))
        )
        {
            var workspace = MutantWorkspace.Prepare(kill);
            var cells = new List<string>();
            foreach (var engine in KillRun.Engines)
            {
                if (!kill.Engines.Contains(engine))
                {
                    cells.Add(
                        engine == "dpor" ? $"not run: {kill.DporSkipped}"
                        : kill.SamplingMissReason is { } missed ? $"not run: {missed}"
                        : $"not run: {kill.CoyoteSkipped}"
                    );
                    cells.Add("-");
                    continue;
                }
                var runs = engine == "dpor" ? 1 : seeds; // dpor takes no seed: every run is the same
                var results = Enumerable
                    .Range(1, runs)
                    .Select(seed => workspace.KillWith(engine, (uint)seed, budget))
                    .ToList();
                // Only the bug the mutant names is its kill; another bug counts as a survival.
                var killed = results
                    .Where(r => r.Killed && kill.IsItsKill(engine, r.Message))
                    .ToList();
                survivors += results.Count - killed.Count;
                cells.Add(
                    engine == "dpor"
                        ? (
                            killed.Count == 0
                                ? "not found"
                                : $"{killed[0].Iterations} (k={kill.Proof!.PreemptionBound?.ToString(CultureInfo.InvariantCulture) ?? "none"})"
                        )
                    : killed.Count == 0 ? $"not killed (0/{seeds})"
                    : $"{Median(killed.Select(r => (double)r.Iterations))} ({killed.Count}/{seeds})"
                );
                cells.Add(
                    killed.Count == 0
                        ? "-"
                        : Median(killed.Select(r => r.Seconds))
                            .ToString("F2", CultureInfo.InvariantCulture)
                );
            }
            cells.Add(
                kill.Property is null ? "-"
                : workspace.KillWithProperty().Killed ? "killed"
                : "NOT killed"
            );
            Console.WriteLine($"| {kill.Mutant} | {kill.Scenario} | {string.Join(" | ", cells)} |");
        }
        Console.WriteLine();
        Console.WriteLine($"Runs that did not kill their mutant: {survivors}.");
        return 0;
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

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
