namespace Pool.Threading;

/// <summary>An <see cref="IAtomicInt64"/> over <see cref="Interlocked"/> and <see cref="Volatile"/>.</summary>
internal sealed class OsAtomicInt64(long initialValue) : IAtomicInt64
{
    private long _value = initialValue;

    public long Read() => Volatile.Read(ref _value);

    public void Write(long value) => Volatile.Write(ref _value, value);

    public long Add(long delta) => Interlocked.Add(ref _value, delta);

    public long Exchange(long value) => Interlocked.Exchange(ref _value, value);

    public long CompareExchange(long value, long comparand) =>
        Interlocked.CompareExchange(ref _value, value, comparand);
}
