using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pool.Diagnostics;
using Pool.Threading;

namespace Pool.Reactor;

/// <summary>
/// A TCP server on one <see cref="EventLoop"/>: messages (see <see cref="MessageFraming"/>) answered by the
/// handler's reply. Without workers the handler runs inline on the loop thread; with an <see cref="Executor"/> it
/// runs on a worker, one task per connection at a time: what the loop reads while that task is queued or running
/// waits for the connection's next task, which handles it all as one batch and writes the batch's replies at once.
/// A connection always submits to the same serial queue (connections are spread over a fixed set of them).
/// </summary>
/// <remarks>
/// Callbacks (<see cref="ConnectionOpened"/>, <see cref="ConnectionClosed"/>, <see cref="WriteCompleted"/>,
/// <see cref="HighWaterMarkReached"/>) are set before <see cref="Start"/> and run on the loop thread, queued
/// after the event that caused them, so they may call back into the connection freely. A callback that throws
/// is counted in <see cref="Errors"/>.
/// </remarks>
public sealed class TcpServer : IConnectionOwner
{
    private const int SerialQueuesPerWorker = 4;
    private readonly EventLoop _loop;
    private readonly IThreading _threading;
    private readonly INetwork _network;
    private readonly MessageHandler _handler;
    private readonly PooledBufferWriter _inlineReplies = new(); // loop thread only
    private readonly byte[] _readBuffer; // loop thread only: every connection reads into it
    private readonly TcpServerOptions _options;

    // Chunk framing: bytes read while a connection's handler is queued or running join its last waiting message
    // (a read may return any part of the stream anyway), so a busy connection costs one hand-off and one handler
    // call per batch rather than per read. Framed messages stay one each (0).
    private readonly int _mergeLimit;
    private readonly ExecQueue[] _queues;
    private readonly Dictionary<long, TcpConnection> _connections = []; // loop thread only
    private readonly IAtomicInt64 _accepted;
    private readonly IAtomicInt64 _released;
    private readonly IAtomicInt64 _refused;
    private readonly IAtomicInt64 _errors;
    private readonly IAtomicInt64 _droppedSends;
    private readonly IAtomicInt64 _messages;
    private readonly IAtomicInt64 _shed;
    private readonly ServerMetrics? _metrics;
    private Acceptor? _acceptor;
    private bool _stopped; // loop thread only
    private long _nextId;

    /// <summary>Creates a server whose handler returns each reply as a new array; nothing listens until <see cref="Start"/>.</summary>
    /// <param name="loop">The loop that owns every socket of this server.</param>
    /// <param name="handler">
    /// Message to reply (null: no reply); called as a <see cref="MessageHandler"/> is. The message's memory is lent
    /// for the call only: copy what you keep.
    /// </param>
    /// <param name="options">Address, port and limits (defaults: loopback, any free port).</param>
    /// <param name="workers">Workers for the handler, or null to run it inline on the loop.</param>
    /// <param name="threading">The threading seam (default: OS threads); must be the loop's.</param>
    /// <param name="telemetry">The meter (<c>Pool.TcpServer</c>) and logger factory of this server; null: the loop's
    /// (see <see cref="TelemetryOptions"/>).</param>
    /// <exception cref="InvalidOperationException">A metrics listener threw while the server's instruments were published.</exception>
    public TcpServer(
        EventLoop loop,
        Func<ReadOnlyMemory<byte>, byte[]> handler,
        TcpServerOptions? options = null,
        Executor? workers = null,
        IThreading? threading = null,
        TelemetryOptions? telemetry = null
    )
        : this(loop, WritingReturnedArrays(handler), options, workers, threading, telemetry) { }

    /// <summary>Creates a server; nothing listens until <see cref="Start"/>.</summary>
    /// <param name="loop">The loop that owns every socket of this server.</param>
    /// <param name="handler">
    /// Writes each message's reply; called on the loop thread, or on a worker when <paramref name="workers"/> is
    /// given (see <see cref="MessageHandler"/>: the message and the reply writer are lent for the call).
    /// </param>
    /// <param name="options">Address, port and limits (defaults: loopback, any free port).</param>
    /// <param name="workers">Workers for the handler, or null to run it inline on the loop.</param>
    /// <param name="threading">The threading seam (default: OS threads); must be the loop's.</param>
    /// <param name="telemetry">The meter (<c>Pool.TcpServer</c>) and logger factory of this server; null: the loop's
    /// (see <see cref="TelemetryOptions"/>).</param>
    /// <exception cref="InvalidOperationException">A metrics listener threw while the server's instruments were published.</exception>
    public TcpServer(
        EventLoop loop,
        MessageHandler handler,
        TcpServerOptions? options = null,
        Executor? workers = null,
        IThreading? threading = null,
        TelemetryOptions? telemetry = null
    )
    {
        ArgumentNullException.ThrowIfNull(loop);
        ArgumentNullException.ThrowIfNull(handler);
        _loop = loop;
        _network = loop.Network;
        _handler = handler;
        _options = options ?? new TcpServerOptions();
        _options.Validate();
        _mergeLimit = _options.Framing == MessageFraming.Chunk ? _options.ReadBufferBytes : 0;
        _threading = threading ?? OsThreading.Instance;
        telemetry ??= loop.Telemetry;
        _metrics = ServerMetrics.For(telemetry, _threading);
        Logger = telemetry?.LoggerFactory is { } loggers
            ? new NonThrowingLogger(loggers.CreateLogger<TcpServer>())
            : NullLogger.Instance;
        _queues = workers is null
            ? []
            :
            [
                .. Enumerable
                    .Range(0, Math.Max(1, workers.ThreadCount * SerialQueuesPerWorker))
                    .Select(i => workers.CreateQueue($"tcp-{i}", serial: true)),
            ];
        _readBuffer = new byte[_options.ReadBufferBytes];
        _accepted = _threading.CreateAtomic();
        _released = _threading.CreateAtomic();
        _refused = _threading.CreateAtomic();
        _errors = _threading.CreateAtomic();
        _droppedSends = _threading.CreateAtomic();
        _messages = _threading.CreateAtomic();
        _shed = _threading.CreateAtomic();
    }

    /// <summary>Loop thread: a connection was accepted and registered (set before <see cref="Start"/>).</summary>
    public Action<TcpConnection>? ConnectionOpened
    {
        get;
        set => field = _acceptor is null ? value : throw CallbacksAreFixed();
    }

    /// <summary>Loop thread: a connection closed; its <see cref="TcpConnection.CloseReason"/> says why. Once per connection.</summary>
    public Action<TcpConnection>? ConnectionClosed
    {
        get;
        set => field = _acceptor is null ? value : throw CallbacksAreFixed();
    }

    /// <summary>Loop thread: a connection's output was fully written to the socket (after each send or flush that empties it).</summary>
    public Action<TcpConnection>? WriteCompleted
    {
        get;
        set => field = _acceptor is null ? value : throw CallbacksAreFixed();
    }

    /// <summary>
    /// Loop thread: a connection's unsent bytes rose to <see cref="TcpServerOptions.HighWaterMarkBytes"/> or above
    /// (bytes sent from other threads count as soon as they are sent); the argument is the count at the crossing.
    /// </summary>
    public Action<TcpConnection, long>? HighWaterMarkReached
    {
        get;
        set => field = _acceptor is null ? value : throw CallbacksAreFixed();
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

    byte[] IConnectionOwner.ReadBuffer => _readBuffer;

    /// <summary>Where the server and its connections log (category <c>Pool.Reactor.TcpServer</c>); never throws.</summary>
    internal ILogger Logger { get; }

    ILogger IConnectionOwner.Logger => Logger;

    /// <summary>Bytes and closes, counted on the loop thread for the server's metrics.</summary>
    internal ServerCounts Counts { get; } = new();

    ServerCounts IConnectionOwner.Counts => Counts;

    /// <summary>Any thread: binds and listens now (so <see cref="Port"/> is known), and starts accepting on the loop.</summary>
    /// <exception cref="ReactorException">The address cannot be bound.</exception>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    public void Start()
    {
        if (_acceptor is not null)
        {
            throw new InvalidOperationException("The server was already started.");
        }
        var listener = _network.Listen(_options.Address, _options.Port, _options.Backlog);
        Port = _network.LocalPort(listener);
        _metrics?.Observe(this, _options.Address);
        _acceptor = new Acceptor(this, _loop, listener);
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
            StopAccepting();
            foreach (var connection in _connections.Values.ToList())
            {
                connection.Close(CloseReason.ServerStopped);
            }
        });

    /// <summary>
    /// Any thread: a graceful stop. Stops accepting and shuts every open connection down
    /// (<see cref="TcpConnection.Shutdown"/>): replies to the messages already received are still written, then each
    /// connection's sending direction is shut and it closes when its peer ends its stream. Watch
    /// <see cref="OpenConnections"/> reach 0, then <see cref="Stop"/> (which closes whatever is left, dropping its
    /// unsent output). Calling it again, or after <see cref="Stop"/>, does nothing more.
    /// </summary>
    /// <exception cref="InvalidOperationException">The loop has finished.</exception>
    public void Shutdown() =>
        _loop.RunInLoop(() =>
        {
            StopAccepting();
            foreach (var connection in _connections.Values.ToList())
            {
                connection.Shutdown();
            }
        });

    /// <summary>Loop thread: closes the listener once; connections stay as they are.</summary>
    private void StopAccepting()
    {
        if (_acceptor is { } acceptor && !_stopped)
        {
            _stopped = true;
            _loop.Unregister(acceptor.Descriptor, acceptor.Token);
            acceptor.Close();
        }
    }

    internal void Accepted(int fd)
    {
        _accepted.Add(1);
        if (_connections.Count >= _options.MaxConnections)
        {
            _refused.Add(1);
            _network.Close(fd);
            return;
        }
        _network.ConfigureAccepted(fd);
        var connection = new TcpConnection(this, _loop, _threading, fd, ++_nextId, _options);
        _connections.Add(connection.Id, connection);
        connection.Start();
        Notify(ConnectionOpened, connection, nameof(ConnectionOpened));
    }

    /// <summary>Loop thread: one message of an open connection; its reply is written inline or by a worker.</summary>
    void IConnectionOwner.Dispatch(TcpConnection connection, ReadOnlyMemory<byte> message)
    {
        if (connection.State != ConnectionState.Connected)
        {
            return; // closed by an earlier message of the same read (inline handler failure)
        }
        _messages.Add(1);
        if (_queues.Length == 0)
        {
            _inlineReplies.Reset();
            if (!Handle(message, _inlineReplies))
            {
                connection.Close(CloseReason.HandlerFailed);
                return;
            }
            connection.SendReplyInLoop(_inlineReplies.Written);
            return;
        }
        if (connection.QueueInput(message.Span, _mergeLimit))
        {
            Submit(connection);
        }
    }

    void IConnectionOwner.Submit(TcpConnection connection) => Submit(connection);

    /// <summary>
    /// Hands the connection's waiting input to a worker (from the loop, or from the worker that handled the batch
    /// before); the in-flight count was raised for it. A connection always submits to the same serial queue, so
    /// its batches are handled, and their replies written, in order.
    /// </summary>
    private void Submit(TcpConnection connection)
    {
        var queue = _queues[connection.Id % _queues.Length];
        try
        {
            queue.Submit(connection.HandleInputTask, connection.CancelInputTask);
        }
        catch (InvalidOperationException)
        {
            // The workers were destroyed before the server stopped: the batch is treated as a cancelled
            // session (no reply), and counted as an error.
            CountError();
            ReactorLog.WorkersGone(Logger, connection.Id);
            connection.CancelInput();
        }
    }

    /// <summary>Worker: handles every message of a connection's batch, in order, appending their replies.</summary>
    bool IConnectionOwner.HandleBatch(InputBatch batch)
    {
        var replied = false;
        for (var i = 0; i < batch.Count; i++)
        {
            replied |= Handle(batch[i], batch.Replies);
        }
        return replied;
    }

    /// <summary>
    /// Appends the handler's reply to <paramref name="replies"/> (framed if the server frames); false when the
    /// handler threw: what it wrote is discarded and the failure counted as an error.
    /// </summary>
    private bool Handle(ReadOnlyMemory<byte> message, PooledBufferWriter replies)
    {
        var start = replies.Count;
        var framed = _options.Framing == MessageFraming.LengthPrefixed;
        if (framed)
        {
            replies.GetSpan(LengthPrefixedFramer.PrefixBytes);
            replies.Advance(LengthPrefixedFramer.PrefixBytes);
        }
        try
        {
            _handler(message, replies);
        }
        catch (Exception failure)
        {
            replies.Truncate(start);
            CountError(); // a failing handler must not take the loop or a worker down with it
            ReactorLog.HandlerFailed(Logger, failure);
            return false;
        }
        if (framed)
        {
            var prefix = LengthPrefixedFramer.PrefixBytes;
            LengthPrefixedFramer.WritePrefix(
                replies.WrittenSlice(start, prefix),
                replies.Count - start - prefix
            );
        }
        return true;
    }

    /// <summary>The older handler shape: the returned array is the reply (null: none).</summary>
    private static MessageHandler WritingReturnedArrays(Func<ReadOnlyMemory<byte>, byte[]> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return (message, reply) =>
        {
            if (handler(message) is { } bytes)
            {
                reply.Write(bytes);
            }
        };
    }

    void IConnectionOwner.NotifyClosed(TcpConnection connection) =>
        Notify(ConnectionClosed, connection, nameof(ConnectionClosed));

    void IConnectionOwner.NotifyWriteCompleted(TcpConnection connection) =>
        Notify(WriteCompleted, connection, nameof(WriteCompleted));

    /// <summary>Any thread: queues the high-water-mark callback onto the loop.</summary>
    void IConnectionOwner.NotifyHighWaterMark(TcpConnection connection, long unsent)
    {
        if (HighWaterMarkReached is { } callback)
        {
            Notify<TcpConnection>(
                c => callback(c, unsent),
                connection,
                nameof(HighWaterMarkReached)
            );
        }
    }

    /// <summary>A connection's descriptor was closed: on the loop thread, or on a worker after the loop finished.</summary>
    void IConnectionOwner.Released(TcpConnection connection, bool afterLoop)
    {
        if (!afterLoop)
        {
            _connections.Remove(connection.Id); // loop thread only; after the loop nothing reads the table
        }
        _released.Add(1);
    }

    private void Notify<T>(Action<T>? callback, T argument, string name)
    {
        if (callback is null)
        {
            return;
        }
        try
        {
            _loop.QueueInLoop(() =>
            {
                try
                {
                    callback(argument);
                }
                catch (Exception failure)
                {
                    CountError(); // a failing callback must not take the loop down
                    ReactorLog.CallbackFailed(Logger, name, failure);
                }
            });
        }
        catch (InvalidOperationException)
        {
            // the loop has finished: nobody is left to tell
        }
    }

    private static InvalidOperationException CallbacksAreFixed() =>
        new("Set the server's callbacks before Start.");

    internal void CountError() => _errors.Add(1);

    void IConnectionOwner.CountError() => CountError();

    internal void CountShed() => _shed.Add(1);

    void IConnectionOwner.CountDroppedSend() => _droppedSends.Add(1);
}
