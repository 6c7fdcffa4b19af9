using System.Globalization;
using Coyote.Scenarios.Mutation;
using Pool.Systematic;

// Prints the mutation table of docs/verification.md: for every product mutant, how many iterations each
// strategy needs to kill it (median over several seeds), and the minimised trace.
// Usage: dotnet run -c Release --project tests/Coyote/MutationReport -- [seeds=5] [budget=2000]
var seeds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
var budget = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2000;
string[] strategies = ["random", "pct", "portfolio"];

Console.WriteLine(
    $"Seeds 1..{seeds}, budget {budget} iterations per run; cells: median iterations to kill (kills/runs)."
);
Console.WriteLine();
Console.WriteLine(
    "| mutant | scenario | "
        + string.Join(" | ", strategies)
        + " | minimised trace (portfolio, seed 1) |"
);
Console.WriteLine("|---|---|" + string.Concat(strategies.Select(_ => "---|")) + "---|");
var total = 0;
var killedEverywhere = 0;
foreach (var kill in MutantCatalogue.All)
{
    var cells = new List<string>();
    string trace = "not killed";
    foreach (var strategy in strategies)
    {
        var found = new List<int>();
        for (var seed = 1; seed <= seeds; seed++)
        {
            var options = new ExplorationOptions
            {
                Iterations = budget,
                Strategy = strategy,
                Seed = (ulong)seed,
                Minimize = strategy == "portfolio" && seed == 1,
            };
            var report = kill.With(() => Explorer.Run(kill.Test, options));
            if (report.BugFound)
            {
                found.Add(report.BugIteration!.Value);
                if (options.Minimize)
                {
                    trace =
                        $"{report.Steps} steps, {report.Preemptions} preemptions "
                        + $"(found: {report.OriginalSteps} steps, {report.OriginalPreemptions} preemptions)";
                }
            }
        }
        found.Sort();
        cells.Add(
            found.Count == 0
                ? $"not killed (0/{seeds})"
                : $"{found[found.Count / 2]} ({found.Count}/{seeds})"
        );
        total++;
        killedEverywhere += found.Count == seeds ? 1 : 0;
    }
    Console.WriteLine(
        $"| {kill.Mutant} | {kill.Scenario} | {string.Join(" | ", cells)} | {trace} |"
    );
}
Console.WriteLine();
Console.WriteLine($"Mutant x strategy cells killed on every seed: {killedEverywhere}/{total}.");
