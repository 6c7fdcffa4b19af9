using Coyote.Binding;
using Coyote.Scenarios;
using Xunit.Abstractions;

namespace Coyote.Tests.Suite;

/// <summary>
/// Runs every built-in scenario under Microsoft Coyote, in this process, on the Coyote binding of the seam: the
/// same scenario as BuiltInScenarioTests (tests/Pool.Systematic.Xunit.Tests) runs under the explorer, the other engine. This project's output is rewritten by
/// <c>coyote rewrite</c> after each build (tests/Coyote/Coyote.Rewrite.targets). Fixed seed, fixed budget; an
/// iteration that reaches Coyote's step bound fails the run, as the explorer's <c>FailOnMaxSteps</c> does.
/// </summary>
public class CoyoteScenarioTests(ITestOutputHelper output)
{
    public static TheoryData<string> Scenarios() =>
        [.. global::Pool.Scenarios.Support.ScenarioCatalogue.All.Select(s => s.Name)];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void CoyoteFindsNoBug(string name)
    {
        var scenario = CoyoteCatalogue.Named(name);
        var outcome = CoyoteEngine.Run(
            scenario.Coyote,
            scenario.CoyoteCiIterations,
            seed: 1,
            allowPartialControl: scenario.CoyoteAllowsPartialControl
        );
        output.WriteLine(
            $"{name}: {outcome.Iterations} iterations in {outcome.Elapsed.TotalSeconds:F1} s,"
                + $" the longest {outcome.LongestIteration} steps (bound {CoyoteEngine.MaxSteps})"
        );
        if (outcome.Uncontrolled.Count > 0)
        {
            output.WriteLine($"tolerated: {string.Join(", ", outcome.Uncontrolled)}");
        }
        Assert.Empty(outcome.InternalErrors);
        Assert.Empty(scenario.Untolerated(outcome.Uncontrolled));
        // An iteration that reaches the step bound is a livelock (a worker spinning instead of sleeping): a bug.
        Assert.True(
            outcome.StepBoundHits == 0,
            $"{outcome.StepBoundHits} iteration(s) reached the step bound of {CoyoteEngine.MaxSteps}"
                + $" (a livelock): {outcome.BugMessage}\ntrace: {outcome.Trace}"
        );
        Assert.False(outcome.BugFound, $"{outcome.BugMessage}\ntrace: {outcome.Trace}");
        Assert.Equal(scenario.CoyoteCiIterations, outcome.Iterations);
    }

    [Fact]
    public void TheProductUnderTestIsRewritten()
    {
        // Without the rewrite, Coyote would run the scenarios on real, uncontrolled threads and find nothing.
        var product = typeof(global::Pool.ThreadPool).Assembly;
        var binding = typeof(CoyoteThreading).Assembly;
        var scenarios = typeof(global::Pool.Scenarios.Support.ScenarioCatalogue).Assembly;
        var entryPoints = typeof(CoyoteCatalogue).Assembly;
        foreach (var assembly in new[] { product, binding, scenarios, entryPoints })
        {
            Assert.True(
                Microsoft.Coyote.Rewriting.RewritingEngine.IsAssemblyRewritten(assembly),
                $"{assembly.GetName().Name} is not rewritten: build with the Coyote tool restored (dotnet tool restore)"
            );
        }
    }
}
