using System.Runtime.InteropServices;

namespace Pool.Threading;

/// <summary>
/// An <see cref="IAtomicInt64"/> over <see cref="Interlocked"/> and <see cref="Volatile"/>. The value sits
/// in the middle of 128 bytes of its own, so the cache line that holds it holds nothing else: two atomics
/// written by different threads (the pool's put gate and its claim word, say) never share a line.
/// </summary>
internal sealed class OsAtomicInt64(long initialValue) : IAtomicInt64
{
    private PaddedValue _cell = new() { Value = initialValue };

    public long Read() => Volatile.Read(ref _cell.Value);

    public void Write(long value) => Volatile.Write(ref _cell.Value, value);

    public long ReadRelaxed() => _cell.Value;

    public void WriteRelaxed(long value) => _cell.Value = value;

    public long Add(long delta) => Interlocked.Add(ref _cell.Value, delta);

    public long Exchange(long value) => Interlocked.Exchange(ref _cell.Value, value);

    public long CompareExchange(long value, long comparand) =>
        Interlocked.CompareExchange(ref _cell.Value, value, comparand);

    // 64 bytes before the value and 56 after: whatever the object's alignment, its line is inside the object.
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct PaddedValue
    {
        [FieldOffset(64)]
        public long Value;
    }
}
