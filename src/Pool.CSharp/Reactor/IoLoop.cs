using Microsoft.Extensions.Logging;
using Pool.Threading;

namespace Pool.Reactor;

/// <summary>
/// One of a <see cref="TcpServer"/>'s I/O loops and what belongs to it: its connections, the buffer they read into,
/// the writer of inline replies, and the counts its thread keeps. The owner of the connections it serves, which never
/// leave it: the server hands a connection over once, on accepting it, and everything after happens on this loop.
/// </summary>
internal sealed class IoLoop : IConnectionOwner
{
    private readonly TcpServer _server;
    private readonly Dictionary<long, TcpConnection> _connections = []; // loop thread only
    private long _open; // accepted onto this loop and not yet released; any thread (Interlocked)

    internal IoLoop(TcpServer server, EventLoop loop, int index, int readBufferBytes)
    {
        _server = server;
        Loop = loop;
        Index = index;
        ReadBuffer = new byte[readBufferBytes];
    }

    /// <summary>The loop.</summary>
    internal EventLoop Loop { get; }

    /// <summary>0 for the server's own loop, then 1, 2, ... for the loops the server started.</summary>
    internal int Index { get; }

    /// <summary>The thread running a loop the server started; null for the server's own loop.</summary>
    internal IThreadHandle? Thread { get; set; }

    /// <summary>Loop thread only: where inline handlers write their replies.</summary>
    internal PooledBufferWriter InlineReplies { get; } = new();

    /// <summary>Connections handed to this loop and not yet released (any thread; a statistic).</summary>
    internal long OpenConnections => Interlocked.Read(ref _open);

    /// <summary>Loop thread: the buffer every connection of this loop reads into (reused at once).</summary>
    public byte[] ReadBuffer { get; }

    /// <summary>Bytes and closes of this loop's connections.</summary>
    public ServerCounts Counts { get; } = new();

    public ILogger Logger => _server.Logger;

    /// <summary>The accepting loop: a connection is on its way to this loop.</summary>
    internal void CountHandedOver() => Interlocked.Increment(ref _open);

    /// <summary>Loop thread: takes the connection handed over (registers it with this loop's poller).</summary>
    internal void Adopt(TcpConnection connection)
    {
        _connections.Add(connection.Id, connection);
        connection.Start();
        _server.NotifyOpened(connection);
    }

    /// <summary>Loop thread: closes every connection of this loop (the server stopped).</summary>
    internal void CloseAll()
    {
        foreach (var connection in _connections.Values.ToList())
        {
            connection.Close(CloseReason.ServerStopped);
        }
    }

    /// <summary>Loop thread: shuts every connection of this loop down gracefully.</summary>
    internal void ShutdownAll()
    {
        foreach (var connection in _connections.Values.ToList())
        {
            connection.Shutdown();
        }
    }

    public void Dispatch(TcpConnection connection, ReadOnlyMemory<byte> message) =>
        _server.Dispatch(this, connection, message);

    public bool HandleBatch(InputBatch batch) => _server.HandleBatch(batch);

    public void Submit(TcpConnection connection) => _server.Submit(connection);

    public void CountError() => _server.CountError();

    public void CountDroppedSend() => _server.CountDroppedSend();

    public void NotifyClosed(TcpConnection connection) => _server.NotifyClosed(connection);

    public void NotifyWriteCompleted(TcpConnection connection) =>
        _server.NotifyWriteCompleted(connection);

    public void NotifyHighWaterMark(TcpConnection connection, long unsent) =>
        _server.NotifyHighWaterMark(connection, unsent);

    /// <summary>On this loop's thread, or on a worker once the loop has finished (the table is then left alone).</summary>
    public void Released(TcpConnection connection, bool afterLoop)
    {
        if (!afterLoop)
        {
            _connections.Remove(connection.Id);
        }
        Interlocked.Decrement(ref _open);
        _server.CountReleased();
    }
}
