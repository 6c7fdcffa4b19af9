using System.Buffers.Binary;

namespace Pool.Reactor;

/// <summary>
/// Reassembles length-prefixed messages (see <see cref="MessageFraming.LengthPrefixed"/>) from the chunks one
/// connection reads. Loop thread only. Holds at most one partial message, never more than the limit allows.
/// </summary>
internal sealed class LengthPrefixedFramer(int maxMessageBytes)
{
    internal const int PrefixBytes = 4;
    private readonly OutputBuffer _partial = new();

    /// <summary>The longest message accepted.</summary>
    internal int MaxMessageBytes => maxMessageBytes;

    /// <summary>
    /// Appends <paramref name="chunk"/> and hands every complete message to <paramref name="message"/>, in order.
    /// False when a prefix announces a message over the limit (or a negative length): the stream is unusable.
    /// </summary>
    internal bool Append(ReadOnlySpan<byte> chunk, Action<ReadOnlyMemory<byte>> message)
    {
        _partial.Append(chunk);
        while (_partial.Count >= PrefixBytes)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(_partial.Pending);
            if (length < 0 || length > maxMessageBytes)
            {
                _partial.Clear();
                return false;
            }
            if (_partial.Count < PrefixBytes + length)
            {
                return true;
            }
            message(_partial.Pending.Slice(PrefixBytes, length).ToArray());
            _partial.Consume(PrefixBytes + length);
        }
        return true;
    }

    /// <summary>Writes the prefix of a payload of <paramref name="payloadBytes"/> into <paramref name="prefix"/>.</summary>
    internal static void WritePrefix(Span<byte> prefix, int payloadBytes) =>
        BinaryPrimitives.WriteInt32BigEndian(prefix, payloadBytes);
}
