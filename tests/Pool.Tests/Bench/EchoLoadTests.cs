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

    [Theory]
    [InlineData("async", 0)]
    [InlineData("epoll", 0)]
    [InlineData("epoll", 12)]
    public async Task EveryMessageAgainstTheBaselineIsCountedOnce(string client, int work)
    {
        var server = new AsyncEchoServer(0, work);
        server.Start();
        try
        {
            var duration = TimeSpan.FromMilliseconds(200);
            var result =
                client == "async"
                    ? await LoadGenerator.Run(server.Port, 3, 100, 2, duration)
                    : EpollLoadGenerator.Run(server.Port, 3, 100, 2, duration);
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

    [Theory]
    [InlineData(0, 0, "Own")]
    [InlineData(2, 0, "Own")]
    [InlineData(2, 12, "Own")]
    [InlineData(2, 12, "Pool")]
    [InlineData(2, 12, "Executor")]
    public void TheMinimalServerEchoesEveryByteInOrder(int workers, int work, string handOff)
    {
        var server = new MinimalEpollServer(
            0,
            work,
            loops: 2,
            workers,
            Enum.Parse<HandOff>(handOff)
        );
        server.Start();
        try
        {
            using var clients = new DisposableList<System.Net.Sockets.Socket>();
            for (var c = 0; c < 4; c++) // spread over both loops by the kernel
            {
                var socket = new System.Net.Sockets.Socket(
                    System.Net.Sockets.SocketType.Stream,
                    System.Net.Sockets.ProtocolType.Tcp
                );
                clients.Add(socket);
                socket.Connect(System.Net.IPAddress.Loopback, server.Port);
            }
            for (var round = 0; round < 5; round++)
            {
                foreach (var socket in clients)
                {
                    var message = Enumerable
                        .Range(0, 5000)
                        .Select(i => (byte)(i * 7 + round + socket.GetHashCode()))
                        .ToArray();
                    socket.Send(message);
                    var reply = new byte[message.Length];
                    var received = 0;
                    while (received < reply.Length)
                    {
                        var n = socket.Receive(reply.AsSpan(received));
                        Assert.True(n > 0, "the server closed the connection");
                        received += n;
                    }
                    Assert.Equal(message, reply);
                }
            }
            var load = EpollLoadGenerator.Run(
                server.Port,
                3,
                100,
                2,
                TimeSpan.FromMilliseconds(200)
            );
            Assert.Equal(0, load.Errors);
            Assert.True(
                load.Messages >= 6,
                "at least the first messages of every connection came back"
            );
        }
        finally
        {
            server.Stop();
        }
    }

    private sealed class DisposableList<T> : List<T>, IDisposable
        where T : IDisposable
    {
        public void Dispose() => ForEach(item => item.Dispose());
    }

    [Fact]
    public void TheWorkSharesCountOnlyTheWorksSymbols()
    {
        const string report = """
                50.00%  [.] fib
                20.00%  [.] Program::<<Main>$>g__Fibonacci|0_3(int32)[OptimizedTier1]
                20.00%  [k] _raw_spin_unlock_irqrestore
                10.00%  [.] fibonacci_heap_insert
            """;
        Assert.Equal(0.7, WorkSampler.WorkShare(report), precision: 6);
        Assert.True(double.IsNaN(WorkSampler.WorkShare("")), "no samples: no share");
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(10, 55)]
    [InlineData(20, 6765)]
    public void TheWorkIsTheFibonacciNumber(int n, long expected) =>
        Assert.Equal(expected, Work.Fibonacci(n));

    [Fact]
    public async Task TheEpollClientCountsAServerThatClosesAsErrors()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var closer = Task.Run(() =>
        {
            for (var i = 0; i < 2; i++)
            {
                listener.AcceptSocket().Close(); // answers nothing
            }
        });
        var result = EpollLoadGenerator.Run(port, 2, 10, 1, TimeSpan.FromMilliseconds(100));
        await closer.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, result.Messages);
        Assert.Equal(2, result.Errors);
    }
}
