using System.Runtime.InteropServices;

namespace Pool.Diagnostics;

/// <summary>
/// A count for metrics on a cache line of its own, so that counting on a hot path never slows down a thread that reads
/// the memory next to it (the pool's consumers read fields beside the producers' ones). Written by one thread at a time
/// (<see cref="Increment"/>: a plain store, no read-modify-write), read by any thread (<see cref="Value"/>).
/// </summary>
internal sealed class PaddedCount
{
    private Padded _cell;

    /// <summary>The count (any thread).</summary>
    public long Value => Volatile.Read(ref _cell.Value);

    /// <summary>Adds one. Only one thread at a time may call (its owner, or whoever holds the lock that guards it).</summary>
    public void Increment() => Volatile.Write(ref _cell.Value, _cell.Value + 1);

    // 64 bytes before the value and 56 after: whatever the object's alignment, its line is inside the object.
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct Padded
    {
        [FieldOffset(64)]
        public long Value;
    }
}
