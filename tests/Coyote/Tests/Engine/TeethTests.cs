using Coyote.Teeth;
using Pool.Systematic;
using Pool.Threading;

namespace Coyote.Tests.Engine;

/// <summary>
/// The engine has teeth: it finds each classic bug within a stated budget under pct and portfolio, dfs finds
/// each bug or exhausts the correct version, every bug replays, minimisation never adds preemptions, and no
/// correct version ever reports a bug.
/// </summary>
public class TeethTests
{
    /// <summary>Iterations within which pct and portfolio must find each bug (seed 1 and seed 2).</summary>
    private const int BugBudget = 1000;

    /// <summary>Schedules each correct version must pass.</summary>
    private const int CorrectSchedules = 10_000;

    public static TheoryData<string, Strategy> Bugs() =>
        new()
        {
            { nameof(ClassicBugs.LostUpdate), Strategy.Pct },
            { nameof(ClassicBugs.LostUpdate), Strategy.Portfolio },
            { nameof(ClassicBugs.LockOrderDeadlock), Strategy.Pct },
            { nameof(ClassicBugs.LockOrderDeadlock), Strategy.Portfolio },
            { nameof(ClassicBugs.TwoPreemptionOrdering), Strategy.Pct },
            { nameof(ClassicBugs.TwoPreemptionOrdering), Strategy.Portfolio },
            { nameof(ClassicBugs.BoundedBufferWithIf), Strategy.Pct },
            { nameof(ClassicBugs.BoundedBufferWithIf), Strategy.Portfolio },
            { nameof(ClassicBugs.MissedWakeupWithSignal), Strategy.Pct },
            { nameof(ClassicBugs.MissedWakeupWithSignal), Strategy.Portfolio },
        };

    public static TheoryData<string> CorrectPrograms() =>
        [
            nameof(ClassicBugs.LostUpdateFixed),
            nameof(ClassicBugs.LockOrderFixed),
            nameof(ClassicBugs.TwoPreemptionOrderingFixed),
            nameof(ClassicBugs.BoundedBufferWithWhile),
            nameof(ClassicBugs.MissedWakeupFixedWithBroadcast),
        ];

    [Theory]
    [MemberData(nameof(Bugs))]
    public void FindsBugWithinBudgetReplaysAndMinimises(string program, Strategy strategy)
    {
        var test = Program(program);
        foreach (var seed in new ulong[] { 1, 2 })
        {
            var report = Explorer.Run(
                test,
                new ExplorationOptions
                {
                    Iterations = BugBudget,
                    Strategy = strategy,
                    Seed = seed,
                }
            );
            Assert.True(
                report.BugFound,
                $"{program} not found by {strategy} (seed {seed}) in {BugBudget} iterations"
            );
            Assert.True(report.Preemptions <= report.OriginalPreemptions);
            var replay = Explorer.Replay(test, report.Trace!);
            Assert.True(replay.BugFound, $"replay of {program} did not fail");
            Assert.Equal(report.BugKind, replay.BugKind);
            Assert.Equal(report.BugMessage, replay.BugMessage);
        }
    }

    /// <summary>The buffers' bugs need one preemption; a bound of 1 reaches them within CI time.</summary>
    [Theory]
    [InlineData(nameof(ClassicBugs.LostUpdate), null)]
    [InlineData(nameof(ClassicBugs.LockOrderDeadlock), null)]
    [InlineData(nameof(ClassicBugs.TwoPreemptionOrdering), null)]
    [InlineData(nameof(ClassicBugs.BoundedBufferWithIf), 1)]
    [InlineData(nameof(ClassicBugs.MissedWakeupWithSignal), 1)]
    public void DfsFindsEveryBugBeforeExhausting(string program, int? preemptionBound)
    {
        var report = Explorer.Run(
            Program(program),
            new ExplorationOptions
            {
                Iterations = 100_000,
                Strategy = Strategy.Dfs,
                PreemptionBound = preemptionBound,
            }
        );
        Assert.True(report.BugFound, program);
        Assert.False(report.Exhausted);
    }

    /// <summary>The buffers have too many schedules to enumerate in CI; they are proven within 1 preemption (the bugs of their broken versions need 1).</summary>
    [Theory]
    [InlineData(nameof(ClassicBugs.LostUpdateFixed), null)]
    [InlineData(nameof(ClassicBugs.LockOrderFixed), null)]
    [InlineData(nameof(ClassicBugs.TwoPreemptionOrderingFixed), null)]
    [InlineData(nameof(ClassicBugs.BoundedBufferWithWhile), 1)]
    [InlineData(nameof(ClassicBugs.MissedWakeupFixedWithBroadcast), 1)]
    public void DfsProvesCorrectVersions(string program, int? preemptionBound)
    {
        var report = Explorer.Run(
            Program(program),
            new ExplorationOptions
            {
                Iterations = 1_000_000,
                Strategy = Strategy.Dfs,
                PreemptionBound = preemptionBound,
            }
        );
        Assert.False(report.BugFound, report.BugMessage);
        Assert.True(
            report.Exhausted,
            $"{program}: dfs stopped after {report.Iterations} schedules"
        );
        Assert.Equal(report.Iterations, report.DistinctSchedules);
    }

    [Theory]
    [MemberData(nameof(CorrectPrograms))]
    public void CorrectVersionsNeverReportABug(string program)
    {
        var report = Explorer.Run(
            Program(program),
            new ExplorationOptions { Iterations = CorrectSchedules, Seed = 7 }
        );
        Assert.False(report.BugFound, report.BugMessage);
        Assert.Equal(CorrectSchedules, report.Iterations);
    }

    /// <summary>
    /// Two threads of two steps each (a thread's first step runs it from its start to its first scheduling
    /// point; its second performs its one atomic operation and ends): the schedules are the interleavings of
    /// two sequences of two, C(4,2) = 6. With k operations per thread, C(2(k+1), k+1).
    /// </summary>
    [Theory]
    [InlineData(1, 6)]
    [InlineData(2, 20)]
    [InlineData(3, 70)]
    public void DfsEnumeratesExactlyTheInterleavings(int operationsPerThread, int expected)
    {
        void Test(IThreading threading)
        {
            var x = threading.CreateAtomic();
            for (var t = 0; t < 2; t++)
            {
                threading.Start(() =>
                {
                    for (var i = 0; i < operationsPerThread; i++)
                    {
                        x.Add(1);
                    }
                });
            }
        }
        var report = Explorer.Run(
            Test,
            new ExplorationOptions { Iterations = 10_000, Strategy = Strategy.Dfs }
        );
        Assert.True(report.Exhausted);
        Assert.Equal(expected, report.Iterations);
        Assert.Equal(expected, report.DistinctSchedules);
    }

    private static Action<IThreading> Program(string name) =>
        typeof(ClassicBugs)
            .GetMethod(name, [typeof(IThreading)])!
            .CreateDelegate<Action<IThreading>>();
}
