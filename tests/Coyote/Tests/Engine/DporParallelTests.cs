using System.Text.RegularExpressions;
using Pool.Systematic;

namespace Coyote.Tests.Engine;

/// <summary>
/// One dpor search explored by several workers that share its tree (<see cref="ExplorationOptions.Workers"/>): it
/// finishes, reaches exactly what the search of one worker reaches (final outcomes, bugs, classes of equivalent
/// schedules), and without a preemption bound runs each class once, as one worker does; the first bug stops every
/// worker and its trace replays.
/// </summary>
/// <remarks>
/// The programs are those of <see cref="DporTests"/> (outcomes and bugs) and <see cref="DporShardTests"/> (which also
/// name each schedule's class, see <see cref="DporShardTests.Accesses"/>). The workers' bodies run concurrently, so the
/// results are collected under a lock, after the program's threads have finished.
/// </remarks>
public class DporParallelTests
{
    private const int Budget = 100_000;

    /// <summary>
    /// Under a preemption bound (no sleep sets) workers may run a class more than once, as one worker may; the shared
    /// search runs at most this many times the schedules of one worker.
    /// </summary>
    private const int BoundedFactor = 2;

    public static TheoryData<string, int> ProgramsAndWorkers => With(DporTests.Corpus.Keys);

    public static TheoryData<string, int> ClassProgramsAndWorkers =>
        With(DporShardTests.Corpus.Keys);

    [Theory]
    [MemberData(nameof(ProgramsAndWorkers))]
    public void WorkersReachWhatOneWorkerReaches(string name, int workers)
    {
        var alone = Explore(name, Options(bound: null, workers: 1));
        var together = Explore(name, Options(bound: null, workers));
        Assert.Equal(alone.Report.BugKind, together.Report.BugKind);
        if (alone.Report.BugFound)
        {
            // Which schedule fails first depends on how the workers interleave: a symmetric bug may fail on
            // either thread, so the failure is compared without the failing thread's name.
            Assert.Equal(
                WithoutThread(alone.Report.BugMessage),
                WithoutThread(together.Report.BugMessage)
            );
            var replay = Explorer.Replay(
                threading => DporTests.Corpus[name](threading),
                together.Report.Trace!
            );
            Assert.Equal(together.Report.BugKind, replay.BugKind);
            Assert.Equal(together.Report.BugMessage, replay.BugMessage);
            return;
        }
        Assert.True(alone.Report.Exhausted, $"one worker, {name}: {alone.Report.Verdict}");
        Assert.True(
            together.Report.Exhausted,
            $"{workers} workers, {name}: {together.Report.Verdict}"
        );
        Assert.Equal(
            alone.Outcomes.Order(StringComparer.Ordinal),
            together.Outcomes.Order(StringComparer.Ordinal)
        );
        Assert.Equal(alone.Report.Schedules, together.Report.Schedules);
        Assert.Equal(workers, together.Report.SchedulesPerWorker.Count);
        Assert.Equal(together.Report.Schedules, together.Report.SchedulesPerWorker.Sum());
    }

    private static string? WithoutThread(string? message) =>
        message is null ? null : Regex.Replace(message, "on thread '[^']*'", "on thread '…'");

    [Theory]
    [MemberData(nameof(ClassProgramsAndWorkers))]
    public void WorkersRunEveryClassOnce(string name, int workers)
    {
        var alone = ExploreClasses(name, Options(bound: null, workers: 1));
        var together = ExploreClasses(name, Options(bound: null, workers));
        Assert.True(
            together.Report.Exhausted,
            $"{workers} workers, {name}: {together.Report.Verdict}"
        );
        Assert.Equal(
            alone.Classes.Order(StringComparer.Ordinal),
            together.Classes.Order(StringComparer.Ordinal)
        );
        Assert.Equal(together.Classes.Count, together.Completed); // no class twice
        Assert.Equal(alone.Report.Schedules, together.Report.Schedules);
        Assert.Equal(
            alone.Outcomes.Order(StringComparer.Ordinal),
            together.Outcomes.Order(StringComparer.Ordinal)
        );
    }

    [Theory]
    [MemberData(nameof(ClassProgramsAndWorkers))]
    public void BoundedWorkersReachWhatOneBoundedWorkerReaches(string name, int workers)
    {
        foreach (var bound in new[] { 0, 1, 2 })
        {
            var alone = ExploreClasses(name, Options(bound, workers: 1));
            var together = ExploreClasses(name, Options(bound, workers));
            Assert.True(
                together.Report.Exhausted,
                $"{name}, bound {bound}: {together.Report.Verdict}"
            );
            Assert.Equal(
                alone.Classes.Order(StringComparer.Ordinal),
                together.Classes.Order(StringComparer.Ordinal)
            );
            Assert.Equal(
                alone.Outcomes.Order(StringComparer.Ordinal),
                together.Outcomes.Order(StringComparer.Ordinal)
            );
            Assert.InRange(together.Report.Schedules, 1, BoundedFactor * alone.Report.Schedules);
        }
    }

    [Theory]
    [InlineData(2, 2, 2)]
    [InlineData(3, 6, 2)]
    [InlineData(3, 6, 3)]
    [InlineData(4, 24, 2)]
    [InlineData(4, 24, 3)]
    [InlineData(5, 120, 2)]
    [InlineData(5, 120, 3)]
    public void ThreadsBumpingOneAtomicTakeOneSchedulePerOrderInAll(
        int threads,
        int orders,
        int workers
    )
    {
        var outcomes = new HashSet<string>();
        var program = DporTests.Bumps(threads, shared: true);
        var report = Explorer.Run(
            threading => Add(outcomes, program(threading)),
            Options(bound: null, workers)
        );
        Assert.True(report.Exhausted, report.Verdict);
        Assert.Equal(orders, report.Schedules);
        Assert.Equal(orders, outcomes.Count);
    }

    [Fact]
    public void WorkersNeedDporAndNoShards()
    {
        Assert.Throws<ArgumentException>(() =>
            Explorer.Run(_ => { }, new ExplorationOptions { Strategy = Strategy.Dfs, Workers = 2 })
        );
        Assert.Throws<ArgumentException>(() =>
            Explorer.Run(_ => { }, Options(bound: null, workers: 2) with { ShardCount = 2 })
        );
        Assert.Throws<ArgumentException>(() =>
            Explorer.Run(_ => { }, Options(bound: null, workers: 0))
        );
    }

    private static TheoryData<string, int> With(IEnumerable<string> names)
    {
        var data = new TheoryData<string, int>();
        foreach (var name in names)
        {
            data.Add(name, 2);
            data.Add(name, 3);
        }
        return data;
    }

    private static ExplorationOptions Options(int? bound, int workers) =>
        new()
        {
            Strategy = Strategy.Dpor,
            PreemptionBound = bound,
            Iterations = Budget,
            Minimize = false,
            Workers = workers,
        };

    private static void Add<T>(ICollection<T> into, T item)
    {
        lock (into)
        {
            into.Add(item);
        }
    }

    /// <summary>
    /// Explores a program of <see cref="DporTests"/> and collects its final outcomes (under a lock: workers run bodies
    /// concurrently).
    /// </summary>
    internal static (ExplorationReport Report, HashSet<string> Outcomes) Explore(
        string name,
        ExplorationOptions options
    )
    {
        var program = DporTests.Corpus[name];
        var outcomes = new HashSet<string>();
        var report = Explorer.Run(threading => Add(outcomes, program(threading)), options);
        return (report, outcomes);
    }

    /// <summary>
    /// Explores a program of <see cref="DporShardTests"/> and collects its final outcomes and the classes of the
    /// schedules that ran to their end (under a lock: workers run bodies concurrently).
    /// </summary>
    internal static Run ExploreClasses(string name, ExplorationOptions options)
    {
        var program = DporShardTests.Corpus[name];
        var outcomes = new HashSet<string>();
        var classes = new List<string>();
        var report = Explorer.Run(
            threading =>
            {
                var log = new DporShardTests.Accesses();
                var outcome = program(threading, log);
                // Reached only when the body ran to its end (a pruned iteration is unwound before it).
                Add(outcomes, outcome);
                Add(classes, log.Class());
            },
            options
        );
        return new Run(report, outcomes, [.. classes.Distinct()], classes.Count);
    }

    internal sealed record Run(
        ExplorationReport Report,
        HashSet<string> Outcomes,
        List<string> Classes,
        int Completed
    );
}
