using BenchmarkDotNet.Attributes;
using Pool.Systematic;
using Pool.Threading;

namespace Pool.Benchmarks;

/// <summary>
/// Iterations per second of the explorer under each of its strategies on <see cref="LockedIncrements"/> (3 controlled
/// threads, about 30 scheduling points; tests/Coyote/Comparison's EngineThroughput sets Coyote beside it). One
/// benchmark operation is one exploration of <see cref="Iterations"/> iterations; the reported mean is per iteration.
/// </summary>
[MemoryDiagnoser]
public class ExplorerThroughput
{
    /// <summary>Iterations per exploration: the per-iteration cost is the reported mean divided by this.</summary>
    public const int Iterations = 200;

    [Params(Strategy.Random, Strategy.Pct, Strategy.Portfolio)]
    public Strategy Strategy { get; set; } = Strategy.Random;

    [Benchmark(OperationsPerInvoke = Iterations)]
    public bool Explore() =>
        Explorer
            .Run(
                LockedIncrements,
                new ExplorationOptions { Iterations = Iterations, Strategy = Strategy }
            )
            .BugFound;

    /// <summary>
    /// Two threads add 1 to a counter four times each under a lock; the main thread joins them and checks the sum.
    /// The same test as tests/Coyote/Teeth's <c>ClassicBugs.LockedIncrements</c>, so the two benchmarks compare.
    /// </summary>
    public static void LockedIncrements(IThreading threading)
    {
        var gate = threading.CreateLock();
        var counter = threading.CreateAtomic();
        void Work()
        {
            for (var i = 0; i < 4; i++)
            {
                gate.Enter();
                counter.Add(1);
                gate.Exit();
            }
        }
        var a = threading.Start(Work, "a");
        var b = threading.Start(Work, "b");
        a.Join();
        b.Join();
        if (counter.Read() != 8)
        {
            throw new InvalidOperationException(
                $"lost increment: the counter is {counter.Read()}, not 8"
            );
        }
    }
}
