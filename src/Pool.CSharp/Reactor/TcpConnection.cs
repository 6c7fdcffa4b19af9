using Pool.Reactor.Linux;
using Pool.Threading;

namespace Pool.Reactor;

/// <summary>
/// One accepted TCP connection, owned by its server's loop. Its descriptor leaves the poller at once when it
/// closes, but is closed (released) only when no reply is in flight, so a late reply can never reach a
/// reused descriptor number; such a reply is dropped and counted.
/// </summary>
public sealed class TcpConnection : IChannel
{
    private readonly TcpServer _server;
    private readonly EventLoop _loop;
    private readonly int _fd;
    private readonly OutputBuffer _output = new();
    private readonly IAtomicInt64 _state;
    private ulong _token;
    private Interest _interest;
    private int _inFlight; // loop thread only
    private bool _peerClosed; // loop thread only

    internal TcpConnection(TcpServer server, EventLoop loop, IThreading threading, int fd, long id)
    {
        _server = server;
        _loop = loop;
        _fd = fd;
        Id = id;
        _state = threading.CreateAtomic((long)ConnectionState.Connected);
    }

    /// <summary>A number unique within the server.</summary>
    public long Id { get; }

    /// <summary>The current state (any thread; it may change right after it is read).</summary>
    public ConnectionState State => (ConnectionState)_state.Read();

    /// <summary>
    /// Any thread: writes <paramref name="data"/> after everything sent before (from the loop thread at once,
    /// from another thread through the loop's queue). On a closed connection the data is dropped and counted
    /// in <see cref="TcpServer.DroppedSends"/>, never an exception.
    /// </summary>
    public void Send(ReadOnlyMemory<byte> data)
    {
        if (_loop.IsInLoopThread)
        {
            SendInLoop(data.Span);
            return;
        }
        var copy = data.ToArray();
        try
        {
            _loop.QueueInLoop(() => SendInLoop(copy));
        }
        catch (InvalidOperationException)
        {
            _server.CountDroppedSend(); // the loop has finished: the connection is gone
        }
    }

    internal void Start()
    {
        _interest = Interest.Readable;
        _token = _loop.Register(_fd, this, _interest);
    }

    /// <summary>Loop thread: a message was handed to a worker; its reply (or its cancellation) must come back.</summary>
    internal void BeginReply() => _inFlight++;

    /// <summary>Any thread: the worker's reply (null: the work was cancelled). Written if the connection is open.</summary>
    internal void CompleteReply(byte[]? reply)
    {
        try
        {
            _loop.RunInLoop(() =>
            {
                _inFlight--;
                if (reply is not null)
                {
                    SendInLoop(reply);
                }
                CloseIfDone();
                ReleaseIfIdle();
            });
        }
        catch (InvalidOperationException)
        {
            _server.CountDroppedSend(); // the loop finished first; its teardown released everything
        }
    }

    void IChannel.HandleEvent(in ReadyEvent ready)
    {
        if (ready.Readable && !_peerClosed)
        {
            Read();
        }
        if (ready.Writable && State == ConnectionState.Connected)
        {
            Flush();
        }
        if (ready.Closed && State == ConnectionState.Connected && !ready.Readable)
        {
            Abort();
        }
    }

    /// <summary>Loop thread: closes now, dropping unsent output (server stop or error).</summary>
    internal void Abort()
    {
        _output.Clear();
        Close();
    }

    private void Read()
    {
        var buffer = _server.ReadBuffer;
        var read = SocketCalls.Receive(_fd, buffer, out var errno);
        if (read > 0)
        {
            _server.Dispatch(this, buffer.AsMemory(0, read));
            return;
        }
        if (read == 0)
        {
            _peerClosed = true; // half-close: keep writing the replies still owed
            SetInterest(_interest & ~Interest.Readable);
            CloseIfDone();
            return;
        }
        if (errno != Native.Eagain && errno != Native.Eintr)
        {
            _server.CountError();
            Abort();
        }
    }

    private void SendInLoop(ReadOnlySpan<byte> data)
    {
        if (State != ConnectionState.Connected)
        {
            _server.CountDroppedSend();
            return;
        }
        if (_output.Count == 0)
        {
            var written = SocketCalls.Send(_fd, data, out var errno);
            if (written < 0)
            {
                if (errno != Native.Eagain && errno != Native.Eintr)
                {
                    _server.CountError(); // EPIPE or ECONNRESET: the peer is gone
                    Abort();
                    return;
                }
                written = 0;
            }
            data = data[written..];
        }
        if (data.Length > 0)
        {
            _output.Append(data);
            SetInterest(_interest | Interest.Writable);
        }
    }

    private void Flush()
    {
        var written = SocketCalls.Send(_fd, _output.Pending, out var errno);
        if (written < 0)
        {
            if (errno != Native.Eagain && errno != Native.Eintr)
            {
                _server.CountError();
                Abort();
            }
            return;
        }
        _output.Consume(written);
        if (_output.Count == 0)
        {
            SetInterest(_interest & ~Interest.Writable);
            CloseIfDone();
        }
    }

    private void SetInterest(Interest interest)
    {
        if (interest != _interest && State == ConnectionState.Connected)
        {
            _interest = interest;
            _loop.UpdateInterest(_fd, _token, interest);
        }
    }

    /// <summary>After the peer's end of stream: close once every owed reply is written.</summary>
    private void CloseIfDone()
    {
        if (_peerClosed && _inFlight == 0 && _output.Count == 0)
        {
            Close();
        }
    }

    private void Close()
    {
        if (
            _state.CompareExchange((long)ConnectionState.Closed, (long)ConnectionState.Connected)
            != (long)ConnectionState.Connected
        )
        {
            return;
        }
        _loop.Unregister(_fd, _token);
        ReleaseIfIdle();
    }

    private void ReleaseIfIdle()
    {
        if (
            _inFlight == 0
            && _state.CompareExchange((long)ConnectionState.Released, (long)ConnectionState.Closed)
                == (long)ConnectionState.Closed
        )
        {
            SocketCalls.Close(_fd);
            _server.Released(this);
        }
    }
}
