using System.Buffers;

namespace Pool.Reactor;

/// <summary>
/// A growable byte buffer rented from the shared pool: what the loop reads for a connection's handler, and the
/// replies a handler writes (one per batch, the loop's own inline), so neither costs an allocation per message.
/// Not thread-safe: it belongs to whichever thread holds what it is part of.
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>
{
    private const int MinimumBytes = 256;
    private byte[] _buffer = [];

    /// <summary>Bytes written so far.</summary>
    public int Count { get; private set; }

    /// <summary>Everything written so far: valid until the next write or <see cref="Clear"/>.</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Count);

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">More than the last span or memory handed out.</exception>
    public void Advance(int count)
    {
        if (count < 0 || Count + count > _buffer.Length)
        {
            throw new ArgumentOutOfRangeException(
                nameof(count),
                count,
                "Advance must not go past the space the last GetSpan or GetMemory returned."
            );
        }
        Count += count;
    }

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(Count);
    }

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsSpan(Count);
    }

    /// <summary>Bytes already written, as memory: valid until the next write or <see cref="Clear"/>.</summary>
    public ReadOnlyMemory<byte> WrittenMemory(int start, int length) =>
        _buffer.AsMemory(start, length);

    /// <summary>Bytes already written, for a length prefix filled in after its payload.</summary>
    public Span<byte> WrittenSlice(int start, int length) => _buffer.AsSpan(start, length);

    /// <summary>Discards what was written after the first <paramref name="count"/> bytes (a handler that failed).</summary>
    public void Truncate(int count) => Count = Math.Min(count, Count);

    /// <summary>Empties the writer, keeping its buffer (the loop's own writer, reused for every reply; a batch's small ones).</summary>
    public void Reset() => Count = 0;

    /// <summary>Empties the writer and returns its buffer to the pool (a batch's, beyond <see cref="InputBatch.KeptBytes"/>).</summary>
    public void Clear()
    {
        Count = 0;
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private void Reserve(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - Count >= needed)
        {
            return;
        }
        var larger = ArrayPool<byte>.Shared.Rent(
            Math.Max(Math.Max(Count + needed, _buffer.Length * 2), MinimumBytes)
        );
        Written.CopyTo(larger);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }
        _buffer = larger;
    }

    /// <summary>The length of the buffer the writer holds (0 while it holds none).</summary>
    public int Capacity => _buffer.Length;
}
