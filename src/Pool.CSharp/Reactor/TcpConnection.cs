using Pool.Reactor.Linux;
using Pool.Threading;

namespace Pool.Reactor;

/// <summary>
/// One accepted TCP connection, owned by the server's loop that serves it for its life. Its descriptor leaves the poller at once when it
/// closes, but is closed (released) only when no reply is in flight, so a late reply can never reach a
/// reused descriptor number; such a reply is dropped and counted.
/// </summary>
/// <remarks>
/// Teardown: the peer's end of stream is a half-close (replies still owed are written, then the connection
/// closes); a socket error, the server's stop, an oversize message or an output overflow close it
/// at once, dropping unsent output. Either way it is released exactly once, when nothing is in flight.
/// <para>Writes: the loop reads and owns the poller registration; a worker's reply (or a send from another
/// thread) is written by that thread itself when the connection is plainly open and nothing is waiting to be
/// written before it, under the connection's write lock; anything else (a partial write, a failed one, output
/// already queued, a connection closing or half-closed) goes through the loop as before. The write lock
/// guards the output buffer and every write to the descriptor, so no write can follow the close.</para>
/// </remarks>
public sealed class TcpConnection : IChannel
{
    // Set at construction.
    private readonly IConnectionOwner _owner; // its loop's: read buffer, counts; the server's handler, workers, callbacks
    private readonly EventLoop _loop; // owns the descriptor's registration
    private readonly INetwork _network; // the loop's network
    private readonly int _fd; // the descriptor: written under _writeLock, closed once on release
    private readonly long _highWaterMarkBytes; // unsent bytes that report a crossing
    private readonly long _maxPendingOutputBytes; // output the loop buffers before it closes the connection
    private readonly LengthPrefixedFramer? _framer; // loop thread only; null in chunk framing
    private readonly ConnectionInput _input; // messages waiting for the handler, under its own lock

    // Loop thread only.
    private ulong _token; // the poller registration
    private Interest _interest; // what the poller watches
    private bool _peerClosed; // the peer ended its stream
    private bool _shutdownRequested; // a local shutdown was processed
    private bool _writeShut; // the sending direction is shut

    // Under _writeLock, which also guards every write to the descriptor (so none follows the close).
    private readonly ILock _writeLock; // guards the three fields below
    private readonly OutputBuffer _output = new(); // bytes waiting for the socket to be writable
    private bool _writesThroughLoop; // closed, half-closed or shutting down: no direct write
    private int _queuedWrites; // sends and replies handed to the loop, not yet written by it

    // Atomics, any thread.
    private readonly IAtomicInt64 _state; // ConnectionState; Closed to Released is claimed once
    private readonly IAtomicInt64 _closeReason; // CloseReason, written under _writeLock as it closes
    private readonly IAtomicInt64 _unsentBytes; // accepted by Send or a reply, not yet written or dropped
    private readonly IAtomicInt64 _inFlight; // handler tasks whose reply has not come back; lowered by the loop or a direct write

    internal TcpConnection(
        IConnectionOwner owner,
        EventLoop loop,
        IThreading threading,
        int fd,
        long id,
        TcpServerOptions options
    )
    {
        _owner = owner;
        _loop = loop;
        _network = loop.Network;
        _fd = fd;
        Id = id;
        _writeLock = threading.CreateLock();
        _input = new ConnectionInput(threading);
        HandleInputTask = HandleInput;
        CancelInputTask = CancelInput;
        _state = threading.CreateAtomic((long)ConnectionState.Connected);
        _closeReason = threading.CreateAtomic((long)CloseReason.None);
        _unsentBytes = threading.CreateAtomic();
        _inFlight = threading.CreateAtomic();
        _highWaterMarkBytes = options.HighWaterMarkBytes;
        _maxPendingOutputBytes = options.MaxPendingOutputBytes;
        _framer =
            options.Framing == MessageFraming.LengthPrefixed
                ? new LengthPrefixedFramer(options.MaxMessageBytes)
                : null;
    }

    /// <summary>The loop that serves this connection for its life.</summary>
    internal EventLoop Loop => _loop;

    /// <summary>A number unique within the server.</summary>
    public long Id { get; }

    /// <summary>The current state (any thread; it may change right after it is read).</summary>
    public ConnectionState State => (ConnectionState)_state.Read();

    /// <summary>Why the connection closed; <see cref="CloseReason.None"/> while it is connected (any thread).</summary>
    public CloseReason CloseReason => (CloseReason)_closeReason.Read();

    /// <summary>Bytes accepted by <see cref="Send"/> (or as replies) from any thread and not yet written or dropped.</summary>
    public long UnsentBytes => _unsentBytes.Read();

    /// <summary>
    /// Any thread: writes <paramref name="data"/> after everything sent before: at once when nothing waits to
    /// be written (on the calling thread, under the connection's write lock), otherwise after what waits, by the
    /// loop. On a closed connection, or after <see cref="Shutdown"/>, the data is dropped and counted in
    /// the server's dropped sends, never an exception. Bytes accepted here count toward the high-water
    /// mark at once, whichever thread sends them.
    /// </summary>
    public void Send(ReadOnlyMemory<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }
        Accept(data.Length);
        if (_loop.IsInLoopThread)
        {
            SendInLoop(data.Span, isReply: false, queued: false);
            return;
        }
        if (TryWriteDirectly(data.Span, isReply: false, out var written))
        {
            return;
        }
        var rest = data[written..].ToArray();
        try
        {
            _loop.QueueInLoop(() => SendInLoop(rest, isReply: false, queued: true));
        }
        catch (InvalidOperationException)
        {
            Drop(rest.Length); // the loop has finished: the connection is gone
        }
    }

    /// <summary>
    /// Any thread: a graceful local close. From when the loop processes it, new sends are dropped and further
    /// input is discarded; replies to messages already received are still written; once the output is empty
    /// and nothing is in flight the sending direction is shut (the peer reads end of stream), and the
    /// connection closes (<see cref="CloseReason.LocalShutdown"/>) when the peer ends its stream too.
    /// Calling it again, or on a closed connection, does nothing.
    /// </summary>
    public void Shutdown()
    {
        RouteWritesThroughLoop(); // a later send of this thread must not overtake the shutdown
        try
        {
            _loop.RunInLoop(() =>
            {
                if (State != ConnectionState.Connected || _shutdownRequested)
                {
                    return;
                }
                _shutdownRequested = true; // writes already go through the loop (above)
                ShutWriteIfDrained();
                CloseIfDone();
            });
        }
        catch (InvalidOperationException)
        {
            // the loop has finished: its teardown closed the connection
        }
    }

    internal void Start()
    {
        _interest = Interest.Readable;
        _token = _loop.Register(_fd, this, _interest);
    }

    /// <summary>The worker's session for this connection: handles the waiting input (one delegate per connection).</summary>
    internal Action HandleInputTask { get; }

    /// <summary>Called instead of <see cref="HandleInputTask"/> when the workers are destroyed before it runs.</summary>
    internal Action CancelInputTask { get; }

    /// <summary>
    /// Loop thread: queues a message for the handler (copied). True when no handler task is queued or running:
    /// the caller must submit one, and the in-flight count was raised for it; false when the task already
    /// scheduled will take it, or the task writing its reply will submit the next one (counted here).
    /// </summary>
    internal bool QueueInput(ReadOnlySpan<byte> message, int mergeLimit)
    {
        var queued = _input.Queue(message, mergeLimit);
        if (queued == InputQueued.Waits)
        {
            return false;
        }
        BeginReply(); // before the hand-off: the worker may finish first
        return queued == InputQueued.Submit;
    }

    /// <summary>
    /// Worker: handles every message waiting, in order, and writes their replies as one. Input that arrived
    /// meanwhile gets the next task, counted in flight here before this reply settles (so the connection cannot be
    /// released between the two); input the loop reads while this reply is written is counted by the loop. Either
    /// way the next task is submitted only once this reply is written or handed to the loop, so its reply, on
    /// whichever worker, cannot overtake this one.
    /// </summary>
    private void HandleInput()
    {
        var batch = _input.Take();
        var replied = _owner.HandleBatch(batch);
        if (_input.Finish())
        {
            BeginReply();
        }
        CompleteReply(batch.Replies.Written, replied);
        if (_input.Return(batch))
        {
            _owner.Submit(this);
        }
    }

    /// <summary>
    /// The destroying thread, or the loop when the workers are gone: the scheduled handler task will not run. Its
    /// waiting input is dropped, and its in-flight count settled as a reply-less completion.
    /// </summary>
    internal void CancelInput()
    {
        _input.Cancel();
        CompleteReply([], replied: false);
    }

    /// <summary>A handler task was scheduled; its reply (or its cancellation) must come back.</summary>
    private void BeginReply() => _inFlight.Add(1);

    /// <summary>
    /// Any thread: the reply of a handler task (<paramref name="replied"/> false: the task was cancelled, or every
    /// handler call failed), written if the connection is open: at once by this thread when nothing waits before
    /// it, otherwise by the loop (from a copy: <paramref name="reply"/> is the caller's again on return).
    /// </summary>
    internal void CompleteReply(ReadOnlySpan<byte> reply, bool replied)
    {
        byte[]? rest = null;
        var queued = false;
        if (replied)
        {
            Accept(reply.Length);
            if (!_loop.IsInLoopThread)
            {
                if (TryWriteDirectly(reply, isReply: true, out var written))
                {
                    return; // written whole; the in-flight count was lowered with it
                }
                reply = reply[written..];
                queued = true;
            }
            rest = reply.ToArray();
        }
        try
        {
            _loop.RunInLoop(() =>
            {
                _inFlight.Add(-1);
                if (rest is not null)
                {
                    SendInLoop(rest, isReply: true, queued);
                }
                ShutWriteIfDrained();
                CloseIfDone();
                ReleaseIfIdle();
            });
        }
        catch (InvalidOperationException)
        {
            // The loop finished first (the workers outlived it): nothing else settles this reply now, so it is
            // settled here, and a connection the server's stop closed is still released, exactly once.
            Drop(rest?.Length ?? 0);
            _inFlight.Add(-1);
            ReleaseIfIdle(afterLoop: true);
        }
    }

    /// <summary>Loop thread: a reply produced inline by the handler.</summary>
    internal void SendReplyInLoop(ReadOnlySpan<byte> reply)
    {
        Accept(reply.Length);
        SendInLoop(reply, isReply: true, queued: false);
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
            _owner.CountError();
            Close(CloseReason.SocketError);
        }
    }

    /// <summary>Loop thread: closes now, dropping unsent output.</summary>
    internal void Close(CloseReason reason)
    {
        if (State != ConnectionState.Connected)
        {
            return;
        }
        int unsent;
        _writeLock.Enter();
        try
        {
            _writesThroughLoop = true;
            _closeReason.Write((long)reason);
            _owner.Counts.CountClosed(reason);
            _state.Write((long)ConnectionState.Closed);
            unsent = _output.Count;
            _output.Clear();
        }
        finally
        {
            _writeLock.Exit();
        }
        Drop(unsent);
        _loop.Unregister(_fd, _token);
        _owner.NotifyClosed(this);
        ReleaseIfIdle();
    }

    private void Read()
    {
        var buffer = _owner.ReadBuffer;
        var read = _network.Receive(_fd, buffer, out var errno);
        if (read > 0)
        {
            _owner.Counts.CountReceived(read);
            if (_shutdownRequested)
            {
                return; // shut down locally: input is read (so the close stays graceful) and discarded
            }
            var chunk = buffer.AsMemory(0, read);
            if (_framer is null)
            {
                _owner.Dispatch(this, chunk);
            }
            else if (!_framer.Append(chunk.Span, message => _owner.Dispatch(this, message)))
            {
                _owner.CountError();
                ReactorLog.MessageTooLarge(_owner.Logger, Id, _framer.MaxMessageBytes);
                Close(CloseReason.MessageTooLarge);
            }
            return;
        }
        if (read == 0)
        {
            _peerClosed = true; // half-close: keep writing the replies still owed
            RouteWritesThroughLoop();
            SetInterest(_interest & ~Interest.Readable);
            CloseIfDone();
            return;
        }
        if (errno != Native.Eagain && errno != Native.Eintr)
        {
            _owner.CountError();
            Close(CloseReason.SocketError);
        }
    }

    /// <summary>
    /// Another thread: writes <paramref name="data"/> now, under the write lock, if the connection is plainly
    /// open and nothing waits to be written before it; a reply written whole lowers the in-flight count in the
    /// same step. Otherwise (or when the write stops short) the caller hands the rest to the loop: it is
    /// counted in <c>_queuedWrites</c> here, so nothing later overtakes it. A failed write is not handled here:
    /// the loop meets the error again when it writes the rest, and closes the connection.
    /// </summary>
    private bool TryWriteDirectly(ReadOnlySpan<byte> data, bool isReply, out int written)
    {
        written = 0;
        bool whole;
        _writeLock.Enter();
        try
        {
            whole = !_writesThroughLoop && _queuedWrites == 0 && _output.Count == 0;
            if (whole)
            {
                written = data.IsEmpty ? 0 : Math.Max(0, _network.Send(_fd, data, out _));
                _owner.Counts.CountSent(written);
                _unsentBytes.Add(-written);
                whole = written == data.Length;
            }
            if (!whole)
            {
                _queuedWrites++;
            }
            else if (isReply)
            {
                _inFlight.Add(-1);
            }
        }
        finally
        {
            _writeLock.Exit();
        }
        if (whole && written > 0)
        {
            _owner.NotifyWriteCompleted(this);
        }
        return whole;
    }

    /// <summary>Any thread: from now on every write goes through the loop (closing, half-closed, shutting down).</summary>
    private void RouteWritesThroughLoop()
    {
        _writeLock.Enter();
        _writesThroughLoop = true;
        _writeLock.Exit();
    }

    /// <summary>Loop thread: writes or buffers <paramref name="data"/>; <paramref name="queued"/>: it was counted in <c>_queuedWrites</c>.</summary>
    private void SendInLoop(ReadOnlySpan<byte> data, bool isReply, bool queued)
    {
        var dropped = 0;
        var failure = CloseReason.None;
        var completed = false;
        var buffered = false;
        _writeLock.Enter();
        try
        {
            if (queued)
            {
                _queuedWrites--;
            }
            if (State != ConnectionState.Connected || (_shutdownRequested && !isReply))
            {
                dropped = data.Length;
            }
            else
            {
                if (_output.Count == 0)
                {
                    var written = _network.Send(_fd, data, out var errno);
                    if (written < 0)
                    {
                        if (errno != Native.Eagain && errno != Native.Eintr)
                        {
                            dropped = data.Length;
                            failure = CloseReason.SocketError; // EPIPE or ECONNRESET: the peer is gone
                        }
                        written = 0;
                    }
                    if (failure == CloseReason.None)
                    {
                        _owner.Counts.CountSent(written);
                        _unsentBytes.Add(-written);
                        data = data[written..];
                        completed = data.IsEmpty;
                    }
                }
                if (failure == CloseReason.None && !data.IsEmpty)
                {
                    if (_output.Count + (long)data.Length > _maxPendingOutputBytes)
                    {
                        dropped = data.Length;
                        failure = CloseReason.OutputLimitExceeded;
                    }
                    else
                    {
                        _output.Append(data);
                        buffered = true;
                    }
                }
            }
        }
        finally
        {
            _writeLock.Exit();
        }
        Drop(dropped);
        if (failure != CloseReason.None)
        {
            _owner.CountError();
            Close(failure);
        }
        else if (completed)
        {
            _owner.NotifyWriteCompleted(this);
        }
        else if (buffered)
        {
            SetInterest(_interest | Interest.Writable);
        }
    }

    private void Flush()
    {
        int written;
        int errno;
        bool emptied;
        _writeLock.Enter();
        try
        {
            written = _network.Send(_fd, _output.Pending, out errno);
            if (written >= 0)
            {
                _output.Consume(written);
                _owner.Counts.CountSent(written);
                _unsentBytes.Add(-written);
            }
            emptied = _output.Count == 0;
        }
        finally
        {
            _writeLock.Exit();
        }
        if (written < 0)
        {
            if (errno != Native.Eagain && errno != Native.Eintr)
            {
                _owner.CountError();
                Close(CloseReason.SocketError);
            }
            return;
        }
        if (emptied)
        {
            SetInterest(_interest & ~Interest.Writable);
            _owner.NotifyWriteCompleted(this);
            ShutWriteIfDrained();
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

    /// <summary>Counts bytes toward the high-water mark; reports the crossing from below (any thread).</summary>
    private void Accept(int bytes)
    {
        var after = _unsentBytes.Add(bytes);
        if (after >= _highWaterMarkBytes && after - bytes < _highWaterMarkBytes)
        {
            _owner.NotifyHighWaterMark(this, after);
        }
    }

    private void Drop(int bytes)
    {
        if (bytes > 0)
        {
            _unsentBytes.Add(-bytes);
            _owner.CountDroppedSend();
        }
    }

    /// <summary>No reply in flight.</summary>
    private bool NothingInFlight => _inFlight.Read() == 0;

    private bool Idle => OutputEmpty() && NothingInFlight;

    private bool OutputEmpty()
    {
        _writeLock.Enter();
        try
        {
            return _output.Count == 0;
        }
        finally
        {
            _writeLock.Exit();
        }
    }

    /// <summary>After a local shutdown: shut the sending direction once everything owed is written.</summary>
    private void ShutWriteIfDrained()
    {
        if (_shutdownRequested && !_writeShut && State == ConnectionState.Connected && Idle)
        {
            _writeShut = true;
            _network.ShutdownWrite(_fd);
        }
    }

    /// <summary>After the peer's end of stream: close once every owed reply is written.</summary>
    private void CloseIfDone()
    {
        if (_peerClosed && Idle && (!_shutdownRequested || _writeShut))
        {
            Close(_shutdownRequested ? CloseReason.LocalShutdown : CloseReason.PeerClosed);
        }
    }

    /// <summary>
    /// Closes the descriptor of a closed connection once nothing is in flight, exactly once. On the loop thread,
    /// or on a worker once the loop has finished (<paramref name="afterLoop"/>: the server's table, which belongs to
    /// the loop, is left alone).
    /// </summary>
    private void ReleaseIfIdle(bool afterLoop = false)
    {
        if (
            NothingInFlight
            && _state.CompareExchange((long)ConnectionState.Released, (long)ConnectionState.Closed)
                == (long)ConnectionState.Closed
        )
        {
            _network.Close(_fd);
            _owner.Released(this, afterLoop);
        }
    }
}
