using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Pool.Reactor;
using Pool.Reactor.Linux;
using Pool.Tests.Pooling;
using Pool.Threading;

namespace Pool.Tests.Reactor;

/// <summary>The TCP server on real loopback sockets, inline and with workers.</summary>
public sealed class TcpServerTests : IDisposable
{
    private readonly RunningLoop _running = new();

    public void Dispose() => _running.Dispose();

    private TcpServer StartServer(
        Func<ReadOnlyMemory<byte>, byte[]> handler,
        int workers = 0,
        int maxConnections = 10_000,
        int loops = 1
    ) =>
        _running.StartServer(
            handler,
            workers,
            new TcpServerOptions { MaxConnections = maxConnections, Loops = loops }
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

    /// <summary>With two loops, the first connection is served by the loop the server started, the second by its own.</summary>
    [Theory]
    [InlineData(0, 1)]
    [InlineData(2, 1)]
    [InlineData(0, 2)]
    [InlineData(2, 2)]
    public void EchoesRoundTrips(int workers, int loops)
    {
        var server = StartServer(Echo, workers, loops: loops);
        using var first = Connect(server);
        using var second = Connect(server);
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal($"message {i}", RoundTrip(first, $"message {i}"));
            Assert.Equal($"reply {i}", RoundTrip(second, $"reply {i}"));
        }
        Assert.Equal(100, server.Messages);
    }

    /// <summary>
    /// Six connections on three loops: two per loop, in turn (the accepting loop last), each served for its life by
    /// the loop that runs its callbacks.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void ConnectionsAreSpreadOverTheLoopsInTurn(int workers)
    {
        var openedOn = new ConcurrentDictionary<long, int>();
        var closedOn = new ConcurrentDictionary<long, int>();
        var acceptingThread = 0;
        _running.Loop.RunInLoop(() => acceptingThread = Environment.CurrentManagedThreadId);
        var server = _running.StartServer(
            Echo,
            workers,
            new TcpServerOptions { Loops = 3 },
            s =>
            {
                s.ConnectionOpened = c => openedOn[c.Id] = Environment.CurrentManagedThreadId;
                s.ConnectionClosed = c => closedOn[c.Id] = Environment.CurrentManagedThreadId;
            }
        );
        var sockets = new List<Socket>();
        for (var i = 0; i < 6; i++)
        {
            var socket = Connect(server);
            Assert.Equal($"c{i}", RoundTrip(socket, $"c{i}")); // accepted (and opened) in this order
            sockets.Add(socket);
        }
        Wait.Until(() => openedOn.Count == 6, "every connection is opened");
        var threads = openedOn.OrderBy(p => p.Key).Select(p => p.Value).ToList();
        Assert.Equal(3, threads.Distinct().Count());
        Assert.Equal(threads[..3], threads[3..]); // in turn
        Assert.Equal(acceptingThread, threads[2]); // the accepting loop last in each turn
        Assert.NotEqual(acceptingThread, threads[0]);
        sockets.ForEach(s => s.Shutdown(SocketShutdown.Send));
        Wait.Until(() => closedOn.Count == 6, "every connection is closed");
        Assert.All(openedOn, p => Assert.Equal(p.Value, closedOn[p.Key])); // torn down on its own loop
        Wait.Until(() => server.OpenConnections == 0, "every connection is released");
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
        Assert.Equal(sent, RunningLoop.ReceiveExactly(socket, sent.Length)); // fails on an early end of stream

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
        var network = new EndOfStreamCounter();
        using var running = new RunningLoop(
            new EventLoop(OsThreading.Instance, new EpollPoller(), network)
        );
        using var release = new ManualResetEventSlim();
        using var started = new CountdownEvent(3);
        var connections = new ConcurrentQueue<TcpConnection>();
        var server = running.StartServer(
            m =>
            {
                started.Signal();
                release.Wait(Wait.Limit);
                return m.ToArray();
            },
            workers: 3,
            configure: s => s.ConnectionOpened = connections.Enqueue
        );
        var sockets = Enumerable.Range(0, 3).Select(_ => running.Connect(server)).ToList();
        sockets.ForEach(s => s.Send([1]));
        Wait.For(started); // three replies in flight, one per connection
        sockets.ForEach(s => s.Close());
        Wait.Until(() => network.EndsOfStream == 3, "the loop has read every peer's end of stream");
        // Each connection is half-closed and still owes its reply: none is closed or released before it.
        Assert.Equal(3, connections.Count);
        Assert.All(connections, c => Assert.Equal(ConnectionState.Connected, c.State));
        Assert.Equal(3, server.OpenConnections);
        Assert.Equal(0, server.ReleasedConnections);
        release.Set();
        Wait.Until(() => server.ReleasedConnections == 3, "every connection is released");
        Assert.Equal(0, server.OpenConnections);
        Assert.Equal(3, server.ReleasedConnections);
        Assert.All(connections, c => Assert.Equal(CloseReason.PeerClosed, c.CloseReason)); // after its reply
        Assert.Equal(0, server.DroppedSends);
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

    /// <summary>With two loops the connection is served by the loop the server started, not the accepting one.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ReplyAfterAResetIsDroppedAndCounted(int loops)
    {
        using var release = new ManualResetEventSlim();
        using var started = new ManualResetEventSlim();
        var opened = new ConcurrentQueue<TcpConnection>();
        var server = _running.StartServer(
            m =>
            {
                started.Set();
                release.Wait(Wait.Limit);
                return m.ToArray();
            },
            workers: 1,
            new TcpServerOptions { Loops = loops },
            configure: s => s.ConnectionOpened = opened.Enqueue
        );
        var socket = Connect(server);
        socket.Send([1]);
        Wait.For(started);
        var connection = Assert.Single(opened);
        socket.LingerState = new LingerOption(true, 0); // close with RST
        socket.Close();
        Wait.Until(
            () => connection.State != ConnectionState.Connected,
            "the loop has seen the reset"
        );
        // Closed by the reset, but its reply is still in flight: not released, still counted open.
        Assert.Equal(ConnectionState.Closed, connection.State);
        Assert.Equal(CloseReason.SocketError, connection.CloseReason);
        Assert.Equal(1, server.OpenConnections);
        Assert.Equal(0, server.ReleasedConnections);
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
        int OpenDescriptors() => LoopbackSockets.DescriptorsOfPort(server.Port); // not other tests'
        for (var warmup = 0; warmup < 50; warmup++)
        {
            using var socket = Connect(server);
            RoundTrip(socket, "x");
        }
        Wait.Until(() => server.OpenConnections == 0, "warm-up connections released");
        var before = OpenDescriptors();
        Assert.Equal(1, before); // the listener, and no connection
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
        Assert.Equal(before, OpenDescriptors());
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

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void StopClosesEveryConnection(int loops)
    {
        var server = StartServer(Echo, loops: loops);
        using var socket = Connect(server);
        using var other = Connect(server);
        Assert.Equal("a", RoundTrip(socket, "a"));
        Assert.Equal("b", RoundTrip(other, "b"));
        server.Stop();
        Wait.Until(() => server.ReleasedConnections == 2, "released on stop");
        Assert.Equal(0, socket.Receive(new byte[1]));
        Assert.Equal(0, other.Receive(new byte[1]));
    }

    /// <summary>The operating system's network, counting the ends of stream the loop reads (a receive of 0 bytes).</summary>
    private sealed class EndOfStreamCounter : INetwork
    {
        private readonly INetwork _network = LinuxNetwork.Instance;
        private int _endsOfStream;

        public int EndsOfStream => Volatile.Read(ref _endsOfStream);

        public int Listen(IPAddress address, int port, int backlog) =>
            _network.Listen(address, port, backlog);

        public int LocalPort(int listener) => _network.LocalPort(listener);

        public int Accept(int listener, out int errno) => _network.Accept(listener, out errno);

        public void ConfigureAccepted(int connection) => _network.ConfigureAccepted(connection);

        public int Receive(int connection, Span<byte> buffer, out int errno)
        {
            var read = _network.Receive(connection, buffer, out errno);
            if (read == 0)
            {
                Interlocked.Increment(ref _endsOfStream);
            }
            return read;
        }

        public int Send(int connection, ReadOnlySpan<byte> data, out int errno) =>
            _network.Send(connection, data, out errno);

        public void ShutdownWrite(int connection) => _network.ShutdownWrite(connection);

        public void Close(int descriptor) => _network.Close(descriptor);

        public int OpenSpare() => _network.OpenSpare();

        public IPoller CreatePoller() => _network.CreatePoller();
    }
}
