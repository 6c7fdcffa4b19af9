using BenchmarkDotNet.Attributes;
using Coyote.Binding;
using Coyote.Teeth;
using Pool.Systematic;

namespace Coyote.Comparison;

/// <summary>
/// The two engines on one test in one run: the explorer (portfolio, the baseline) and Microsoft Coyote (its default
/// portfolio, in this process, on the rewritten Coyote binding of the seam), each exploring
/// <see cref="ClassicBugs.LockedIncrements(Pool.Threading.IThreading)"/> for <see cref="Iterations"/> iterations per operation. The ratio
/// column is Coyote's time per iteration over the explorer's: how many times faster the explorer is.
/// </summary>
[MemoryDiagnoser]
public class EngineThroughput
{
    /// <summary>Iterations per exploration: the reported mean is per iteration.</summary>
    public const int Iterations = 200;

    [Benchmark(Baseline = true, OperationsPerInvoke = Iterations)]
    public bool Explorer() =>
        Pool
            .Systematic.Explorer.Run(
                ClassicBugs.LockedIncrements,
                new ExplorationOptions { Iterations = Iterations, Strategy = Strategy.Portfolio }
            )
            .BugFound;

    [Benchmark(OperationsPerInvoke = Iterations)]
    public bool Coyote() =>
        CoyoteEngine.Run(ClassicBugs.LockedIncrements, Iterations, seed: 1).BugFound;
}
