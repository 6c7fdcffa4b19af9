using Coyote.Binding;
using Coyote.Scenarios.Mutation;
using Coyote.Scenarios.Support;
using Pool.Systematic;

namespace Coyote.MutationReport;

/// <summary>
/// Runs a mutant's killing scenario in this process, on the product assembly beside this program (in a mutant's
/// workspace, the patched one), under one engine.
/// </summary>
internal static class KillRun
{
    internal static IReadOnlyList<string> Engines { get; } = ["explorer", "coyote"];

    /// <exception cref="ArgumentException">An unknown engine.</exception>
    internal static KillResult Run(MutantKill kill, string engine, uint seed, int budget)
    {
        var scenario = ScenarioCatalogue.Named(kill.Scenario);
        return engine switch
        {
            "explorer" => WithExplorer(scenario, seed, budget),
            "coyote" => WithCoyote(scenario, seed, budget),
            _ => throw new ArgumentException(
                $"Unknown engine '{engine}'; use one of {string.Join(", ", Engines)}.",
                nameof(engine)
            ),
        };
    }

    private static KillResult WithExplorer(Scenario scenario, uint seed, int budget)
    {
        var options = new ExplorationOptions
        {
            Iterations = budget,
            Seed = seed,
            Minimize = false,
            FailOnMaxSteps = true,
        };
        var report = Explorer.Run(scenario.Explorer, options);
        if (!report.BugFound)
        {
            return new KillResult(false, report.Iterations, report.Elapsed.TotalSeconds, "");
        }
        // The trace must replay to the same failure, or the kill is not reproducible.
        var replay = Explorer.Replay(scenario.Explorer, report.Trace!, options);
        var message =
            replay.BugMessage == report.BugMessage
                ? report.BugMessage!
                : $"NOT REPLAYED (replay said: {replay.BugMessage}): {report.BugMessage}";
        return new KillResult(
            replay.BugMessage == report.BugMessage,
            report.BugIteration!.Value,
            report.Elapsed.TotalSeconds,
            message
        );
    }

    private static KillResult WithCoyote(Scenario scenario, uint seed, int budget)
    {
        var outcome = CoyoteEngine.Run(scenario.Coyote, budget, seed);
        if (outcome.InternalErrors.Count > 0 || outcome.Uncontrolled.Count > 0)
        {
            throw new InvalidOperationException(
                "Coyote could not run the scenario faithfully: "
                    + string.Join("; ", outcome.InternalErrors.Concat(outcome.Uncontrolled))
            );
        }
        var firstLine = outcome.BugMessage?.Split('\n')[0].Trim() ?? "";
        return new KillResult(
            outcome.BugFound,
            outcome.Iterations,
            outcome.Elapsed.TotalSeconds,
            firstLine
        );
    }
}
