using Pool.Threading;

namespace Coyote.Binding;

/// <summary>
/// An atomic on <see cref="Volatile"/> and <see cref="Interlocked"/>: after rewriting, each operation is one Coyote
/// scheduling point (atomic and volatile race checking are on by default; do not pass <c>--skip-atomic-races</c> or
/// <c>--skip-volatile-races</c>).
/// </summary>
internal sealed class CoyoteAtomic(long initialValue) : IAtomicInt64
{
    private long _value = initialValue;

    public long Read() => Volatile.Read(ref _value);

    public void Write(long value) => Volatile.Write(ref _value, value);

    // Relaxed operations are scheduling points too (the explorer's are); Coyote explores no reordering.
    public long ReadRelaxed() => Volatile.Read(ref _value);

    public void WriteRelaxed(long value) => Volatile.Write(ref _value, value);

    public long Add(long delta) => Interlocked.Add(ref _value, delta);

    public long Exchange(long value) => Interlocked.Exchange(ref _value, value);

    public long CompareExchange(long value, long comparand) =>
        Interlocked.CompareExchange(ref _value, value, comparand);
}
