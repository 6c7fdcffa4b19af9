using System.Collections.Concurrent;
using System.Net.Sockets;
using Pool.Reactor;
using Pool.Tests.Pooling;

namespace Pool.Tests.Reactor;

/// <summary>A connection's callbacks, limits, framing and local shutdown, on real loopback sockets.</summary>
public sealed class TcpConnectionTests : IDisposable
{
    private const int Chunk = 64 * 1024;
    private readonly RunningLoop _running = new();
    private readonly ConcurrentQueue<TcpConnection> _opened = new();
    private readonly ConcurrentQueue<TcpConnection> _closed = new();
    private readonly ConcurrentQueue<long> _highWaterMarks = new();
    private int _writesCompleted;

    public void Dispose() => _running.Dispose();

    private TcpServer StartServer(
        TcpServerOptions? options = null,
        Func<ReadOnlyMemory<byte>, byte[]>? handler = null,
        int workers = 0
    ) =>
        _running.StartServer(
            handler ?? RunningLoop.Echo,
            workers,
            options,
            server =>
            {
                server.ConnectionOpened = _opened.Enqueue;
                server.ConnectionClosed = _closed.Enqueue;
                server.HighWaterMarkReached = (_, unsent) => _highWaterMarks.Enqueue(unsent);
                server.WriteCompleted = _ => Interlocked.Increment(ref _writesCompleted);
            }
        );

    private (Socket Client, TcpConnection Connection) Open(TcpServer server)
    {
        var client = _running.Connect(server);
        Wait.Until(() => !_opened.IsEmpty, "the connection is opened");
        Assert.True(_opened.TryDequeue(out var connection));
        return (client, connection);
    }

    private TcpConnection AwaitClosed()
    {
        Wait.Until(() => !_closed.IsEmpty, "the connection closes");
        Assert.True(_closed.TryDequeue(out var connection));
        return connection;
    }

    [Fact]
    public void HighWaterMarkCountsBytesSentFromOtherThreadsAndIsReportedOncePerCrossing()
    {
        var server = StartServer(new TcpServerOptions { HighWaterMarkBytes = 4 * Chunk });
        var (client, connection) = Open(server);
        // 16 MiB from this thread while the peer reads nothing: this thread writes directly while the socket
        // takes it (a few MiB on loopback), then the rest waits in the output, past the mark.
        for (var i = 0; i < 256; i++)
        {
            connection.Send(new byte[Chunk]);
        }
        Wait.Until(() => !_highWaterMarks.IsEmpty, "the high-water mark is reported");
        Assert.Equal(256L * Chunk, RunningLoop.ReceiveExactly(client, 256 * Chunk).LongLength);
        Wait.Until(() => connection.UnsentBytes == 0, "everything is written");
        Wait.Until(() => Volatile.Read(ref _writesCompleted) >= 1, "the write completes");
        // The loop drains while this thread sends, so the count may fall below the mark and cross it again:
        // each report is a crossing, at or above the mark, and there cannot be more crossings than sends.
        Assert.All(_highWaterMarks, unsent => Assert.True(unsent >= 4 * Chunk));
        Assert.InRange(_highWaterMarks.Count, 1, 256);
    }

    [Fact]
    public void ShutdownWritesEverythingOwedThenEndsTheStream()
    {
        var server = StartServer();
        var (client, connection) = Open(server);
        for (var i = 0; i < 16; i++)
        {
            connection.Send(new byte[Chunk]);
        }
        connection.Shutdown();
        connection.Send(new byte[] { 1 }); // after the shutdown: dropped
        Assert.Equal(16L * Chunk, RunningLoop.ReceiveToEnd(client));
        client.Shutdown(SocketShutdown.Send);
        Assert.Equal(CloseReason.LocalShutdown, AwaitClosed().CloseReason);
        Wait.Until(() => server.ReleasedConnections == 1, "released");
        Wait.Until(() => server.DroppedSends == 1, "the late send is counted as dropped");
    }

    [Fact]
    public void OutputBeyondTheLimitClosesTheConnectionWithItsReason()
    {
        var server = StartServer(new TcpServerOptions { MaxPendingOutputBytes = 16 * Chunk });
        var (_, connection) = Open(server);
        for (var i = 0; i < 256; i++) // 16 MiB that nobody reads
        {
            connection.Send(new byte[Chunk]);
        }
        Assert.Equal(CloseReason.OutputLimitExceeded, AwaitClosed().CloseReason);
        Wait.Until(() => server.ReleasedConnections == 1, "released");
        Wait.Until(() => connection.UnsentBytes == 0, "every byte written or dropped");
        Assert.True(server.DroppedSends > 0);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void LengthPrefixedMessagesAreReassembledAndAnsweredInOrder(int workers)
    {
        var server = StartServer(
            new TcpServerOptions { Framing = MessageFraming.LengthPrefixed },
            message => [.. message.ToArray().Reverse()],
            workers
        );
        var (client, _) = Open(server);
        var stream = RunningLoop
            .Frame([1, 2, 3])
            .Concat(RunningLoop.Frame([4, 5]))
            .Concat(RunningLoop.Frame([6, 7, 8, 9]))
            .ToArray();
        client.Send(stream.AsSpan(0, 6)); // the first message and part of the second
        Thread.Yield();
        client.Send(stream.AsSpan(6));
        var expected = RunningLoop
            .Frame([3, 2, 1])
            .Concat(RunningLoop.Frame([5, 4]))
            .Concat(RunningLoop.Frame([9, 8, 7, 6]))
            .ToArray();
        Assert.Equal(expected, RunningLoop.ReceiveExactly(client, expected.Length));
        Assert.Equal(3, server.Messages);
    }

    [Fact]
    public void AnOversizeMessageClosesTheConnectionWithItsReason()
    {
        var server = StartServer(
            new TcpServerOptions { Framing = MessageFraming.LengthPrefixed, MaxMessageBytes = 1024 }
        );
        var (client, _) = Open(server);
        client.Send(RunningLoop.Frame(new byte[1025]));
        Assert.Equal(CloseReason.MessageTooLarge, AwaitClosed().CloseReason);
        Assert.Equal(0, RunningLoop.ReceiveToEnd(client));
        Assert.Equal(0, server.Messages);
        Wait.Until(() => server.ReleasedConnections == 1, "released");
    }

    [Fact]
    public void AnInlineHandlerThatThrowsClosesItsConnectionOnly()
    {
        var server = StartServer(handler: message =>
            message.Span[0] == 0 ? throw new InvalidDataException("bad") : message.ToArray()
        );
        var (bad, _) = Open(server);
        var (good, _) = Open(server);
        bad.Send([0]);
        Assert.Equal(CloseReason.HandlerFailed, AwaitClosed().CloseReason);
        good.Send([7]);
        Assert.Equal([7], RunningLoop.ReceiveExactly(good, 1));
        Assert.Equal(1, server.Errors);
    }

    [Fact]
    public void InvalidOptionsAreRefusedWithTheirName()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new TcpServer(
                _running.Loop,
                RunningLoop.Echo,
                new TcpServerOptions { HighWaterMarkBytes = 0 }
            )
        );
        Assert.Equal("HighWaterMarkBytes", error.ParamName);
    }

    [Fact]
    public void CallbacksCannotChangeOnceTheServerRuns()
    {
        var server = StartServer();
        Assert.Throws<InvalidOperationException>(() => server.WriteCompleted = null);
    }
}
