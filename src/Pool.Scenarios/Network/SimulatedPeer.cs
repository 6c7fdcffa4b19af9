using Pool.Scenarios.Support;

namespace Pool.Scenarios.Network;

/// <summary>
/// The client end of one simulated connection, driven by a scenario thread: each call is an event of the
/// network that the explorer orders against the server's loop and workers.
/// </summary>
internal sealed class SimulatedPeer(SimulatedNetwork network)
{
    private readonly List<byte> _received = []; // guarded by the network's lock

    /// <summary>The server's descriptor for this connection once accepted, else -1.</summary>
    internal int Descriptor { get; set; } = -1;

    /// <summary>Bytes sent by the peer and not yet read by the server.</summary>
    internal Queue<byte> Inbound { get; } = [];

    /// <summary>Bytes written by the server and not yet read by the peer (at most the network's window).</summary>
    internal Queue<byte> Unread { get; } = [];

    /// <summary>The peer shut its sending direction (or closed): the server reads end of stream after the data.</summary>
    internal bool InboundEnded { get; private set; }

    /// <summary>The server's read returned end of stream (it should stop watching for reading).</summary>
    internal bool EndOfStreamRead { get; set; }

    /// <summary>The server shut its sending direction or closed the descriptor.</summary>
    internal bool OutboundEnded { get; set; }

    /// <summary>The connection was reset: the server's calls fail with ECONNRESET.</summary>
    internal bool IsReset { get; private set; }

    /// <summary>The peer closed entirely: what the server writes is discarded.</summary>
    internal bool HasClosed { get; private set; }

    /// <summary>Every byte the server's writes accepted, whether the peer read it or had closed (discarded).</summary>
    internal List<byte> Written { get; } = [];

    /// <summary>How many times the server closed its descriptor (the network refuses a second time).</summary>
    internal int Releases { get; set; }

    /// <summary>The bytes the server wrote so far (any thread).</summary>
    public byte[] WrittenBytes => network.Locked(() => Written.ToArray());

    /// <summary>Whether the server has closed its descriptor (any thread; a scheduling point).</summary>
    public bool IsReleased => network.Locked(() => Releases > 0);

    /// <summary>Blocks until the server closes its descriptor (a deadlock if it never does).</summary>
    public void AwaitRelease() =>
        network.Locked(() =>
        {
            while (Releases == 0)
            {
                network.WaitForChange();
            }
        });

    /// <summary>Never accepted: the server closed its listener first (what the peer sends is lost).</summary>
    internal bool Refused { get; private set; }

    /// <summary>Under the network's lock: the listener closed with this connection waiting; the peer sees a reset.</summary>
    internal void RefuseByServer()
    {
        Refused = true;
        IsReset = true;
        OutboundEnded = true;
        Inbound.Clear();
    }

    /// <summary>Sends bytes (they arrive as one chunk, which the network may split); lost on a refused connection.</summary>
    public void Send(params byte[] bytes) =>
        network.Locked(() =>
        {
            if (Refused)
            {
                return;
            }
            Check.That(!InboundEnded && !IsReset, "the scenario sent after closing");
            foreach (var b in bytes)
            {
                Inbound.Enqueue(b);
            }
            network.Changed();
        });

    /// <summary>Half-close: the peer sends no more but keeps reading the replies owed to it.</summary>
    public void ShutdownWrite() =>
        network.Locked(() =>
        {
            InboundEnded = true;
            network.Changed();
        });

    /// <summary>Closes entirely, reading nothing more.</summary>
    public void Close() =>
        network.Locked(() =>
        {
            InboundEnded = true;
            HasClosed = true;
            Unread.Clear();
            network.Changed();
        });

    /// <summary>Resets the connection: data in both directions is lost and the server's calls fail.</summary>
    public void Reset() =>
        network.Locked(() =>
        {
            IsReset = true;
            InboundEnded = true;
            HasClosed = true;
            Inbound.Clear();
            Unread.Clear();
            network.Changed();
        });

    /// <summary>Reads until the server ends its stream; returns everything this peer received.</summary>
    public byte[] ReadToEnd() => Read(int.MaxValue);

    /// <summary>Reads until at least <paramref name="bytes"/> bytes have arrived in all, or the stream ends.</summary>
    public byte[] Read(int bytes) =>
        network.Locked(() =>
        {
            while (true)
            {
                if (Unread.Count > 0)
                {
                    _received.AddRange(Unread);
                    Unread.Clear();
                    network.Changed(); // the window opened: the server may write again
                }
                if (_received.Count >= bytes || OutboundEnded)
                {
                    return _received.ToArray();
                }
                network.WaitForChange();
            }
        });
}
