using Pool.Reactor.Linux;
using Pool.Threading;

namespace Pool.Reactor;

/// <summary>
/// A TCP server on one <see cref="EventLoop"/>: every received chunk is a message, answered by the handler's
/// reply. Without workers the handler runs inline on the loop thread; with an <see cref="Executor"/> it runs on a
/// worker, and replies of one connection keep their order because a connection always submits to the same
/// serial queue (connections are spread over a fixed set of serial queues).
/// </summary>
public sealed class TcpServer
{
    private const int SerialQueuesPerWorker = 4;
    private readonly EventLoop _loop;
    private readonly IThreading _threading;
    private readonly Func<ReadOnlyMemory<byte>, byte[]> _handler;
    private readonly TcpServerOptions _options;
    private readonly ExecQueue[] _queues;
    private readonly Dictionary<long, TcpConnection> _connections = []; // loop thread only
    private readonly IAtomicInt64 _accepted;
    private readonly IAtomicInt64 _released;
    private readonly IAtomicInt64 _refused;
    private readonly IAtomicInt64 _errors;
    private readonly IAtomicInt64 _droppedSends;
    private readonly IAtomicInt64 _messages;
    private readonly IAtomicInt64 _shed;
    private Acceptor? _acceptor;
    private bool _stopped; // loop thread only
    private long _nextId;

    /// <summary>Creates a server; nothing listens until <see cref="Start"/>.</summary>
    /// <param name="loop">The loop that owns every socket of this server.</param>
    /// <param name="handler">Message to reply; called on the loop thread, or on a worker when <paramref name="workers"/> is given.</param>
    /// <param name="options">Address, port and limits (defaults: loopback, any free port).</param>
    /// <param name="workers">Workers for the handler, or null to run it inline on the loop.</param>
    /// <param name="threading">The threading seam (default: OS threads); must be the loop's.</param>
    public TcpServer(
        EventLoop loop,
        Func<ReadOnlyMemory<byte>, byte[]> handler,
        TcpServerOptions? options = null,
        Executor? workers = null,
        IThreading? threading = null
    )
    {
        ArgumentNullException.ThrowIfNull(loop);
        ArgumentNullException.ThrowIfNull(handler);
        _loop = loop;
        _handler = handler;
        _options = options ?? new TcpServerOptions();
        _threading = threading ?? OsThreading.Instance;
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxConnections, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.ReadBufferBytes, 1, nameof(options));
        _queues = workers is null
            ? []
            :
            [
                .. Enumerable
                    .Range(0, Math.Max(1, workers.ThreadCount * SerialQueuesPerWorker))
                    .Select(i => workers.CreateQueue($"tcp-{i}", serial: true)),
            ];
        ReadBuffer = new byte[_options.ReadBufferBytes];
        _accepted = _threading.CreateAtomic();
        _released = _threading.CreateAtomic();
        _refused = _threading.CreateAtomic();
        _errors = _threading.CreateAtomic();
        _droppedSends = _threading.CreateAtomic();
        _messages = _threading.CreateAtomic();
        _shed = _threading.CreateAtomic();
    }

    /// <summary>The port listened on (after <see cref="Start"/>).</summary>
    public int Port { get; private set; }

    /// <summary>Connections accepted (including refused ones).</summary>
    public long AcceptedConnections => _accepted.Read();

    /// <summary>Connections released (descriptor closed); each exactly once.</summary>
    public long ReleasedConnections => _released.Read();

    /// <summary>Connections closed at once because <see cref="TcpServerOptions.MaxConnections"/> were open.</summary>
    public long RefusedConnections => _refused.Read();

    /// <summary>Connections not yet released.</summary>
    public long OpenConnections => _accepted.Read() - _refused.Read() - _released.Read();

    /// <summary>Connections accepted and closed at once because the process had no descriptor left (EMFILE/ENFILE).</summary>
    public long ShedConnections => _shed.Read();

    /// <summary>Messages received.</summary>
    public long Messages => _messages.Read();

    /// <summary>Socket errors (resets, broken pipes, failed accepts).</summary>
    public long Errors => _errors.Read();

    /// <summary>Sends and replies dropped because their connection had closed.</summary>
    public long DroppedSends => _droppedSends.Read();

    internal byte[] ReadBuffer { get; }

    /// <summary>Any thread: binds and listens now (so <see cref="Port"/> is known), and starts accepting on the loop.</summary>
    /// <exception cref="ReactorException">The address cannot be bound.</exception>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    public void Start()
    {
        if (_acceptor is not null)
        {
            throw new InvalidOperationException("The server was already started.");
        }
        var listener = SocketCalls.Listen(_options.Address, _options.Port, _options.Backlog);
        Port = SocketCalls.LocalPort(listener);
        _acceptor = new Acceptor(this, listener);
        var acceptor = _acceptor;
        _loop.RunInLoop(() =>
            acceptor.Token = _loop.Register(listener, acceptor, Interest.Readable)
        );
    }

    /// <summary>
    /// Any thread: stops accepting and closes every connection (each is released once its replies are back).
    /// Stopping again does nothing.
    /// </summary>
    public void Stop() =>
        _loop.RunInLoop(() =>
        {
            if (_acceptor is { } acceptor && !_stopped)
            {
                _stopped = true;
                _loop.Unregister(acceptor.Descriptor, acceptor.Token);
                acceptor.Close();
            }
            foreach (var connection in _connections.Values.ToList())
            {
                connection.Abort();
            }
        });

    internal void Accepted(int fd)
    {
        _accepted.Add(1);
        if (_connections.Count >= _options.MaxConnections)
        {
            _refused.Add(1);
            SocketCalls.Close(fd);
            return;
        }
        SocketCalls.DisableNagle(fd);
        var connection = new TcpConnection(this, _loop, _threading, fd, ++_nextId);
        _connections.Add(connection.Id, connection);
        connection.Start();
    }

    internal void Dispatch(TcpConnection connection, ReadOnlyMemory<byte> message)
    {
        _messages.Add(1);
        if (_queues.Length == 0)
        {
            var reply = Handle(message);
            if (reply is null)
            {
                connection.Abort();
                return;
            }
            connection.Send(reply);
            return;
        }
        var copy = message.ToArray();
        connection.BeginReply(); // before the hand-off: the worker may finish first
        _queues[connection.Id % _queues.Length]
            .Submit(
                () => connection.CompleteReply(Handle(copy)),
                cancelled: () => connection.CompleteReply(null)
            );
    }

    /// <summary>The handler's reply, or null when it threw (counted as an error; no reply is sent).</summary>
    private byte[]? Handle(ReadOnlyMemory<byte> message)
    {
        try
        {
            return _handler(message);
        }
        catch (Exception)
        {
            CountError(); // a failing handler must not take the loop or a worker down with it
            return null;
        }
    }

    internal void Released(TcpConnection connection)
    {
        _connections.Remove(connection.Id);
        _released.Add(1);
    }

    internal void CountError() => _errors.Add(1);

    internal void CountShed() => _shed.Add(1);

    internal void CountDroppedSend() => _droppedSends.Add(1);
}
