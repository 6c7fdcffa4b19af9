using System.Diagnostics;
using EchoLoad;

namespace Pool.Tests.Bench;

/// <summary>The load generator's own arithmetic and its baseline server (no timing assertions).</summary>
public class EchoLoadTests
{
    [Fact]
    public void PercentilesUseTheNearestRank()
    {
        var microsecond = Stopwatch.Frequency / 1_000_000.0;
        var ticks = Enumerable.Range(1, 1000).Select(i => (long)(i * microsecond)).ToArray();
        var result = new LoadResult(1000, 64_000, TimeSpan.FromSeconds(2), ticks, 0);
        Assert.Equal(500, result.Percentile(0.50), precision: 0);
        Assert.Equal(990, result.Percentile(0.99), precision: 0);
        Assert.Equal(999, result.Percentile(0.999), precision: 0);
        Assert.Equal(500, result.MessagesPerSecond);
        Assert.Equal(0.032, result.MegabytesPerSecond, precision: 3);
    }

    [Fact]
    public async Task EveryMessageAgainstTheBaselineIsCountedOnce()
    {
        var server = new AsyncEchoServer(0);
        server.Start();
        try
        {
            var result = await LoadGenerator.Run(
                server.Port,
                connections: 3,
                size: 100,
                depth: 2,
                TimeSpan.FromMilliseconds(200)
            );
            Assert.Equal(0, result.Errors);
            Assert.True(
                result.Messages >= 6,
                "at least the first messages of every connection came back"
            );
            Assert.Equal(result.Messages, result.SortedLatencyTicks.Length);
            Assert.Equal(result.Messages * 100, result.Bytes);
        }
        finally
        {
            server.Stop();
        }
    }
}
