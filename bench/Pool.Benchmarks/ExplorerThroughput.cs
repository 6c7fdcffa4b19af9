using BenchmarkDotNet.Attributes;
using Coyote.Teeth;
using Pool.Systematic;

namespace Pool.Benchmarks;

/// <summary>
/// Iterations per second of the explorer under each of its strategies on <see cref="ClassicBugs.LockedIncrements(Pool.Threading.IThreading)"/>
/// (3 controlled threads, about 30 scheduling points; <see cref="EngineThroughput"/> sets Coyote beside it). One
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
                ClassicBugs.LockedIncrements,
                new ExplorationOptions { Iterations = Iterations, Strategy = Strategy }
            )
            .BugFound;
}
