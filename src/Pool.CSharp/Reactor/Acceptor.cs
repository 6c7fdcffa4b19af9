using Pool.Reactor.Linux;

namespace Pool.Reactor;

/// <summary>
/// The listening socket's channel: accepts every waiting connection when it is readable. Keeps one spare
/// descriptor (on /dev/null) for running out of descriptors (EMFILE/ENFILE): it closes the spare, accepts
/// the waiting connection and closes it at once (the peer sees the close), then takes the spare again;
/// without this a level-triggered listener would be reported ready forever and the loop would spin.
/// </summary>
internal sealed class Acceptor : IChannel
{
    private readonly TcpServer _server;
    private readonly INetwork _network;
    private readonly int _listener;
    private int _spare;

    internal Acceptor(TcpServer server, INetwork network, int listener)
    {
        _server = server;
        _network = network;
        _listener = listener;
        _spare = network.OpenSpare();
    }

    internal int Descriptor => _listener;

    internal ulong Token { get; set; }

    void IChannel.HandleEvent(in ReadyEvent ready)
    {
        while (true)
        {
            var fd = _network.Accept(_listener, out var errno);
            if (fd >= 0)
            {
                _server.Accepted(fd);
                continue;
            }
            switch (errno)
            {
                case Native.Eagain or Native.Eintr or Native.Econnaborted:
                    return;
                case Native.Emfile or Native.Enfile when _spare >= 0:
                    _network.Close(_spare);
                    var shed = _network.Accept(_listener, out _);
                    if (shed >= 0)
                    {
                        _network.Close(shed);
                        _server.CountShed();
                    }
                    _spare = _network.OpenSpare();
                    continue;
                default:
                    _server.CountError(); // retried on the next readiness report
                    return;
            }
        }
    }

    /// <summary>Closes the listener and the spare descriptor.</summary>
    internal void Close()
    {
        _network.Close(_listener);
        if (_spare >= 0)
        {
            _network.Close(_spare);
            _spare = -1;
        }
    }
}
