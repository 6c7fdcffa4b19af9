using Pool.Scenarios.Support;
using Pool.Systematic;
using Xunit.Abstractions;

namespace Coyote.Tests.Engine;

/// <summary>
/// Small configurations of each part of the product explored to the end by <c>dpor</c>: every schedule within the
/// configuration's preemption bound (one of each class of equivalent schedules), with no seed, so a pass proves that
/// no schedule within the bound breaks the scenario's invariants, deadlocks or livelocks.
/// </summary>
public class BoundedProofTests(ITestOutputHelper output)
{
    public static TheoryData<string> Proofs() => [.. BoundedProofs.All.Select(p => p.Scenario)];

    [Theory]
    [MemberData(nameof(Proofs))]
    public void FinishesWithNoBug(string scenario)
    {
        var proof = BoundedProofs.Of(scenario)!;
        var report = Explorer.Run(
            ScenarioCatalogue.Named(scenario).Explorer,
            new ExplorationOptions
            {
                Strategy = Strategy.Dpor,
                PreemptionBound = proof.PreemptionBound,
                Iterations = int.MaxValue,
                FailOnMaxSteps = true,
            }
        );
        output.WriteLine($"{scenario}: {report.Verdict} in {report.Elapsed.TotalSeconds:F1} s");
        Assert.False(report.BugFound, $"{report.BugMessage}\ntrace: {report.Trace}");
        Assert.Equal(SearchEnd.Exhaustive, report.End);
        Assert.Equal(proof.PreemptionBound, report.PreemptionBound);
    }

    [Fact]
    public void EveryProofNamesABuiltInScenarioOnce()
    {
        var names = BoundedProofs.All.Select(p => p.Scenario).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(names, name => ScenarioCatalogue.Named(name));
        Assert.All(
            BoundedProofs.All,
            p => Assert.True(p.PreemptionBound is null or >= 2, p.Scenario)
        );
    }
}
