using Pool.Reactor.Linux;

namespace Pool.Reactor;

/// <summary>
/// The listening socket's channel: accepts every waiting connection when it is readable. Keeps one spare
/// descriptor (on /dev/null) for running out of descriptors (EMFILE/ENFILE): it closes the spare, accepts
/// the waiting connection and closes it at once (the peer sees the close), then takes the spare again;
/// without this a level-triggered listener would be reported ready forever and the loop would spin.
/// If even the spare cannot be had, or accepting fails otherwise, the listener is paused (out of the poller's
/// readable interest) and retried after <see cref="RetryDelay"/>, so the loop never spins either.
/// </summary>
internal sealed class Acceptor : IChannel
{
    /// <summary>How long a paused listener waits before it accepts again.</summary>
    internal static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly TcpServer _server;
    private readonly EventLoop _loop;
    private readonly INetwork _network;
    private readonly int _listener;
    private int _spare;
    private TimerId? _retry; // loop thread only
    private bool _closed; // loop thread only
    private bool _outOfDescriptors; // loop thread only: logged, not yet recovered
    private bool _acceptFailing; // loop thread only: logged, not yet recovered
    private long _shedBefore; // loop thread only: shed count when the trouble began

    internal Acceptor(TcpServer server, EventLoop loop, int listener)
    {
        _server = server;
        _loop = loop;
        _network = loop.Network;
        _listener = listener;
        _spare = _network.OpenSpare();
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
                LogRecoveryOnce();
                _server.Accepted(fd);
                continue;
            }
            switch (errno)
            {
                case Native.Eagain:
                    return;
                case Native.Eintr or Native.Econnaborted:
                    continue; // that one connection is gone; others may be waiting
                case Native.Emfile or Native.Enfile when _spare >= 0:
                    LogOutOfDescriptorsOnce(errno);
                    // Linux allocates the descriptor before it looks at the queue, so EMFILE does not mean
                    // that a connection waits: the accept with the spare's number tells.
                    _network.Close(_spare);
                    var shed = _network.Accept(_listener, out var shedErrno);
                    if (shed >= 0)
                    {
                        _network.Close(shed);
                        _server.CountShed();
                    }
                    _spare = _network.OpenSpare();
                    if (_spare >= 0 && shed >= 0)
                    {
                        continue; // more may be waiting
                    }
                    if (_spare >= 0 && shedErrno == Native.Eagain)
                    {
                        return; // nobody was waiting
                    }
                    _server.CountError(); // another thread took the freed number: wait instead of spinning
                    Pause(errno);
                    return;
                default:
                    _server.CountError();
                    Pause(errno);
                    return;
            }
        }
    }

    /// <summary>Stops watching the listener and retries after <see cref="RetryDelay"/>, taking the spare again first.</summary>
    private void Pause(int errno)
    {
        if (!_acceptFailing && !_outOfDescriptors)
        {
            _acceptFailing = true;
            _shedBefore = _server.ShedConnections;
            ReactorLog.AcceptFailed(
                _server.Logger,
                _server.Port,
                errno,
                RetryDelay.TotalMilliseconds
            );
        }
        _loop.UpdateInterest(_listener, Token, Interest.None);
        _retry = _loop.RunAfter(
            RetryDelay,
            () =>
            {
                _retry = null;
                if (_closed)
                {
                    return;
                }
                if (_spare < 0)
                {
                    _spare = _network.OpenSpare();
                }
                _loop.UpdateInterest(_listener, Token, Interest.Readable);
            }
        );
    }

    /// <summary>One warning per shortage of descriptors, not one per shed connection.</summary>
    private void LogOutOfDescriptorsOnce(int errno)
    {
        if (!_outOfDescriptors)
        {
            _outOfDescriptors = true;
            _shedBefore = _acceptFailing ? _shedBefore : _server.ShedConnections;
            ReactorLog.DescriptorsExhausted(_server.Logger, _server.Port, errno);
        }
    }

    /// <summary>A connection was accepted: after a logged failure or shortage, say that accepting works again.</summary>
    private void LogRecoveryOnce()
    {
        if (_outOfDescriptors || _acceptFailing)
        {
            _outOfDescriptors = false;
            _acceptFailing = false;
            ReactorLog.AcceptRecovered(
                _server.Logger,
                _server.Port,
                _server.ShedConnections - _shedBefore
            );
        }
    }

    /// <summary>Loop thread: closes the listener (already out of the poller) and the spare descriptor.</summary>
    internal void Close()
    {
        _closed = true;
        if (_retry is { } retry)
        {
            _loop.Cancel(retry);
        }
        _network.Close(_listener);
        if (_spare >= 0)
        {
            _network.Close(_spare);
            _spare = -1;
        }
    }
}
