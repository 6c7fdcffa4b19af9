using BenchmarkDotNet.Attributes;
using Pool.Systematic;

namespace Pool.Benchmarks;

/// <summary>
/// The cost of one <c>dpor</c> schedule beside one <c>random</c> schedule on the same test,
/// <see cref="ExplorerThroughput.LockedIncrements"/>. dpor runs the whole search: one schedule per order in which the
/// two threads take the lock (<see cref="Schedules"/> of them), plus the iterations its sleep sets cut short, whose
/// cost it carries; random runs as many schedules. The reported mean is per schedule.
/// </summary>
[MemoryDiagnoser]
public class DporScheduleCost
{
    /// <summary>The classes of equivalent schedules of the test: 8 lock sections of two threads, C(8, 4) orders.</summary>
    public const int Schedules = 70;

    [Params(Strategy.Random, Strategy.Dpor)]
    public Strategy Strategy { get; set; } = Strategy.Random;

    /// <summary>Checks the per-schedule division: dpor must finish in exactly <see cref="Schedules"/> schedules.</summary>
    [GlobalSetup]
    public void CheckTheSearch()
    {
        var report = Run();
        if (Strategy == Strategy.Dpor && (!report.Exhausted || report.Schedules != Schedules))
        {
            throw new InvalidOperationException(
                $"dpor ran {report.Schedules} schedules ({report.Verdict}), not {Schedules}: the mean is not per schedule."
            );
        }
    }

    [Benchmark(OperationsPerInvoke = Schedules)]
    public bool Explore() => Run().BugFound;

    private ExplorationReport Run() =>
        Explorer.Run(
            ExplorerThroughput.LockedIncrements,
            new ExplorationOptions
            {
                Iterations = Strategy == Strategy.Dpor ? 100 * Schedules : Schedules,
                Strategy = Strategy,
            }
        );
}
