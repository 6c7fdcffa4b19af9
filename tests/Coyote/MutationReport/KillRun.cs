using Coyote.Binding;
using Coyote.Scenarios;
using Pool.Systematic;

namespace Coyote.MutationReport;

/// <summary>
/// Runs a mutant's killing scenario in this process, on the product assembly beside this program (in a mutant's
/// workspace, the patched one), under one engine.
/// </summary>
internal static class KillRun
{
    internal static IReadOnlyList<string> Engines { get; } = ["explorer", "coyote", "dpor"];

    /// <exception cref="ArgumentException">An unknown engine.</exception>
    internal static KillResult Run(MutantKill kill, string engine, uint seed, int budget)
    {
        var scenario = CoyoteCatalogue.Named(kill.Scenario);
        return engine switch
        {
            "explorer" => WithExplorer(scenario, seed, budget, kill.MemoryModel),
            "coyote" => WithCoyote(scenario, seed, budget),
            "dpor" => WithDpor(kill),
            _ => throw new ArgumentException(
                $"Unknown engine '{engine}'; use one of {string.Join(", ", Engines)}.",
                nameof(engine)
            ),
        };
    }

    private static KillResult WithExplorer(
        CoyoteScenario scenario,
        uint seed,
        int budget,
        MemoryModel memoryModel
    )
    {
        // Timed without minimisation (the table's seconds are the search's), then the same run minimised.
        var clock = new SearchClock();
        var options = new ExplorationOptions
        {
            Iterations = budget,
            Seed = seed,
            FailOnMaxSteps = true,
            Minimize = false,
            MemoryModel = memoryModel,
        };
        var found = Explorer.Run(
            scenario.Explorer,
            options with
            {
                Progress = _ => clock.IterationEnded(),
            }
        );
        if (!found.BugFound)
        {
            return new KillResult(false, found.Iterations, clock.Seconds, "", clock.ProcessSeconds);
        }
        // The minimised trace must fail the same way, replay, and have no more preemptions than the one found.
        var report = Explorer.Run(scenario.Explorer, options with { Minimize = true });
        var replay = Explorer.Replay(scenario.Explorer, report.Trace!, options);
        var replayed =
            report.BugMessage == found.BugMessage && replay.BugMessage == found.BugMessage;
        var minimised = report.Preemptions <= report.OriginalPreemptions;
        var message =
            $"{found.BugMessage} (found with {report.OriginalPreemptions} preemptions in {report.OriginalSteps} steps,"
            + $" reported with {report.Preemptions} in {report.Steps})"
            + (
                replayed
                    ? ""
                    : $" NOT REPLAYED: the minimised run said {report.BugMessage}, its replay {replay.BugMessage}"
            )
            + (minimised ? "" : " MINIMISATION ADDED PREEMPTIONS");
        return new KillResult(
            replayed && minimised,
            found.BugIteration!.Value,
            clock.Seconds,
            message,
            clock.ProcessSeconds,
            Unconfirmed: !(replayed && minimised)
        );
    }

    // The bounded proof's search, on the mutant: no seed, and no budget but the search's end (a finished search that
    // found nothing is a survival), or a hunt's search shallowest first, up to its cap. Iterations are the schedules
    // run up to the first bug.
    private static KillResult WithDpor(MutantKill kill)
    {
        var proof =
            kill.Proof
            ?? throw new ArgumentException(
                $"{kill.Mutant} has no bounded proof for dpor to explore.",
                nameof(kill)
            );
        var clock = new SearchClock();
        var report = Explorer.Run(
            CoyoteCatalogue.Named(proof.Scenario).Explorer,
            new ExplorationOptions
            {
                Strategy = Strategy.Dpor,
                PreemptionBound = proof.PreemptionBound,
                Order = kill.DporOrder,
                Iterations = kill.DporIterations,
                FailOnMaxSteps = true,
                Minimize = false,
                Progress = _ => clock.IterationEnded(),
            }
        );
        return report.BugFound
            ? new KillResult(
                true,
                report.BugIteration!.Value,
                clock.Seconds,
                report.BugMessage!,
                clock.ProcessSeconds
            )
            : new KillResult(
                false,
                report.Schedules,
                clock.Seconds,
                report.Verdict,
                clock.ProcessSeconds
            );
    }

    // An iteration that reaches Coyote's step bound ends the run as a bug (CoyoteEngine), as FailOnMaxSteps makes it
    // for the explorer above: a livelock kills under either engine, and is the right kill only for a mutant whose
    // catalogue entry names the step bound (MutantKill.StepBound).
    private static KillResult WithCoyote(CoyoteScenario scenario, uint seed, int budget)
    {
        var clock = new SearchClock();
        var outcome = CoyoteEngine.Run(
            scenario.Coyote,
            budget,
            seed,
            allowPartialControl: scenario.CoyoteAllowsPartialControl,
            iterationEnded: _ => clock.IterationEnded()
        );
        var untolerated = scenario.Untolerated(outcome.Uncontrolled);
        if (outcome.InternalErrors.Count > 0 || untolerated.Count > 0)
        {
            throw new InvalidOperationException(
                "Coyote could not run the scenario faithfully: "
                    + string.Join("; ", outcome.InternalErrors.Concat(untolerated))
            );
        }
        var firstLine = outcome.BugMessage?.Split('\n')[0].Trim() ?? "";
        return new KillResult(
            outcome.BugFound,
            outcome.Iterations,
            clock.Seconds,
            firstLine,
            clock.ProcessSeconds
        );
    }
}
