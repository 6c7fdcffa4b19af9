namespace Pool.Reactor;

/// <summary>How a <see cref="TcpServer"/> cuts the byte stream into the messages its handler receives.</summary>
public enum MessageFraming
{
    /// <summary>
    /// Every read is one message (at most <see cref="TcpServerOptions.ReadBufferBytes"/>); replies are sent as they
    /// are. The echo server's mode. With workers, bytes read while the connection's handler is queued or running
    /// join the message waiting for it (up to the same size), as if one read had returned them: the handler sees
    /// what arrived while it worked in one call.
    /// </summary>
    Chunk,

    /// <summary>
    /// Each message is a 4-byte big-endian length followed by that many bytes; the handler receives the bytes
    /// without the prefix and its reply is sent with one. A length above <see cref="TcpServerOptions.MaxMessageBytes"/>
    /// closes the connection with <see cref="CloseReason.MessageTooLarge"/>.
    /// </summary>
    LengthPrefixed,
}
