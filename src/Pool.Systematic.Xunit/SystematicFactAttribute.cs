using System.Runtime.CompilerServices;
using Xunit;
using Xunit.v3;

namespace Pool.Systematic.Xunit;

/// <summary>
/// Marks a method <c>void M(IThreading threading)</c> as one xunit test that explores the method under Pool.Systematic's
/// controlled scheduler, many interleavings per run. The options have the names and defaults of <c>pool-explore test</c>
/// (<see cref="SystematicSettings"/>); the environment variable <see cref="SystematicSettings.ScaleVariable"/> scales
/// every budget of a run without touching code.
/// </summary>
/// <remarks>
/// A bug fails the test with its message, the minimised interleaving as a step grid, the seed and strategy, and the line
/// that replays it; the trace and the HTML timeline are attached to the test result. The method may be static or an
/// instance method; an instance method runs on one instance of the class for every iteration, so keep the state of an
/// iteration in locals.
/// </remarks>
[XunitTestCaseDiscoverer(typeof(SystematicFactDiscoverer))]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class SystematicFactAttribute(
    [CallerFilePath] string? sourceFilePath = null,
    [CallerLineNumber] int sourceLineNumber = -1
) : FactAttribute(sourceFilePath, sourceLineNumber)
{
    private static readonly SystematicSettings Defaults = new();

    /// <summary>Iterations to run (<c>--iterations</c>); default 10000. Must be positive.</summary>
    public int Iterations { get; set; } = Defaults.Iterations;

    /// <summary>The strategy's name (<c>--strategy</c>: <c>portfolio</c>, <c>random</c>, <c>pct</c>, <c>dfs</c>, ...); default <c>portfolio</c>.</summary>
    public string Strategy { get; set; } = Defaults.Strategy;

    /// <summary>PCT bug depth (<c>--pct-depth</c>); default 3. Must be at least 1.</summary>
    public int PctDepth { get; set; } = Defaults.PctDepth;

    /// <summary>The memory model's name (<c>--memory-model</c>: <c>sc</c>, <c>tso</c>, <c>pso</c>); default <c>sc</c>.</summary>
    public string MemoryModel { get; set; } = Defaults.MemoryModel;

    /// <summary>Seed of every random choice (<c>--seed</c>); default 0.</summary>
    public ulong Seed { get; set; } = Defaults.Seed;

    /// <summary>Scheduling steps per iteration before it is cut off (<c>--max-steps</c>); default 10000. Must be positive.</summary>
    public int MaxSteps { get; set; } = Defaults.MaxSteps;

    /// <summary>Report an iteration that reaches <see cref="MaxSteps"/> as a livelock (<c>--fail-on-max-steps</c>).</summary>
    public bool FailOnMaxSteps { get; set; } = Defaults.FailOnMaxSteps;

    /// <summary>
    /// The most preemptions a schedule may contain, for the strategies that bound them (<c>dfs</c>); -1, the default,
    /// for no bound. Any other negative value is an error.
    /// </summary>
    public int PreemptionBound { get; set; } = SystematicSettings.Unbounded;

    /// <summary>
    /// Stop starting iterations after this many seconds (<c>--timeout</c>); 0, the default, for no limit. Scaled with the
    /// iterations.
    /// </summary>
    public int TimeLimitSeconds { get; set; }

    /// <summary>
    /// A trace to replay instead of exploring: a <c>.trace</c> file (a path relative to the test's working directory,
    /// or absolute) or the trace text itself (<c>pool-trace/1:...</c>). The test then runs that one schedule, so a
    /// breakpoint in the code under test is hit at the failing step.
    /// </summary>
    public string? Replay { get; set; }

    /// <summary>The attribute's options as settings.</summary>
    public SystematicSettings ToSettings() =>
        new()
        {
            Iterations = Iterations,
            Strategy = Strategy,
            PctDepth = PctDepth,
            MemoryModel = MemoryModel,
            Seed = Seed,
            MaxSteps = MaxSteps,
            FailOnMaxSteps = FailOnMaxSteps,
            PreemptionBound = PreemptionBound,
            TimeLimitSeconds = TimeLimitSeconds,
            Replay = Replay,
        };
}
