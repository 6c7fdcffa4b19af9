using Pool.Scenarios.Support;

namespace Pool.Systematic.Xunit.Tests.Suite;

/// <summary>
/// Runs every built-in [SystematicTest] scenario under the explorer through the xunit package
/// (<see cref="SystematicExploration.Run"/>, what [SystematicFact] runs), with its CI budget and a fixed seed, so each
/// CI run explores the same schedules (pool-explore test runs them with larger budgets), and reports an iteration that
/// reaches the step bound as a livelock. A bug fails the row with its interleaving and replay line, and attaches the
/// trace and the timeline.
/// </summary>
public class BuiltInScenarioTests
{
    public static TheoryData<string> Scenarios() => [.. ScenarioCatalogue.All.Select(s => s.Name)];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void ScenarioHoldsItsInvariants(string name) => Explore(name, "sc");

    /// <summary>
    /// The same under the tso memory model: every write of the seam's atomics may wait in a store buffer, so a
    /// missing fence (a release store where a full fence is needed) shows up as a broken invariant or a deadlock.
    /// </summary>
    [Theory]
    [MemberData(nameof(Scenarios))]
    public void ScenarioHoldsUnderTso(string name) => Explore(name, "tso");

    private static void Explore(string name, string memoryModel)
    {
        var scenario = ScenarioCatalogue.Named(name);
        SystematicExploration.Run(
            $"{scenario.Name}.{memoryModel}",
            scenario.Explorer,
            new SystematicSettings
            {
                Iterations = scenario.CiIterations,
                Seed = 1,
                // No scenario needs more than a few hundred steps; an iteration that reaches the bound is a
                // thread that never blocks (an idle worker polling, a busy loop): a livelock, and a bug.
                FailOnMaxSteps = true,
                MemoryModel = memoryModel,
            }
        );
    }
}
