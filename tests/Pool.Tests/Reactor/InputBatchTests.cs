using System.Buffers;
using System.Runtime.InteropServices;
using Pool.Reactor;

namespace Pool.Tests.Reactor;

/// <summary>A connection's batch of input and replies: which buffers it keeps when it is emptied.</summary>
public sealed class InputBatchTests
{
    [Fact]
    public void BuffersUpToTheKeptSizeStayForTheNextBatch()
    {
        var batch = new InputBatch();
        batch.Append(new byte[InputBatch.KeptBytes], mergeLimit: 0);
        batch.Replies.Write(new byte[InputBatch.KeptBytes]);
        var input = ArrayOf(batch[0]);
        var replies = ArrayOf(batch.Replies.WrittenMemory(0, 0));
        batch.Clear();
        Assert.Equal(0, batch.Count);
        Assert.Equal(0, batch.Replies.Count);
        batch.Append([1, 2], mergeLimit: 0);
        batch.Replies.Write<byte>([3]);
        Assert.Same(input, ArrayOf(batch[0]));
        Assert.Same(replies, ArrayOf(batch.Replies.WrittenMemory(0, 0)));
        Assert.Equal([1, 2], batch[0].ToArray());
        Assert.Equal([3], batch.Replies.Written.ToArray());
    }

    [Fact]
    public void LargerBuffersGoBackToTheSharedPool()
    {
        var batch = new InputBatch();
        batch.Append(new byte[2 * InputBatch.KeptBytes + 1], mergeLimit: 0);
        batch.Replies.Write(new byte[InputBatch.KeptBytes + 1]);
        var input = ArrayOf(batch[0]);
        var replies = ArrayOf(batch.Replies.WrittenMemory(0, 0));
        Assert.NotEqual(input.Length, replies.Length); // two sizes: each is the last of its size given back
        batch.Clear();
        // A buffer given back to the shared pool is the next one this thread rents of its size.
        var rentedInput = ArrayPool<byte>.Shared.Rent(input.Length);
        var rentedReplies = ArrayPool<byte>.Shared.Rent(replies.Length);
        try
        {
            Assert.Same(input, rentedInput);
            Assert.Same(replies, rentedReplies);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rentedReplies);
            ArrayPool<byte>.Shared.Return(rentedInput);
        }
    }

    private static byte[] ArrayOf(ReadOnlyMemory<byte> memory)
    {
        Assert.True(MemoryMarshal.TryGetArray(memory, out var segment));
        return segment.Array!;
    }
}
