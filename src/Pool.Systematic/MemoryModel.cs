namespace Pool.Systematic;

/// <summary>
/// Which reorderings of atomic writes the explorer explores (docs/explorer.md). On the command line each member is its
/// name in lower case (<see cref="OptionNames"/>).
/// </summary>
public enum MemoryModel
{
    /// <summary>Sequential consistency: every write is visible to every thread at once.</summary>
    Sc,

    /// <summary>
    /// x86-TSO: a write of <see cref="Pool.Threading.IAtomicInt64.Write"/> waits in its thread's store buffer, and at each
    /// read of that atomic by another thread the strategy chooses whether it has reached memory; the thread's own reads
    /// see it first. Read-modify-writes, <see cref="Pool.Threading.IThreading.MemoryBarrier"/>, lock and condition
    /// operations, starting a thread, joining one (both buffers) and sleeping drain the buffer.
    /// </summary>
    Tso,

    /// <summary>
    /// As <see cref="Tso"/>, and a <see cref="Pool.Threading.IAtomicInt64.WriteRelaxed"/> may reach memory before older
    /// writes to other atomics (as on ARM64); a release write never does.
    /// </summary>
    Pso,
}
