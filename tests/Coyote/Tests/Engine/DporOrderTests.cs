using Pool.Systematic;
using Pool.Threading;
using Xunit.Abstractions;

namespace Coyote.Tests.Engine;

/// <summary>
/// The two orders of a dpor search (<see cref="SearchOrder"/>) run the same search: shallowest first finishes with
/// exactly the classes of schedules, final outcomes, bugs and schedule counts of depth-first, each class once without a
/// bound, and within bounds 0-2 the same classes and outcomes; and it meets a bug that needs an early switch before
/// the depth-first search does.
/// </summary>
public class DporOrderTests(ITestOutputHelper output)
{
    private const int Budget = 100_000;

    public static TheoryData<string> Programs => [.. DporTests.Corpus.Keys];

    public static TheoryData<string> ClassPrograms => [.. DporShardTests.Corpus.Keys];

    [Theory]
    [MemberData(nameof(Programs))]
    public void ShallowestFirstReachesWhatDepthFirstReaches(string name)
    {
        var deep = DporParallelTests.Explore(name, Options(null, SearchOrder.DeepestFirst));
        var shallow = DporParallelTests.Explore(name, Options(null, SearchOrder.ShallowestFirst));
        Assert.Equal(deep.Report.BugKind, shallow.Report.BugKind);
        if (deep.Report.BugFound)
        {
            var replay = Explorer.Replay(
                threading => DporTests.Corpus[name](threading),
                shallow.Report.Trace!
            );
            Assert.Equal(shallow.Report.BugKind, replay.BugKind);
            return;
        }
        Assert.True(shallow.Report.Exhausted, $"{name}: {shallow.Report.Verdict}");
        Assert.Equal(
            deep.Outcomes.Order(StringComparer.Ordinal),
            shallow.Outcomes.Order(StringComparer.Ordinal)
        );
        Assert.Equal(deep.Report.Schedules, shallow.Report.Schedules);
    }

    [Theory]
    [MemberData(nameof(ClassPrograms))]
    public void ShallowestFirstRunsEveryClassOnce(string name)
    {
        foreach (var bound in new int?[] { null, 0, 1, 2 })
        {
            var deep = DporParallelTests.ExploreClasses(
                name,
                Options(bound, SearchOrder.DeepestFirst)
            );
            var shallow = DporParallelTests.ExploreClasses(
                name,
                Options(bound, SearchOrder.ShallowestFirst)
            );
            Assert.True(
                shallow.Report.Exhausted,
                $"{name}, bound {bound}: {shallow.Report.Verdict}"
            );
            Assert.Equal(
                deep.Classes.Order(StringComparer.Ordinal),
                shallow.Classes.Order(StringComparer.Ordinal)
            );
            Assert.Equal(
                deep.Outcomes.Order(StringComparer.Ordinal),
                shallow.Outcomes.Order(StringComparer.Ordinal)
            );
            Assert.Equal(deep.Report.Schedules, shallow.Report.Schedules);
            if (bound is null)
            {
                Assert.Equal(shallow.Classes.Count, shallow.Completed); // no class twice
            }
        }
    }

    /// <summary>
    /// The second thread fails when it runs all its steps before the first thread's first one; both bump one counter
    /// four times, so the tree has 70 classes below the first decision, which a depth-first search runs before it
    /// turns to the first decision's alternative.
    /// </summary>
    [Fact]
    public void ShallowestFirstMeetsAnEarlySwitchFirst()
    {
        var deep = Explorer.Run(EarlyRace, Options(null, SearchOrder.DeepestFirst));
        var shallow = Explorer.Run(EarlyRace, Options(null, SearchOrder.ShallowestFirst));
        output.WriteLine(
            $"shallowest first: schedule {shallow.BugIteration}; depth-first: schedule {deep.BugIteration}"
        );
        Assert.True(deep.BugFound, deep.Verdict);
        Assert.True(shallow.BugFound, shallow.Verdict);
        Assert.True(
            shallow.BugIteration < deep.BugIteration,
            $"shallowest first met the bug at schedule {shallow.BugIteration}, depth-first at {deep.BugIteration}"
        );
        Assert.InRange(shallow.BugIteration!.Value, 1, 3);
    }

    [Fact]
    public void TheStrategyNameSaysTheOrder()
    {
        Assert.Equal(
            "dpor(preemptions<=2, shallowest first)",
            StrategyFactory.Create(Options(2, SearchOrder.ShallowestFirst)).Name
        );
        Assert.Equal("dpor", StrategyFactory.Create(Options(null, SearchOrder.DeepestFirst)).Name);
    }

    private static void EarlyRace(IThreading threading)
    {
        var started = threading.CreateAtomic();
        var counter = threading.CreateAtomic();
        var first = threading.Start(
            () =>
            {
                started.Write(1);
                for (var i = 0; i < 4; i++)
                {
                    counter.Add(1);
                }
            },
            "first"
        );
        var second = threading.Start(
            () =>
            {
                for (var i = 0; i < 4; i++)
                {
                    counter.Add(1);
                }
                if (started.Read() == 0)
                {
                    throw new InvalidOperationException(
                        "the second thread finished before the first began"
                    );
                }
            },
            "second"
        );
        first.Join();
        second.Join();
    }

    private static ExplorationOptions Options(int? bound, SearchOrder order) =>
        new()
        {
            Strategy = Strategy.Dpor,
            PreemptionBound = bound,
            Iterations = Budget,
            Minimize = false,
            Order = order,
        };
}
