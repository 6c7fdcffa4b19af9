using System.Buffers;
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
        writer.Reset();
        Assert.Equal(0, writer.Count);
        Assert.True(writer.GetSpan().Length >= 2, "the buffer is kept");
        writer.Clear();
        Assert.Equal(0, writer.Count);
        writer.Write<byte>([7]);
        Assert.Equal([7], writer.Written.ToArray());
    }
}
