using Pool.Systematic.Strategies;

namespace Pool.Systematic;

/// <summary>Builds the strategy an <see cref="ExplorationOptions"/> names, or explains why it cannot.</summary>
internal static class StrategyFactory
{
    internal static ISchedulingStrategy Create(ExplorationOptions options) =>
        options.Strategy switch
        {
            Strategy.Random => new RandomStrategy(options.Seed),
            Strategy.Pct => new PctStrategy(options.Seed, options.PctDepth),
            Strategy.Dfs => new DfsStrategy(options.PreemptionBound),
            Strategy.Dpor => new DporStrategy(
                options.PreemptionBound,
                options.ShardIndex,
                options.ShardCount,
                new DporSearch(1, options.Order)
            ),
            Strategy.Portfolio => new PortfolioStrategy([
                new RandomStrategy(options.Seed),
                new PctStrategy(options.Seed, options.PctDepth),
                new ProbabilisticStrategy(options.Seed, switchOneIn: 10),
                new PctStrategy(options.Seed, options.PctDepth + 3),
            ]),
            _ => throw new ArgumentException(
                $"Unknown strategy {(int)options.Strategy}; use one of: {string.Join(", ", OptionNames.Strategies)}.",
                nameof(options)
            ),
        };

    /// <exception cref="ArgumentException">An option is out of range.</exception>
    internal static void Validate(ExplorationOptions options)
    {
        if (options.Iterations < 1)
        {
            throw new ArgumentException("Iterations must be at least 1.", nameof(options));
        }
        if (options.MaxSteps < 1)
        {
            throw new ArgumentException("MaxSteps must be at least 1.", nameof(options));
        }
        if (!Enum.IsDefined(options.MemoryModel))
        {
            throw new ArgumentException(
                $"Unknown memory model {(int)options.MemoryModel}; use one of: {string.Join(", ", OptionNames.MemoryModels)}.",
                nameof(options)
            );
        }
        if (options.PctDepth < 1)
        {
            throw new ArgumentException("PctDepth must be at least 1.", nameof(options));
        }
        if (
            options.ShardCount < 1
            || options.ShardIndex < 0
            || options.ShardIndex >= options.ShardCount
        )
        {
            throw new ArgumentException(
                $"Shard {options.ShardIndex}/{options.ShardCount} is invalid: need 0 <= index < count.",
                nameof(options)
            );
        }
        if (options.Workers < 1)
        {
            throw new ArgumentException("Workers must be at least 1.", nameof(options));
        }
        if (options.Workers > 1 && options.Strategy != Strategy.Dpor)
        {
            throw new ArgumentException(
                $"Workers share one dpor search; {OptionNames.Of(options.Strategy)} cannot use them (shard it instead).",
                nameof(options)
            );
        }
        if (options.Order != SearchOrder.DeepestFirst && options.Strategy != Strategy.Dpor)
        {
            throw new ArgumentException(
                $"A search order is for dpor; {OptionNames.Of(options.Strategy)} has its own.",
                nameof(options)
            );
        }
        if (options.Order != SearchOrder.DeepestFirst && options.ShardCount > 1)
        {
            throw new ArgumentException(
                "Shards split the tree depth-first; a shard cannot run shallowest first.",
                nameof(options)
            );
        }
        if (options.Workers > 1 && options.ShardCount > 1)
        {
            throw new ArgumentException(
                "Workers and shards cannot be combined: a shard is a fixed part of the tree, explored by one worker.",
                nameof(options)
            );
        }
        if (options.Strategy == Strategy.Dfs && options.ShardCount > 1)
        {
            throw new ArgumentException(
                "dfs cannot be sharded: it is one ordered search (dpor can).",
                nameof(options)
            );
        }
        if (options.Strategy == Strategy.Dpor && options.MemoryModel != MemoryModel.Sc)
        {
            throw new ArgumentException(
                $"dpor explores sequential consistency only, not {OptionNames.Of(options.MemoryModel)}: store-buffer "
                    + "flushes are data choices made at reads, not operations of their own, so partial-order reduction "
                    + "cannot see which of them commute. Use dfs, random, pct or portfolio with a store-buffer model.",
                nameof(options)
            );
        }
        if (
            options.PreemptionBound is not null
            && options.Strategy is not (Strategy.Dfs or Strategy.Dpor)
        )
        {
            throw new ArgumentException(
                $"A preemption bound applies to dfs and dpor only, not {OptionNames.Of(options.Strategy)}.",
                nameof(options)
            );
        }
        if (options.PreemptionBound is < 0)
        {
            throw new ArgumentException("PreemptionBound cannot be negative.", nameof(options));
        }
        if (options.Watchdog <= TimeSpan.Zero)
        {
            throw new ArgumentException("Watchdog must be positive.", nameof(options));
        }
        _ = Create(options);
    }
}
