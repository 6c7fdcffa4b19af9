using System.Net;

namespace Pool.Reactor;

/// <summary>How a <see cref="TcpServer"/> listens and what it accepts.</summary>
public sealed record TcpServerOptions
{
    /// <summary>The IPv4 address to listen on; loopback unless stated.</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>The port; 0 picks a free one (read it from <see cref="TcpServer.Port"/>).</summary>
    public int Port { get; init; }

    /// <summary>Connections open at once; more are accepted and closed at once (counted as refused).</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>Largest chunk read at once, which is also the largest message a handler receives.</summary>
    public int ReadBufferBytes { get; init; } = 64 * 1024;

    /// <summary>The listen backlog.</summary>
    public int Backlog { get; init; } = 1024;
}
