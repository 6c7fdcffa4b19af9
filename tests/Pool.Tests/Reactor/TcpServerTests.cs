using System.Net;
using System.Net.Sockets;
using Pool.Reactor;
using Pool.Tests.Pool;

namespace Pool.Tests.Reactor;

/// <summary>The TCP server on real loopback sockets, inline and with workers.</summary>
public sealed class TcpServerTests : IDisposable
{
    private readonly RunningLoop _running = new();

    public void Dispose() => _running.Dispose();

    private TcpServer StartServer(
        Func<ReadOnlyMemory<byte>, byte[]> handler,
        int workers = 0,
        int maxConnections = 10_000
    ) =>
        _running.StartServer(
            handler,
            workers,
            new TcpServerOptions { MaxConnections = maxConnections }
        );

    private Socket Connect(TcpServer server) => _running.Connect(server);

    private static byte[] Echo(ReadOnlyMemory<byte> message) => RunningLoop.Echo(message);

    private static string RoundTrip(Socket socket, string text)
    {
        socket.Send(System.Text.Encoding.ASCII.GetBytes(text));
        return System.Text.Encoding.ASCII.GetString(
            RunningLoop.ReceiveExactly(socket, text.Length)
        );
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void EchoesRoundTrips(int workers)
    {
        var server = StartServer(Echo, workers);
        using var socket = Connect(server);
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal($"message {i}", RoundTrip(socket, $"message {i}"));
        }
        Assert.Equal(50, server.Messages);
    }

    [Fact]
    public void RepliesOfOneConnectionKeepTheirOrderWithWorkers()
    {
        var server = StartServer(m => m.Span[0] % 2 == 0 ? SlowEcho(m) : m.ToArray(), workers: 2);
        using var socket = Connect(server);
        var sent = Enumerable.Range(0, 40).Select(i => (byte)i).ToArray();
        foreach (var b in sent)
        {
            socket.Send([b]);
            Thread.Yield();
        }
        var received = new byte[sent.Length];
        var count = 0;
        while (count < received.Length)
        {
            count += socket.Receive(received, count, received.Length - count, SocketFlags.None);
        }
        Assert.Equal(sent, received);

        static byte[] SlowEcho(ReadOnlyMemory<byte> m)
        {
            Thread.SpinWait(20_000);
            return m.ToArray();
        }
    }

    [Fact]
    public void PeerCloseBeforeAnythingIsReadReleasesTheConnection()
    {
        var server = StartServer(Echo);
        var socket = Connect(server);
        Wait.Until(() => server.AcceptedConnections == 1, "the server accepts");
        socket.Close();
        Wait.Until(() => server.ReleasedConnections == 1, "the connection is released");
        Assert.Equal(0, server.OpenConnections);
    }

    [Fact]
    public void PeerCloseWithRepliesInFlightReleasesOnceAfterTheReplies()
    {
        using var release = new ManualResetEventSlim();
        using var started = new CountdownEvent(3);
        var server = StartServer(
            m =>
            {
                started.Signal();
                release.Wait(Wait.Limit);
                return m.ToArray();
            },
            workers: 3
        );
        var sockets = Enumerable.Range(0, 3).Select(_ => Connect(server)).ToList();
        sockets.ForEach(s => s.Send([1]));
        Wait.For(started); // three replies in flight, one per connection
        sockets.ForEach(s => s.Close());
        release.Set();
        Wait.Until(() => server.ReleasedConnections == 3, "every connection is released");
        Assert.Equal(0, server.OpenConnections);
        Assert.Equal(3, server.ReleasedConnections);
    }

    [Fact]
    public void HalfClosedPeerStillGetsItsReply()
    {
        var server = StartServer(Echo, workers: 1);
        using var socket = Connect(server);
        socket.Send("ping"u8.ToArray());
        socket.Shutdown(SocketShutdown.Send);
        var buffer = new byte[4];
        var received = 0;
        while (received < 4)
        {
            var n = socket.Receive(buffer, received, 4 - received, SocketFlags.None);
            Assert.True(n > 0, "closed before the reply");
            received += n;
        }
        Assert.Equal("ping"u8.ToArray(), buffer);
        Assert.Equal(0, socket.Receive(buffer)); // then the server closes its side
        Wait.Until(() => server.ReleasedConnections == 1, "released after the reply");
    }

    [Fact]
    public void ReplyAfterAResetIsDroppedAndCounted()
    {
        using var release = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        var server = StartServer(
            m =>
            {
                started.Set();
                release.Wait(Wait.Limit);
                return m.ToArray();
            },
            workers: 1
        );
        var socket = Connect(server);
        socket.Send([1]);
        Wait.For(started);
        socket.LingerState = new LingerOption(true, 0); // close with RST
        socket.Close();
        Assert.Equal(1, server.OpenConnections); // its reply is still in flight: not released
        release.Set();
        Wait.Until(() => server.ReleasedConnections == 1, "released once the reply came back");
        Wait.Until(
            () => server.DroppedSends + server.Errors >= 1,
            "the late reply is dropped or its write fails"
        );
    }

    [Fact]
    public void ManyConnectionsOpenedAndClosedLeaveNoDescriptorBehind()
    {
        var server = StartServer(Echo);
        static int OpenDescriptors() => Directory.GetFiles("/proc/self/fd").Length;
        for (var warmup = 0; warmup < 50; warmup++)
        {
            using var socket = Connect(server);
            RoundTrip(socket, "x");
        }
        Wait.Until(() => server.OpenConnections == 0, "warm-up connections released");
        var before = OpenDescriptors();
        for (var i = 0; i < 2000; i++)
        {
            var socket = new Socket(
                AddressFamily.InterNetwork,
                SocketType.Stream,
                ProtocolType.Tcp
            );
            socket.Connect(IPAddress.Loopback, server.Port);
            socket.Close();
        }
        Wait.Until(() => server.ReleasedConnections == 2050, "every connection released");
        Assert.Equal(0, server.OpenConnections);
        Assert.InRange(OpenDescriptors(), 0, before + 5); // a few for the runtime's own use, not 2,000
    }

    [Fact]
    public void ConnectionsBeyondTheLimitAreRefused()
    {
        var server = StartServer(Echo, maxConnections: 2);
        using var first = Connect(server);
        using var second = Connect(server);
        Assert.Equal("a", RoundTrip(first, "a"));
        Assert.Equal("b", RoundTrip(second, "b"));
        using var third = Connect(server);
        Wait.Until(() => server.RefusedConnections == 1, "the third is refused");
        Assert.Equal(0, third.Receive(new byte[1])); // closed by the server
    }

    [Fact]
    public void StopClosesEveryConnection()
    {
        var server = StartServer(Echo);
        using var socket = Connect(server);
        Assert.Equal("a", RoundTrip(socket, "a"));
        server.Stop();
        Wait.Until(() => server.ReleasedConnections == 1, "released on stop");
        Assert.Equal(0, socket.Receive(new byte[1]));
    }
}
