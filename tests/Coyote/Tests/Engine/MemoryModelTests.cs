using Coyote.Teeth;
using Pool.Systematic;
using Pool.Threading;

namespace Coyote.Tests.Engine;

/// <summary>
/// The "tso" memory model has teeth and no false alarms: the litmus tests that x86-TSO breaks fail under it (and
/// replay), their fenced versions and message passing never do, and under "sc" nothing fails.
/// </summary>
public class MemoryModelTests
{
    public static TheoryData<string> Reorderable() =>
        [nameof(Litmus.StoreBuffering), nameof(Litmus.Dekker), nameof(Litmus.Peterson)];

    public static TheoryData<string> Ordered() =>
        [
            nameof(Litmus.StoreBufferingFenced),
            nameof(Litmus.DekkerFenced),
            nameof(Litmus.PetersonFenced),
            nameof(Litmus.MessagePassing),
            nameof(Litmus.MessagePassingRelaxed),
        ];

    public static TheoryData<string> OrderedUnderPso() =>
        [
            nameof(Litmus.StoreBufferingFenced),
            nameof(Litmus.DekkerFenced),
            nameof(Litmus.PetersonFenced),
            nameof(Litmus.MessagePassing),
        ];

    [Theory]
    [MemberData(nameof(Reorderable))]
    [InlineData(nameof(Litmus.MessagePassingRelaxed))]
    public void PsoFindsTheReorderingAndReplaysIt(string program)
    {
        AssertFoundAndReplayed(
            program,
            Explore(program, MemoryModel.Pso, Strategy.Portfolio, 5000),
            "pso"
        );
    }

    [Theory]
    [MemberData(nameof(OrderedUnderPso))]
    public void PsoFindsNothingWhereReleaseWritesAndFencesOrderTheCode(string program) =>
        AssertClean(Explore(program, MemoryModel.Pso, Strategy.Portfolio, 5000));

    [Theory]
    [MemberData(nameof(Reorderable))]
    public void TsoFindsTheReorderingAndReplaysIt(string program)
    {
        // pct needs the most (a median of thousands on Dekker and Peterson): its priorities keep one thread running,
        // and a reordering needs both threads to run between a write and its flush.
        foreach (
            var (strategy, budget) in new[]
            {
                (Strategy.Random, 2000),
                (Strategy.Portfolio, 5000),
                (Strategy.Pct, 20_000),
            }
        )
        {
            var report = Explore(program, MemoryModel.Tso, strategy, budget);
            AssertFoundAndReplayed(program, report, "tso");
            Assert.Contains("both threads", report.BugMessage);
        }
    }

    [Theory]
    [MemberData(nameof(Reorderable))]
    [MemberData(nameof(Ordered))]
    public void SequentialConsistencyFindsNothing(string program) =>
        AssertClean(Explore(program, MemoryModel.Sc, Strategy.Portfolio, 5000));

    [Theory]
    [MemberData(nameof(Ordered))]
    public void TsoFindsNothingWhereTheCodeIsFenced(string program) =>
        AssertClean(Explore(program, MemoryModel.Tso, Strategy.Portfolio, 5000));

    [Theory]
    [InlineData(nameof(Litmus.StoreBufferingFenced))]
    [InlineData(nameof(Litmus.DekkerFenced))]
    [InlineData(nameof(Litmus.MessagePassing))]
    [InlineData(nameof(Litmus.MessagePassingRelaxed))]
    public void TsoExhaustsEveryScheduleOfTheFencedLoopFreeTests(string program)
    {
        var report = Explorer.Run(
            Test(program),
            new ExplorationOptions
            {
                Iterations = 200_000,
                Strategy = Strategy.Dfs,
                MemoryModel = MemoryModel.Tso,
            }
        );
        Assert.False(report.BugFound, report.BugMessage);
        Assert.True(report.Exhausted, $"{report.Iterations} schedules and not exhausted");
    }

    [Fact]
    public void AnUnknownMemoryModelIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Explorer.Run(_ => { }, new ExplorationOptions { MemoryModel = (MemoryModel)42 })
        );
        Assert.Contains("Unknown memory model 42; use one of: sc, tso, pso", error.Message);
    }

    private static ExplorationReport Explore(
        string program,
        MemoryModel memoryModel,
        Strategy strategy,
        int iterations
    ) =>
        Explorer.Run(
            Test(program),
            new ExplorationOptions
            {
                Iterations = iterations,
                Strategy = strategy,
                Seed = 1,
                MemoryModel = memoryModel,
            }
        );

    private static void AssertClean(ExplorationReport report) =>
        Assert.False(report.BugFound, report.BugMessage);

    // The trace names its memory model, so replay needs no options.
    private static void AssertFoundAndReplayed(
        string program,
        ExplorationReport report,
        string memoryModel
    )
    {
        Assert.True(report.BugFound, $"{memoryModel} missed the reordering in {program}");
        Assert.StartsWith($"pool-trace/1/{memoryModel}:", report.Trace);
        Assert.Equal(report.BugMessage, Explorer.Replay(Test(program), report.Trace!).BugMessage);
    }

    private static Action<IThreading> Test(string name) =>
        typeof(Litmus).GetMethod(name, [typeof(IThreading)])!.CreateDelegate<Action<IThreading>>();
}
