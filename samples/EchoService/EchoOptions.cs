using System.Net;
using Pool.Reactor;

namespace EchoService;

/// <summary>
/// The service's settings, bound from the configuration section <see cref="Section"/> (appsettings.json, then
/// environment variables such as <c>Echo__Port=9001</c>, then the command line: <c>--port 9001</c> or
/// <c>--Echo:Port 9001</c>); checked when the host starts (<see cref="EchoOptionsValidator"/>).
/// </summary>
internal sealed class EchoOptions
{
    public const string Section = "Echo";

    /// <summary>The IPv4 address to listen on.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>The port; 0 picks a free one (logged at start).</summary>
    public int Port { get; set; } = 9000;

    /// <summary>Worker threads for the handler; 0 runs it on the loop thread.</summary>
    public int Threads { get; set; } = 2;

    /// <summary>I/O loops: the server's own loop and <c>Loops - 1</c> more, each on a thread of its own (connections spread round-robin).</summary>
    public int Loops { get; set; } = 1;

    /// <summary>CPU work per message: fib(Work); 0 is a plain echo.</summary>
    public int Work { get; set; }

    /// <summary>A pause per message on the handler's thread (a slow back end); zero for none.</summary>
    public TimeSpan HandlerDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Connections open at once; more are accepted and closed at once.</summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>How the byte stream is cut into messages.</summary>
    public MessageFraming Framing { get; set; } = MessageFraming.Chunk;

    /// <summary>How long a stop waits for replies in flight and for clients to close, before it closes what is left.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The address, parsed (valid after validation).</summary>
    public IPAddress ParsedAddress => IPAddress.Parse(Address);
}
