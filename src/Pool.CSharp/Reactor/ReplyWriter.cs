using System.Buffers;

namespace Pool.Reactor;

/// <summary>
/// The replies of one handler call or batch, written by the handler into one pooled buffer, so that a reply
/// costs no allocation and a batch's replies go out in one write. Not thread-safe: it belongs to the thread
/// running the handler (the loop's own one, or the batch's while a worker handles it).
/// </summary>
internal sealed class ReplyWriter : IBufferWriter<byte>
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

    /// <summary>Bytes already written, for a length prefix filled in after its payload.</summary>
    public Span<byte> WrittenSlice(int start, int length) => _buffer.AsSpan(start, length);

    /// <summary>Discards what was written after the first <paramref name="count"/> bytes (a handler that failed).</summary>
    public void Truncate(int count) => Count = Math.Min(count, Count);

    /// <summary>Empties the writer, keeping its buffer (the loop's own writer, reused for every reply).</summary>
    public void Reset() => Count = 0;

    /// <summary>Empties the writer and returns its buffer to the pool (a batch's writer: an idle connection holds none).</summary>
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
}
