namespace Pool.Reactor;

/// <summary>Why a <see cref="TcpConnection"/> closed; set once, when it leaves <see cref="ConnectionState.Connected"/>.</summary>
public enum CloseReason
{
    /// <summary>Still connected.</summary>
    None,

    /// <summary>The peer ended its stream and every reply owed to it was written.</summary>
    PeerClosed,

    /// <summary>A socket error: the peer reset the connection, or a write found the pipe broken.</summary>
    SocketError,

    /// <summary><see cref="TcpConnection.Shutdown"/> was called, the output drained, and then the peer closed.</summary>
    LocalShutdown,

    /// <summary><see cref="TcpServer.Stop"/> closed it; unsent output was dropped.</summary>
    ServerStopped,

    /// <summary>A length-prefixed message announced more than <see cref="TcpServerOptions.MaxMessageBytes"/>.</summary>
    MessageTooLarge,

    /// <summary>Unsent output would have exceeded <see cref="TcpServerOptions.MaxPendingOutputBytes"/> (the peer does not read).</summary>
    OutputLimitExceeded,

    /// <summary>The handler threw while running inline on the loop (with workers, a failed message only loses its reply).</summary>
    HandlerFailed,
}
