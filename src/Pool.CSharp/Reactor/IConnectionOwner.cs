using Microsoft.Extensions.Logging;

namespace Pool.Reactor;

/// <summary>
/// What a <see cref="TcpConnection"/> needs from whoever owns it (the server's I/O loop that serves it,
/// <see cref="IoLoop"/>): the loop's read buffer, counts and log; the handler and the workers it runs on; and the
/// notices of the connection's life, which the server turns into its callbacks. The connection knows its owner only
/// through this.
/// </summary>
internal interface IConnectionOwner
{
    /// <summary>Loop thread: the buffer every connection of the loop reads into (reused at once).</summary>
    byte[] ReadBuffer { get; }

    /// <summary>Bytes and closes, counted on the loop thread.</summary>
    ServerCounts Counts { get; }

    /// <summary>Where the connection logs; never throws.</summary>
    ILogger Logger { get; }

    /// <summary>Loop thread: one message read; its reply is written inline or by a worker.</summary>
    void Dispatch(TcpConnection connection, ReadOnlyMemory<byte> message);

    /// <summary>Worker: runs the handler on every message of <paramref name="batch"/>, appending the replies; false when no call succeeded.</summary>
    bool HandleBatch(InputBatch batch);

    /// <summary>
    /// Loop or worker: schedules the connection's handler task (the in-flight count was raised for it); when it
    /// cannot, cancels the input (<see cref="TcpConnection.CancelInput"/>).
    /// </summary>
    void Submit(TcpConnection connection);

    /// <summary>Any thread: a socket error, an oversize message or an output overflow.</summary>
    void CountError();

    /// <summary>Any thread: a send or reply was dropped.</summary>
    void CountDroppedSend();

    /// <summary>Loop thread: the connection closed (once).</summary>
    void NotifyClosed(TcpConnection connection);

    /// <summary>Loop thread, or the writing thread: the connection's output was fully written.</summary>
    void NotifyWriteCompleted(TcpConnection connection);

    /// <summary>Any thread: the unsent bytes rose to the high-water mark; <paramref name="unsent"/> at the crossing.</summary>
    void NotifyHighWaterMark(TcpConnection connection, long unsent);

    /// <summary>The descriptor was closed, exactly once: on the loop thread, or on a worker after the loop finished.</summary>
    void Released(TcpConnection connection, bool afterLoop);
}
