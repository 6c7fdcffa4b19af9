using System.Diagnostics;
using Coyote.Binding;
using Coyote.Scenarios;
using Pool.Systematic;

namespace Coyote.Comparison;

/// <summary>
/// Every built-in scenario under both engines in one process, the same number of iterations each: iterations per
/// second of the explorer (portfolio, seed 1) and of Coyote (portfolio, seed 1), and their ratio. A stopwatch table,
/// not BenchmarkDotNet: one scenario under Coyote takes seconds. Usage: <c>engines [ITERATIONS]</c>.
/// </summary>
internal static class ScenarioEngineComparison
{
    internal static void Print(int iterations)
    {
        Console.WriteLine(
            $"{iterations} iterations per scenario and engine, seed 1, portfolio strategies."
        );
        Console.WriteLine();
        Console.WriteLine("| scenario | explorer it/s | Coyote it/s | explorer / Coyote |");
        Console.WriteLine("|---|---:|---:|---:|");
        var ratios = new List<double>();
        foreach (var scenario in CoyoteCatalogue.All)
        {
            var explorer = Stopwatch.StartNew();
            var report = Explorer.Run(
                scenario.Explorer,
                new ExplorationOptions { Iterations = iterations, Seed = 1 }
            );
            explorer.Stop();
            var coyote = CoyoteEngine.Run(
                scenario.Coyote,
                iterations,
                seed: 1,
                allowPartialControl: scenario.CoyoteAllowsPartialControl
            );
            if (report.BugFound || coyote.BugFound)
            {
                throw new InvalidOperationException(
                    $"{scenario.Name} found a bug: {report.BugMessage ?? coyote.BugMessage}"
                );
            }
            var ours = report.Iterations / explorer.Elapsed.TotalSeconds;
            var theirs = coyote.Iterations / coyote.Elapsed.TotalSeconds;
            ratios.Add(ours / theirs);
            Console.WriteLine(
                $"| {scenario.Name} | {ours:F0} | {theirs:F0} | {ours / theirs:F1}x |"
            );
        }
        ratios.Sort();
        Console.WriteLine();
        Console.WriteLine(
            $"Ratio: min {ratios[0]:F1}x, median {ratios[ratios.Count / 2]:F1}x, max {ratios[^1]:F1}x."
        );
    }
}
