namespace Pool.Systematic;

/// <summary>How an exploration runs. Same options and seed: same iterations, same bug, same trace.</summary>
public sealed record ExplorationOptions
{
    /// <summary>Iterations to run (each one interleaving); default 1000. Must be positive.</summary>
    public int Iterations { get; init; } = 1000;

    /// <summary><c>random</c>, <c>pct</c>, <c>dfs</c> or <c>portfolio</c> (the default).</summary>
    public string Strategy { get; init; } = "portfolio";

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
    /// The memory model the controlled atomics follow: <c>"sc"</c> (default: every write is visible to every thread
    /// at once) or <c>"tso"</c> (x86-TSO: a write of <see cref="Pool.Threading.IAtomicInt64.Write"/> waits in its
    /// thread's store buffer, and at each read of that atomic by another thread the strategy chooses whether it has
    /// reached memory; the thread's own reads see it first;
    /// read-modify-writes, <see cref="Pool.Threading.IThreading.MemoryBarrier"/>, lock and condition operations,
    /// starting a thread, joining one (both buffers) and sleeping drain the buffer), or <c>"pso"</c> (as "tso", and a
    /// <see cref="Pool.Threading.IAtomicInt64.WriteRelaxed"/> may reach memory before older writes to other atomics;
    /// a release write never does). See docs/explorer.md.
    /// </summary>
    public string MemoryModel { get; init; } = "sc";

    /// <summary>dfs only: the most preemptions a schedule may contain; null for unbounded.</summary>
    public int? PreemptionBound { get; init; }

    /// <summary>
    /// Real time a controlled thread may run without reaching a scheduling point before the run is
    /// reported as uncontrolled blocking (code that blocks behind the abstraction's back); default 10 s.
    /// </summary>
    public TimeSpan Watchdog { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Run only the iterations whose 0-based index i has <c>i % ShardCount == ShardIndex</c>, so that
    /// disjoint shards of one exploration can run in different processes or machines. Not for dfs.
    /// </summary>
    public int ShardIndex { get; init; }

    /// <summary>Number of shards; default 1 (no sharding).</summary>
    public int ShardCount { get; init; } = 1;

    /// <summary>Called on the exploring thread after every iteration with the count run so far; null for none.</summary>
    public Action<int>? Progress { get; init; }
}
