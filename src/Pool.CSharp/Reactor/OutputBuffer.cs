namespace Pool.Reactor;

/// <summary>Bytes waiting to be written to a socket, oldest first. Guarded by its connection's write lock.</summary>
internal sealed class OutputBuffer
{
    private byte[] _bytes = [];
    private int _start;
    private int _count;

    internal int Count => _count;

    internal ReadOnlySpan<byte> Pending => _bytes.AsSpan(_start, _count);

    internal void Append(ReadOnlySpan<byte> data)
    {
        if (_start + _count + data.Length > _bytes.Length)
        {
            var larger = new byte[Math.Max(_count + data.Length, _bytes.Length * 2)];
            Pending.CopyTo(larger);
            _bytes = larger;
            _start = 0;
        }
        data.CopyTo(_bytes.AsSpan(_start + _count));
        _count += data.Length;
    }

    internal void Consume(int bytes)
    {
        _start += bytes;
        _count -= bytes;
        if (_count == 0)
        {
            _start = 0;
        }
    }

    internal void Clear()
    {
        _start = 0;
        _count = 0;
    }
}
