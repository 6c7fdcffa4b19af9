namespace Pool.Systematic;

/// <summary>How an exploration runs. Same options and seed: same iterations, same bug, same trace.</summary>
public sealed record ExplorationOptions
{
    /// <summary>Iterations to run (each one interleaving); default 1000. Must be positive.</summary>
    public int Iterations { get; init; } = 1000;

    /// <summary>How the next thread is picked; default <see cref="Systematic.Strategy.Portfolio"/>.</summary>
    public Strategy Strategy { get; init; } = Strategy.Portfolio;

    /// <summary>PCT bug depth d (d-1 priority change points); default 3. Must be at least 1.</summary>
    public int PctDepth { get; init; } = 3;

    /// <summary>Seed of every random choice; default 0.</summary>
    public ulong Seed { get; init; }

    /// <summary>Scheduling steps per iteration before it is cut off; default 10000.</summary>
    public int MaxSteps { get; init; } = 10000;

    /// <summary>When true, an iteration that reaches <see cref="MaxSteps"/> is a bug (livelock); default false.</summary>
    public bool FailOnMaxSteps { get; init; }

    /// <summary>Shrink a failing schedule (fewest preemptions, then fewest steps); default true.</summary>
    public bool Minimize { get; init; } = true;

    /// <summary>Stop starting new iterations after this much real time; null for no limit.</summary>
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>
    /// The memory model the controlled atomics follow; default <see cref="Systematic.MemoryModel.Sc"/>. See
    /// docs/explorer.md.
    /// </summary>
    public MemoryModel MemoryModel { get; init; } = MemoryModel.Sc;

    /// <summary>
    /// <see cref="Systematic.Strategy.Dfs"/> and <see cref="Systematic.Strategy.Dpor"/> only: the most preemptions a
    /// schedule may contain (a switch away from a thread that could go on); null for unbounded. Must not be negative.
    /// </summary>
    public int? PreemptionBound { get; init; }

    /// <summary>
    /// Real time a controlled thread may run without reaching a scheduling point before the run is
    /// reported as uncontrolled blocking (code that blocks behind the abstraction's back); default 10 s.
    /// </summary>
    public TimeSpan Watchdog { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Run only the iterations whose 0-based index i has <c>i % ShardCount == ShardIndex</c>, so that
    /// disjoint shards of one exploration can run in different processes or machines. Under
    /// <see cref="Systematic.Strategy.Dpor"/> the search tree is split instead: every shard branches on every thread at
    /// the first few decisions and takes every ShardCount-th subtree below them, so the shards cover the whole tree
    /// between them, each part once. Not for <see cref="Systematic.Strategy.Dfs"/>.
    /// </summary>
    public int ShardIndex { get; init; }

    /// <summary>Number of shards; default 1 (no sharding).</summary>
    public int ShardCount { get; init; } = 1;

    /// <summary>
    /// <see cref="Systematic.Strategy.Dpor"/> only: threads that explore the one search together, sharing its tree
    /// (an idle worker takes an unexplored branch another worker's races added); default 1. Iterations, the time limit
    /// and the first bug are shared: the first bug stops every worker. Not with shards.
    /// </summary>
    public int Workers { get; init; } = 1;

    /// <summary>
    /// <see cref="Systematic.Strategy.Dpor"/> only: which unexplored alternative runs next; default
    /// <see cref="SearchOrder.DeepestFirst"/>. Not with shards.
    /// </summary>
    public SearchOrder Order { get; init; } = SearchOrder.DeepestFirst;

    /// <summary>
    /// Count every scheduling point the code under test reaches, by operation and source line, and the thread
    /// switches made there (<see cref="ExplorationReport.Coverage"/>); default false. Costly: a stack walk per point.
    /// </summary>
    public bool Coverage { get; init; }

    /// <summary>Called on the exploring thread after every iteration with the count run so far; null for none.</summary>
    public Action<int>? Progress { get; init; }

    /// <summary>Throws when the options cannot run together (the checks <see cref="Explorer.Run"/> makes first).</summary>
    /// <exception cref="ArgumentException">
    /// An option is out of range, or two cannot be combined (dpor under a store-buffer model, a preemption bound on a
    /// sampling strategy, dfs with shards, workers with a strategy other than dpor or with shards).
    /// </exception>
    public void Validate() => StrategyFactory.Validate(this);
}
