using System.Buffers;

namespace Pool.Reactor;

/// <summary>
/// Messages of one connection waiting for its handler, in arrival order, copied into one pooled buffer (the
/// loop's read buffer is reused at once), and, once a worker handles them, their replies. Not thread-safe: the
/// connection guards the batch being filled, and the batch being handled belongs to the one worker handling it.
/// </summary>
internal sealed class InputBatch
{
    /// <summary>
    /// The largest buffer an emptied batch keeps. A connection's two batches (the one filling and the one handled, each
    /// with its input and its replies) keep their buffers up to this size between batches, so a busy connection does not
    /// rent two buffers per batch on one thread (the loop's input, the worker's replies) and give them back on another
    /// through the shared pool; larger buffers go back to the pool. So an idle connection holds at most four such
    /// buffers (16 KiB).
    /// </summary>
    internal const int KeptBytes = 4096;

    private readonly List<(int Offset, int Length)> _messages = [];
    private readonly PooledBufferWriter _bytes = new();

    /// <summary>The replies to the batch's messages, written by the worker handling it.</summary>
    public PooledBufferWriter Replies { get; } = new();

    /// <summary>Messages in the batch.</summary>
    public int Count => _messages.Count;

    /// <summary>Message <paramref name="index"/>: valid until <see cref="Clear"/>.</summary>
    public ReadOnlyMemory<byte> this[int index] =>
        _bytes.WrittenMemory(_messages[index].Offset, _messages[index].Length);

    /// <summary>
    /// Copies <paramref name="message"/> in as the next message, or, when <paramref name="mergeLimit"/> is
    /// positive, onto the end of the last message while that stays within <paramref name="mergeLimit"/> bytes
    /// (chunk framing, where a message is only what a read returned).
    /// </summary>
    public void Append(ReadOnlySpan<byte> message, int mergeLimit)
    {
        var offset = _bytes.Count;
        _bytes.Write(message);
        if (_messages.Count > 0 && _messages[^1].Length + message.Length <= mergeLimit)
        {
            var last = _messages[^1];
            _messages[^1] = (last.Offset, last.Length + message.Length);
        }
        else
        {
            _messages.Add((offset, message.Length));
        }
    }

    /// <summary>Empties the batch and its replies, keeping each buffer of at most <see cref="KeptBytes"/> for the next batch.</summary>
    public void Clear()
    {
        Empty(Replies);
        _messages.Clear();
        Empty(_bytes);
    }

    private static void Empty(PooledBufferWriter writer)
    {
        if (writer.Capacity <= KeptBytes)
        {
            writer.Reset();
        }
        else
        {
            writer.Clear();
        }
    }
}
