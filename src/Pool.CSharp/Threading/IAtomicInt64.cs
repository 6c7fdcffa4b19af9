namespace Pool.Threading;

/// <summary>
/// A 64-bit integer shared between threads, created by <see cref="IThreading.CreateAtomic"/>. Each operation states
/// its memory ordering (in the terms of the .NET memory model, dotnet/runtime docs/design/specs/Memory-model.md):
/// reads acquire, writes release, read-modify-writes are full fences. A release write followed by an acquire read of
/// another location may be reordered (store-load, as on x86): where a thread must see another's write after its own,
/// use a read-modify-write or <see cref="IThreading.MemoryBarrier"/>. Each operation is a scheduling point under a
/// controlled implementation; the explorer's "tso" memory model explores the store-load reordering.
/// </summary>
public interface IAtomicInt64
{
    /// <summary>An acquire read (<c>Volatile.Read</c>): later reads and writes of this thread stay after it.</summary>
    long Read();

    /// <summary>
    /// A release write (<c>Volatile.Write</c>): earlier reads and writes of this thread stay
    /// before it, but a later read of another location may be done before it is visible.
    /// </summary>
    void Write(long value);

    /// <summary>
    /// A relaxed read: atomic, with no ordering against this thread's other reads and writes (a plain read of an
    /// aligned 64-bit field on real threads). For counters and hints only, never to publish or consume data.
    /// </summary>
    long ReadRelaxed() => Read();

    /// <summary>
    /// A relaxed write: atomic, with no ordering (a plain write on real threads): on a weak machine (ARM64) it may
    /// become visible after a later write of this thread to another location. The explorer's "pso" memory model
    /// explores that.
    /// </summary>
    void WriteRelaxed(long value) => Write(value);

    /// <summary>Adds <paramref name="delta"/> and returns the new value; a full fence (<c>Interlocked.Add</c>).</summary>
    long Add(long delta);

    /// <summary>Writes <paramref name="value"/> and returns the previous value; a full fence.</summary>
    long Exchange(long value);

    /// <summary>Writes <paramref name="value"/> if the current value equals <paramref name="comparand"/>;
    /// returns the value seen before the operation either way; a full fence.</summary>
    long CompareExchange(long value, long comparand);
}
