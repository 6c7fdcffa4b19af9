namespace Pool.Threading;

/// <summary>A 64-bit integer with sequentially consistent atomic operations, created by
/// <see cref="IThreading.CreateAtomic"/>. Each operation is a scheduling point under the explorer.</summary>
public interface IAtomicInt64
{
    /// <summary>Reads the value.</summary>
    long Read();

    /// <summary>Writes the value.</summary>
    void Write(long value);

    /// <summary>Adds <paramref name="delta"/> and returns the new value.</summary>
    long Add(long delta);

    /// <summary>Writes <paramref name="value"/> and returns the previous value.</summary>
    long Exchange(long value);

    /// <summary>Writes <paramref name="value"/> if the current value equals <paramref name="comparand"/>;
    /// returns the value seen before the operation either way.</summary>
    long CompareExchange(long value, long comparand);
}
