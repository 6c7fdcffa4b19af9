namespace Pool.Systematic.Runtime;

/// <summary>
/// A write waiting in its thread's store buffer (the "tso" memory model), and how many reads of its atomic by
/// other threads have already chosen not to see it (<see cref="Iteration.ObserveStores"/> flushes it after
/// <see cref="Iteration.MaxStaleReads"/>, as real store buffers drain in bounded time).
/// </summary>
internal sealed class StoreBufferEntry(ControlledAtomic atomic, long value, bool relaxed)
{
    /// <summary>A relaxed write: under "pso" it may reach memory before older writes to other atomics.</summary>
    internal bool Relaxed { get; } = relaxed;

    internal ControlledAtomic Atomic { get; } = atomic;

    internal long Value { get; } = value;

    internal int StaleReads { get; set; }
}
