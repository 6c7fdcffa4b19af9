using Pool.Systematic;

namespace Pool.Explorer;

/// <summary>Everything <c>pool-explore test</c> was asked to do.</summary>
internal sealed record TestSettings
{
    /// <summary>Iterations per test without <c>-i</c> and without <c>--ci</c>.</summary>
    internal const int DefaultIterations = 10_000;

    /// <summary>Iterations per test under <c>--ci</c> when the test names no budget.</summary>
    internal const int DefaultCiIterations = 1000;

    /// <summary>The seed <c>--ci</c> uses unless <c>--seed</c> is given.</summary>
    internal const ulong CiSeed = 1;

    public string? Assembly { get; init; }
    public string? Method { get; init; }
    public int? Iterations { get; init; }
    public Strategy Strategy { get; init; } = new ExplorationOptions().Strategy;
    public int PctDepth { get; init; } = new ExplorationOptions().PctDepth;
    public int? PreemptionBound { get; init; }
    public SearchOrder Order { get; init; } = new ExplorationOptions().Order;
    public MemoryModel MemoryModel { get; init; } = new ExplorationOptions().MemoryModel;
    public ulong? Seed { get; init; }
    public int MaxSteps { get; init; } = new ExplorationOptions().MaxSteps;
    public bool FailOnMaxSteps { get; init; }
    public int? TimeoutSeconds { get; init; }
    public int Parallel { get; init; } = 1;
    public ShardSpec Shard { get; init; } = ShardSpec.Whole;
    public string OutputDirectory { get; init; } = "explore-out";
    public bool Ci { get; init; }
    public string? ReportJson { get; init; }
    public bool Coverage { get; init; }

    internal int IterationsFor(DiscoveredTest test) =>
        Iterations
        ?? (
            Ci
                ? (test.CiIterations > 0 ? test.CiIterations : DefaultCiIterations)
                : DefaultIterations
        );

    internal ulong EffectiveSeed => Seed ?? (Ci ? CiSeed : 0);

    /// <summary>The exploration options of one test (a shard of it when sharded).</summary>
    internal ExplorationOptions OptionsFor(DiscoveredTest test) =>
        new()
        {
            Iterations = IterationsFor(test),
            Strategy = Strategy,
            PctDepth = PctDepth,
            PreemptionBound = PreemptionBound,
            Order = Order,
            MemoryModel = MemoryModel,
            Seed = EffectiveSeed,
            MaxSteps = MaxSteps,
            FailOnMaxSteps = FailOnMaxSteps,
            ShardIndex = Shard.Index,
            ShardCount = Shard.Count,
            Workers = SharesOneSearch ? Parallel : 1,
        };

    /// <summary>
    /// True when <see cref="Parallel"/> workers share one dpor search in this process; other strategies run one shard
    /// per worker process.
    /// </summary>
    internal bool SharesOneSearch => Parallel > 1 && Strategy == Strategy.Dpor;

    /// <summary>The command-line arguments of one shard's child process (or of the one child of a shared search).</summary>
    internal IEnumerable<string> ChildArguments(ShardSpec shard, string reportJson)
    {
        yield return "test";
        if (Assembly is not null)
        {
            yield return Assembly;
        }
        if (Method is not null)
        {
            yield return "-m";
            yield return Method;
        }
        if (Iterations is { } iterations)
        {
            yield return "-i";
            yield return iterations.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        foreach (
            var argument in new[]
            {
                "-s",
                OptionNames.Of(Strategy),
                "--pct-depth",
                PctDepth.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--memory-model",
                OptionNames.Of(MemoryModel),
                "--order",
                OptionNames.Of(Order),
                "--seed",
                EffectiveSeed.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--max-steps",
                MaxSteps.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--shard",
                shard.ToString(),
                "-o",
                OutputDirectory,
                "--report-json",
                reportJson,
            }
        )
        {
            yield return argument;
        }
        if (FailOnMaxSteps)
        {
            yield return "--fail-on-max-steps";
        }
        if (PreemptionBound is { } bound)
        {
            yield return "--preemption-bound";
            yield return bound.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (TimeoutSeconds is { } timeout)
        {
            yield return "--timeout";
            yield return timeout.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (Ci)
        {
            yield return "--ci";
        }
        if (Coverage)
        {
            yield return "--coverage";
        }
        if (SharesOneSearch)
        {
            yield return "--parallel";
            yield return Parallel.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
