using Coyote.Scenarios.Pool;
using Pool;
using Pool.Systematic;
using Pool.Threading;
using Xunit.Abstractions;

namespace Coyote.Tests.Mutation;

/// <summary>
/// Each pool mutant must be killed by a built-in scenario within the CI budget (docs/verification.md).
/// The mutant switch is process-global, so this assembly runs its tests one at a time.
/// </summary>
public class PoolMutantTests(ITestOutputHelper output)
{
    public static TheoryData<string, string, string> Kills() =>
        new()
        {
            {
                nameof(Mutant.DestroyWaitsWithIf),
                nameof(PoolScenarios.DestroyFromTaskWhileOthersWork),
                "portfolio"
            },
            {
                nameof(Mutant.UnlockedThreadCount),
                nameof(PoolScenarios.CountStaysExact),
                "portfolio"
            },
            {
                nameof(Mutant.DestroyForgetsLateTasks),
                nameof(PoolScenarios.DestroyFromOutsideWithPending),
                "portfolio"
            },
        };

    [Theory]
    [MemberData(nameof(Kills))]
    public void ScenarioKillsMutant(string mutant, string scenario, string strategy)
    {
        var test = typeof(PoolScenarios).GetMethod(scenario)!.CreateDelegate<Action<IThreading>>();
        var report = WithMutant(
            Enum.Parse<Mutant>(mutant),
            () =>
                Explorer.Run(
                    test,
                    new ExplorationOptions
                    {
                        Iterations = 2000,
                        Strategy = strategy,
                        Seed = 1,
                    }
                )
        );
        output.WriteLine(
            $"{mutant}: killed={report.BugFound} at iteration {report.BugIteration} ({report.BugStrategy}), "
                + $"preemptions {report.OriginalPreemptions} -> {report.Preemptions}, steps {report.OriginalSteps} -> {report.Steps}: {report.BugMessage}"
        );
        Assert.True(
            report.BugFound,
            $"{mutant} survived {report.Iterations} iterations of {scenario}"
        );
        Assert.True(report.Preemptions <= report.OriginalPreemptions);
        var replay = WithMutant(
            Enum.Parse<Mutant>(mutant),
            () => Explorer.Replay(test, report.Trace!)
        );
        Assert.Equal(report.BugMessage, replay.BugMessage);
    }

    private static T WithMutant<T>(Mutant mutant, Func<T> body)
    {
        Mutants.Active = mutant;
        try
        {
            return body();
        }
        finally
        {
            Mutants.Active = Mutant.None;
        }
    }
}
