using System.Reflection;
using Coyote.Scenarios.Support;
using Pool.Systematic;
using Pool.Threading;

namespace Coyote.Tests.Suite;

/// <summary>
/// Runs every built-in [SystematicTest] scenario under the explorer with its CI budget and a fixed seed,
/// so each CI run explores the same schedules (pool-explore test runs them with larger budgets), and
/// reports an iteration that reaches the step bound as a livelock.
/// </summary>
public class BuiltInScenarioTests
{
    private const int DefaultCiIterations = 300;

    public static TheoryData<string> Scenarios()
    {
        var data = new TheoryData<string>();
        foreach (var method in All())
        {
            data.Add($"{method.DeclaringType!.Name}.{method.Name}");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void ScenarioHoldsItsInvariants(string name)
    {
        var method = All().Single(m => $"{m.DeclaringType!.Name}.{m.Name}" == name);
        var budget = method.GetCustomAttribute<SystematicTestAttribute>()!.CiIterations;
        var test = method.CreateDelegate<Action<IThreading>>();
        var report = Explorer.Run(
            test,
            new ExplorationOptions
            {
                Iterations = budget > 0 ? budget : DefaultCiIterations,
                Seed = 1,
                // No scenario needs more than a few hundred steps; an iteration that reaches the bound is a
                // thread that never blocks (an idle worker polling, a busy loop): a livelock, and a bug.
                FailOnMaxSteps = true,
            }
        );
        Assert.False(report.BugFound, $"{report.BugMessage}\ntrace: {report.Trace}");
    }

    private static IEnumerable<MethodInfo> All() =>
        typeof(Check)
            .Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => m.GetCustomAttribute<SystematicTestAttribute>() is not null)
            .OrderBy(m => m.DeclaringType!.Name)
            .ThenBy(m => m.Name);
}
