using Coyote.Scenarios.Mutation;
using Pool.Systematic;
using Xunit.Abstractions;

namespace Coyote.Tests.Mutation;

/// <summary>
/// Each product mutant must be killed by its scenario within the scenario's CI budget, with the CI seed,
/// and the reported trace must replay to the same failure with no more preemptions than the original.
/// The mutant switch is process-global, so this assembly runs its tests one at a time.
/// </summary>
public class PoolMutantTests(ITestOutputHelper output)
{
    public static TheoryData<string> Mutants()
    {
        var data = new TheoryData<string>();
        foreach (var kill in MutantCatalogue.All)
        {
            data.Add(kill.Mutant.ToString());
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Mutants))]
    public void ScenarioKillsMutant(string mutant)
    {
        var kill = MutantCatalogue.All.Single(k => k.Mutant.ToString() == mutant);
        var report = kill.With(() =>
            Explorer.Run(kill.Test, new ExplorationOptions { Iterations = 2000, Seed = 1 })
        );
        output.WriteLine(
            $"{mutant} by {kill.Scenario}: iteration {report.BugIteration} ({report.BugStrategy}), "
                + $"preemptions {report.OriginalPreemptions} -> {report.Preemptions}, "
                + $"steps {report.OriginalSteps} -> {report.Steps}: {report.BugMessage}"
        );
        Assert.True(
            report.BugFound,
            $"{mutant} survived {report.Iterations} iterations of {kill.Scenario}"
        );
        Assert.True(report.Preemptions <= report.OriginalPreemptions);
        var replay = kill.With(() => Explorer.Replay(kill.Test, report.Trace!));
        Assert.Equal(report.BugMessage, replay.BugMessage);
    }
}
