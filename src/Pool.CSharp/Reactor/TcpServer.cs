using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pool.Diagnostics;
using Pool.Threading;

namespace Pool.Reactor;

/// <summary>
/// A TCP server on one <see cref="EventLoop"/>, or on several (<see cref="TcpServerOptions.Loops"/>): messages (see
/// <see cref="MessageFraming"/>) answered by the handler's reply. Without workers the handler runs inline on the
/// connection's loop thread; with an <see cref="Executor"/> it runs on a worker, one task per connection at a time:
/// what the loop reads while that task is queued or running waits for the connection's next task, which handles it
/// all as one batch and writes the batch's replies at once. The next task is submitted only once the reply before it
/// is written or handed to the loop, so replies keep their order whichever worker runs each task; the tasks go to a
/// fixed set of the executor's concurrent queues (connections spread over them, so that the queues' locks are not one).
/// </summary>
/// <remarks>
/// <para>The server's loop accepts. With more than one loop, the server starts the others on threads of its own at
/// <see cref="Start"/> and hands each new connection to the next loop in turn (round-robin, the server's own loop last
/// in each turn); the connection is served by that loop for its life. The loops the server started quit, and are
/// joined, when the server's loop finishes (its <see cref="EventLoop.Run"/> returns after them).</para>
/// <para>Callbacks (<see cref="ConnectionOpened"/>, <see cref="ConnectionClosed"/>, <see cref="WriteCompleted"/>,
/// <see cref="HighWaterMarkReached"/>) are set before <see cref="Start"/> and run on the connection's loop thread,
/// queued after the event that caused them, so they may call back into the connection freely. A callback that throws
/// is counted in <see cref="Errors"/>.</para>
/// </remarks>
public sealed class TcpServer
{
    private const int QueuesPerWorker = 4;
    private readonly EventLoop _loop;
    private readonly IThreading _threading;
    private readonly INetwork _network;
    private readonly MessageHandler _handler;
    private readonly TcpServerOptions _options;

    // Chunk framing: bytes read while a connection's handler is queued or running join its last waiting message
    // (a read may return any part of the stream anyway), so a busy connection costs one hand-off and one handler
    // call per batch rather than per read. Framed messages stay one each (0).
    private readonly int _mergeLimit;
    private readonly ExecQueue[] _queues;
    private IoLoop[] _loops; // the server's loop first; the others from Start on
    private readonly IAtomicInt64 _accepted;
    private readonly IAtomicInt64 _released;
    private readonly IAtomicInt64 _refused;
    private readonly IAtomicInt64 _errors;
    private readonly IAtomicInt64 _droppedSends;
    private readonly IAtomicInt64 _messages;
    private readonly IAtomicInt64 _shed;
    private readonly ServerMetrics? _metrics;
    private Acceptor? _acceptor;
    private bool _stopped; // the server's loop thread only
    private long _nextId; // the server's loop thread only
    private int _nextLoop; // the server's loop thread only: where the next connection goes

    /// <summary>Creates a server whose handler returns each reply as a new array; nothing listens until <see cref="Start"/>.</summary>
    /// <param name="loop">The loop that accepts, and serves connections (with <see cref="TcpServerOptions.Loops"/>
    /// above 1, a share of them).</param>
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
    /// <param name="loop">The loop that accepts, and serves connections (with <see cref="TcpServerOptions.Loops"/>
    /// above 1, a share of them).</param>
    /// <param name="handler">
    /// Writes each message's reply; called on the connection's loop thread, or on a worker when <paramref name="workers"/> is
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
                    .Range(0, Math.Max(1, workers.ThreadCount * QueuesPerWorker))
                    .Select(i => workers.CreateQueue($"tcp-{i}", serial: false)),
            ];
        _loops = [new IoLoop(this, loop, 0, _options.ReadBufferBytes)];
        _accepted = _threading.CreateAtomic();
        _released = _threading.CreateAtomic();
        _refused = _threading.CreateAtomic();
        _errors = _threading.CreateAtomic();
        _droppedSends = _threading.CreateAtomic();
        _messages = _threading.CreateAtomic();
        _shed = _threading.CreateAtomic();
    }

    /// <summary>The connection's loop thread: a connection was accepted and registered (set before <see cref="Start"/>).</summary>
    public Action<TcpConnection>? ConnectionOpened
    {
        get;
        set => field = _acceptor is null ? value : throw CallbacksAreFixed();
    }

    /// <summary>The connection's loop thread: a connection closed; its <see cref="TcpConnection.CloseReason"/> says why. Once per connection.</summary>
    public Action<TcpConnection>? ConnectionClosed
    {
        get;
        set => field = _acceptor is null ? value : throw CallbacksAreFixed();
    }

    /// <summary>The connection's loop thread: a connection's output was fully written to the socket (after each send or flush that empties it).</summary>
    public Action<TcpConnection>? WriteCompleted
    {
        get;
        set => field = _acceptor is null ? value : throw CallbacksAreFixed();
    }

    /// <summary>
    /// The connection's loop thread: a connection's unsent bytes rose to <see cref="TcpServerOptions.HighWaterMarkBytes"/> or above
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

    /// <summary>Where the server and its connections log (category <c>Pool.Reactor.TcpServer</c>); never throws.</summary>
    internal ILogger Logger { get; }

    /// <summary>Bytes and closes, counted by each loop for the server's metrics; here their sums.</summary>
    internal ServerTotals Counts => new(_loops);

    /// <summary>The I/O loops (the server's own first); after <see cref="Start"/>, all of them.</summary>
    internal IReadOnlyList<IoLoop> Loops => _loops;

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
        _acceptor = new Acceptor(this, _loop, listener);
        StartLoops();
        _metrics?.Observe(this, _options.Address);
        var acceptor = _acceptor;
        _loop.RunInLoop(() =>
            acceptor.Token = _loop.Register(listener, acceptor, Interest.Readable)
        );
    }

    /// <summary>
    /// Creates and starts the loops beyond the server's own, each on a thread of its own; they quit and are joined
    /// when the server's loop finishes.
    /// </summary>
    private void StartLoops()
    {
        if (_options.Loops == 1)
        {
            return;
        }
        var name = _loop.Telemetry?.Name;
        var loops = new IoLoop[_options.Loops];
        loops[0] = _loops[0];
        for (var i = 1; i < loops.Length; i++)
        {
            var loop = _loop.CreateSibling(name is null ? null : $"{name}-{i}");
            loops[i] = new IoLoop(this, loop, i, _options.ReadBufferBytes)
            {
                Thread = _threading.Start(loop.Run, $"io-loop-{i}"),
            };
        }
        _loops = loops;
        _nextLoop = 1; // the accepting loop comes last in each turn: it has the accepts to do as well
        if (!_loop.WhenFinished(QuitLoops))
        {
            QuitLoops(); // the server's loop had finished already: nothing will be served
        }
    }

    /// <summary>The server's loop has finished (on its thread): quits the loops the server started and joins them.</summary>
    private void QuitLoops()
    {
        foreach (var loop in _loops.Skip(1))
        {
            loop.Loop.Quit();
        }
        foreach (var loop in _loops.Skip(1))
        {
            loop.Thread!.Join();
            loop.Loop.Dispose();
        }
    }

    /// <summary>
    /// Any thread: stops accepting and closes every connection (each is released once its replies are back).
    /// Stopping again does nothing.
    /// </summary>
    /// <remarks>
    /// The server's loop stops accepting first, then asks every loop to close its connections: a connection accepted
    /// before that was handed to its loop earlier, so its loop takes it before it closes the rest.
    /// </remarks>
    public void Stop() =>
        _loop.RunInLoop(() =>
        {
            StopAccepting();
            foreach (var loop in _loops)
            {
                loop.Loop.RunInLoop(loop.CloseAll);
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
            foreach (var loop in _loops)
            {
                loop.Loop.RunInLoop(loop.ShutdownAll);
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

    /// <summary>
    /// The server's loop thread: a connection was accepted. It goes to the next loop in turn, for its life: registered
    /// at once when that is this loop, otherwise handed over as a functor of that loop, which registers it.
    /// </summary>
    internal void Accepted(int fd)
    {
        _accepted.Add(1);
        if (OpenOnLoops() >= _options.MaxConnections)
        {
            _refused.Add(1);
            _network.Close(fd);
            return;
        }
        _network.ConfigureAccepted(fd);
        var target = _loops[_nextLoop];
        _nextLoop = (_nextLoop + 1) % _loops.Length;
        var connection = new TcpConnection(
            target,
            target.Loop,
            _threading,
            fd,
            ++_nextId,
            _options
        );
        target.CountHandedOver();
        if (target.Loop == _loop)
        {
            target.Adopt(connection);
        }
        else
        {
            // Only after the server's loop has finished do the others refuse functors; this runs on it, before.
            target.Loop.QueueInLoop(() => target.Adopt(connection));
        }
    }

    /// <summary>Connections handed to the loops and not yet released.</summary>
    private long OpenOnLoops()
    {
        long open = 0;
        foreach (var loop in _loops)
        {
            open += loop.OpenConnections;
        }
        return open;
    }

    /// <summary>The connection's loop thread: one message of an open connection; its reply is written inline or by a worker.</summary>
    internal void Dispatch(IoLoop loop, TcpConnection connection, ReadOnlyMemory<byte> message)
    {
        if (connection.State != ConnectionState.Connected)
        {
            return; // closed by an earlier message of the same read (inline handler failure)
        }
        _messages.Add(1);
        if (_queues.Length == 0)
        {
            var replies = loop.InlineReplies;
            replies.Reset();
            if (!Handle(message, replies))
            {
                connection.Close(CloseReason.HandlerFailed);
                return;
            }
            connection.SendReplyInLoop(replies.Written);
            return;
        }
        if (connection.QueueInput(message.Span, _mergeLimit))
        {
            Submit(connection);
        }
    }

    /// <summary>
    /// Hands the connection's waiting input to a worker (from the loop, or from the worker that handled the batch
    /// before, once its reply is written or handed to the loop); the in-flight count was raised for it. A connection
    /// has one task queued or running at a time, so its batches are handled, and their replies written, in order.
    /// </summary>
    internal void Submit(TcpConnection connection)
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
    internal bool HandleBatch(InputBatch batch)
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

    internal void NotifyOpened(TcpConnection connection) =>
        Notify(ConnectionOpened, connection, nameof(ConnectionOpened));

    internal void NotifyClosed(TcpConnection connection) =>
        Notify(ConnectionClosed, connection, nameof(ConnectionClosed));

    internal void NotifyWriteCompleted(TcpConnection connection) =>
        Notify(WriteCompleted, connection, nameof(WriteCompleted));

    /// <summary>Any thread: queues the high-water-mark callback onto the connection's loop.</summary>
    internal void NotifyHighWaterMark(TcpConnection connection, long unsent)
    {
        if (HighWaterMarkReached is { } callback)
        {
            Notify(c => callback(c, unsent), connection, nameof(HighWaterMarkReached));
        }
    }

    /// <summary>A connection's descriptor was closed (exactly once).</summary>
    internal void CountReleased() => _released.Add(1);

    /// <summary>Queues <paramref name="callback"/> onto the loop of <paramref name="connection"/>.</summary>
    private void Notify(Action<TcpConnection>? callback, TcpConnection connection, string name)
    {
        if (callback is null)
        {
            return;
        }
        try
        {
            connection.Loop.QueueInLoop(() =>
            {
                try
                {
                    callback(connection);
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

    internal void CountShed() => _shed.Add(1);

    internal void CountDroppedSend() => _droppedSends.Add(1);
}
