using System.Buffers;
using System.Runtime.InteropServices;
using Pool.Reactor;

namespace Pool.Tests.Reactor;

/// <summary>The pooled writer a handler writes its reply into.</summary>
public sealed class PooledBufferWriterTests
{
    [Fact]
    public void WritesAccumulateInOrderAcrossGrowth()
    {
        var writer = new PooledBufferWriter();
        var expected = new List<byte>();
        for (var i = 0; i < 300; i++)
        {
            var piece = Enumerable.Repeat((byte)i, i % 17 + 1).ToArray();
            writer.Write(piece);
            expected.AddRange(piece);
        }
        Assert.Equal(expected.ToArray(), writer.Written.ToArray());
        Assert.Equal(expected.Count, writer.Count);
    }

    [Fact]
    public void AdvancingPastTheSpanHandedOutIsRefused()
    {
        var writer = new PooledBufferWriter();
        var length = writer.GetSpan(10).Length;
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => writer.Advance(length + 1));
        Assert.Equal("count", error.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Advance(-1));
        Assert.Equal(0, writer.Count);
    }

    [Fact]
    public void TruncateDiscardsOnlyWhatCameAfterTheMark()
    {
        var writer = new PooledBufferWriter();
        writer.Write<byte>([1, 2, 3]);
        var mark = writer.Count;
        writer.Write<byte>([4, 5]);
        writer.Truncate(mark);
        writer.Write<byte>([6]);
        Assert.Equal([1, 2, 3, 6], writer.Written.ToArray());
    }

    [Fact]
    public void ResetKeepsTheBufferAndClearEmptiesIt()
    {
        var writer = new PooledBufferWriter();
        writer.Write<byte>([1, 2]);
        var before = UnderlyingArray(writer);
        writer.Reset();
        Assert.Equal(0, writer.Count);
        // A buffer given back to the shared pool is the next one this thread rents of its size: a rent here takes
        // it if Reset returned it, and the writer would then write into another array.
        var rented = ArrayPool<byte>.Shared.Rent(before.Length);
        try
        {
            Assert.NotSame(before, rented);
            writer.Write<byte>([3]);
            Assert.Same(before, UnderlyingArray(writer)); // the buffer is kept
            Assert.Equal([3], writer.Written.ToArray());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
        writer.Clear();
        Assert.Equal(0, writer.Count);
        writer.Write<byte>([7]);
        Assert.Equal([7], writer.Written.ToArray());
    }

    /// <summary>The array the writer writes into (its written bytes start at index 0 of it).</summary>
    private static byte[] UnderlyingArray(PooledBufferWriter writer)
    {
        Assert.True(MemoryMarshal.TryGetArray(writer.WrittenMemory(0, 0), out var segment));
        return segment.Array!;
    }
}
