using System.Net;

namespace Pool.Reactor;

/// <summary>How a <see cref="TcpServer"/> listens, what it accepts, and the limits of each connection.</summary>
public sealed record TcpServerOptions
{
    /// <summary>The IPv4 address to listen on; loopback unless stated.</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>The port; 0 picks a free one (read it from <see cref="TcpServer.Port"/>).</summary>
    public int Port { get; init; }

    /// <summary>Connections open at once; more are accepted and closed at once (counted as refused).</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>Largest chunk read at once; with <see cref="MessageFraming.Chunk"/>, also the largest message a handler receives.</summary>
    public int ReadBufferBytes { get; init; } = 64 * 1024;

    /// <summary>The listen backlog.</summary>
    public int Backlog { get; init; } = 1024;

    /// <summary>How the byte stream is cut into messages.</summary>
    public MessageFraming Framing { get; init; } = MessageFraming.Chunk;

    /// <summary>With <see cref="MessageFraming.LengthPrefixed"/>: the largest message accepted (larger closes the connection).</summary>
    public int MaxMessageBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// Unsent bytes (queued from any thread plus buffered) at which <see cref="TcpServer.HighWaterMarkReached"/> is
    /// called, once per crossing from below.
    /// </summary>
    public long HighWaterMarkBytes { get; init; } = 1024 * 1024;

    /// <summary>Unsent bytes a connection may buffer; a send beyond it closes the connection with <see cref="CloseReason.OutputLimitExceeded"/>.</summary>
    public long MaxPendingOutputBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>
    /// The I/O loops that serve connections: the server's own loop (which also accepts) and
    /// <c>Loops - 1</c> more, each on a thread the server starts. New connections go to them round-robin, and each
    /// connection's reads, writes, timers and teardown stay on its loop for its life. Default 1: everything on the
    /// server's loop.
    /// </summary>
    public int Loops { get; init; } = 1;

    /// <summary>Throws when a value is out of range.</summary>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConnections, 1, nameof(MaxConnections));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReadBufferBytes, 1, nameof(ReadBufferBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(Backlog, 1, nameof(Backlog));
        ArgumentOutOfRangeException.ThrowIfLessThan(Loops, 1, nameof(Loops));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageBytes, 0, nameof(MaxMessageBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(
            HighWaterMarkBytes,
            1,
            nameof(HighWaterMarkBytes)
        );
        ArgumentOutOfRangeException.ThrowIfLessThan(
            MaxPendingOutputBytes,
            1,
            nameof(MaxPendingOutputBytes)
        );
        if (!Enum.IsDefined(Framing))
        {
            throw new ArgumentOutOfRangeException(nameof(Framing), Framing, "Unknown framing.");
        }
    }
}
