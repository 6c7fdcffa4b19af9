using BenchmarkDotNet.Attributes;
using Pool.Systematic;
using Pool.Threading;

namespace Pool.Benchmarks;

/// <summary>
/// Iterations per second of the explorer on a test of 3 controlled threads and about 30 scheduling points
/// (the test body starts two workers; each takes a lock and bumps a counter 4 times, then the body joins).
/// One benchmark operation is one exploration of <see cref="Iterations"/> iterations.
/// </summary>
[MemoryDiagnoser]
public class ExplorerThroughput
{
    /// <summary>Iterations per exploration: the per-iteration cost is the reported mean divided by this.</summary>
    public const int Iterations = 1000;

    [Params("random", "pct", "portfolio")]
    public string Strategy { get; set; } = "random";

    [Benchmark(OperationsPerInvoke = Iterations)]
    public bool Explore() =>
        Explorer
            .Run(
                ThreeThreads,
                new ExplorationOptions { Iterations = Iterations, Strategy = Strategy }
            )
            .BugFound;

    internal static void ThreeThreads(IThreading threading)
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
            throw new InvalidOperationException("lost increment");
        }
    }
}
