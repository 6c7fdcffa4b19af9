using Pool.Diagnostics;
using Pool.Reactor.Linux;
using Pool.Threading;

namespace Pool.Reactor;

/// <summary>
/// One event loop: a thread that waits for readiness and deadlines, runs due timers, then runs the functors
/// other threads queued (muduo's EventLoop). Everything the loop owns is touched on its thread only; other
/// threads reach it through <see cref="QueueInLoop"/>, <see cref="Cancel"/> and <see cref="Quit"/>.
/// </summary>
/// <remarks>
/// Functors run in the order they were queued, with the queue's lock released (a functor may queue more;
/// those run in the next round, and the loop does not sleep in between). Wake-ups are coalesced: many
/// queue calls between two rounds cost one eventfd write.
/// </remarks>
public sealed class EventLoop : IDisposable
{
    private const int ReadyCapacity = 128;
    private readonly IThreading _threading;
    private readonly IPoller _poller;
    private readonly ILock _lock;
    private readonly IThreadLocal<bool> _onLoopThread;
    private readonly IAtomicInt64 _wakePending;
    private readonly IAtomicInt64 _quit;
    private readonly IAtomicInt64 _nextTimerId;
    private readonly TimerQueue _timers;
    private readonly ChannelTable _channels = new(); // loop thread only
    private readonly LoopCounts _counts = new();
    private List<Action> _queued = []; // guarded by _lock
    private List<Action> _running = []; // loop thread only
    private readonly List<Action> _finishers = []; // guarded by _lock until the loop finishes
    private LoopState _state; // guarded by _lock
    private bool _callingFunctors; // loop thread only

    /// <summary>Creates a loop over epoll; any thread may create it, and the thread that calls <see cref="Run"/> owns it.</summary>
    /// <param name="threading">The threading seam (default: OS threads).</param>
    /// <param name="telemetry">The meter, logger factory and name of this loop (meter <c>Pool.EventLoop</c>); a
    /// <see cref="TcpServer"/> on this loop reports there too unless given its own. See <see cref="TelemetryOptions"/>.</param>
    /// <exception cref="ReactorException">epoll or eventfd could not be created.</exception>
    /// <exception cref="InvalidOperationException">A metrics listener threw while this loop's instruments were
    /// published; epoll and eventfd were released again.</exception>
    public EventLoop(IThreading? threading = null, TelemetryOptions? telemetry = null)
        : this(
            threading ?? OsThreading.Instance,
            new EpollPoller(),
            LinuxNetwork.Instance,
            telemetry
        ) { }

    /// <summary>
    /// A loop over another poller and the network whose descriptors it reports (for example a simulated network
    /// whose events a systematic explorer orders); a <see cref="TcpServer"/> on this loop uses
    /// <paramref name="network"/> for its sockets.
    /// </summary>
    /// <param name="threading">The threading seam; <paramref name="poller"/> and <paramref name="network"/> block
    /// and wake through it or through the operating system.</param>
    /// <param name="poller">Reports the readiness of <paramref name="network"/>'s descriptors; the loop calls it on its
    /// thread (but <see cref="IPoller.Wake"/>) and disposes it with itself.</param>
    /// <param name="network">The sockets; called on the loop's thread (see <see cref="INetwork"/>).</param>
    /// <param name="telemetry">The meter, logger factory and name of this loop (see <see cref="TelemetryOptions"/>).</param>
    /// <exception cref="InvalidOperationException">A metrics listener threw while this loop's instruments were
    /// published; <paramref name="poller"/> was disposed.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="threading"/>, <paramref name="poller"/> or
    /// <paramref name="network"/> is null.</exception>
    public EventLoop(
        IThreading threading,
        IPoller poller,
        INetwork network,
        TelemetryOptions? telemetry = null
    )
    {
        ArgumentNullException.ThrowIfNull(threading);
        ArgumentNullException.ThrowIfNull(poller);
        ArgumentNullException.ThrowIfNull(network);
        _threading = threading;
        _poller = poller;
        Network = network;
        Telemetry = telemetry;
        try
        {
            Name = LoopMetrics.Observe(_counts, telemetry, threading);
        }
        catch
        {
            poller.Dispose();
            throw;
        }
        _lock = threading.CreateLock();
        _onLoopThread = threading.CreateThreadLocal<bool>();
        _wakePending = threading.CreateAtomic();
        _quit = threading.CreateAtomic();
        _nextTimerId = threading.CreateAtomic();
        _timers = new TimerQueue();
    }

    private enum LoopState
    {
        Created,
        Running,
        Finished,
    }

    /// <summary>The sockets of this loop's poller.</summary>
    internal INetwork Network { get; }

    /// <summary>Where this loop reports (a server on it reports there too unless given its own).</summary>
    internal TelemetryOptions? Telemetry { get; }

    /// <summary>The loop's name in its measurements (<c>pool.event_loop.name</c>), or null when it is not measured.</summary>
    internal string? Name { get; }

    /// <summary>True on the thread running this loop.</summary>
    public bool IsInLoopThread => _onLoopThread.Value;

    /// <summary>The loop's clock (the threading seam's: virtual under the explorer).</summary>
    public TimeSpan Now => _threading.Now;

    /// <summary>
    /// Runs the loop on the calling thread until <see cref="Quit"/>; then runs every functor queued so far
    /// (and those they queue) and returns. After that, queueing throws.
    /// </summary>
    /// <exception cref="InvalidOperationException">Run was already called.</exception>
    public void Run()
    {
        _lock.Enter();
        try
        {
            if (_state != LoopState.Created)
            {
                throw new InvalidOperationException("EventLoop.Run may be called once.");
            }
            _state = LoopState.Running;
        }
        finally
        {
            _lock.Exit();
        }
        _onLoopThread.Value = true;
        try
        {
            Span<ReadyEvent> ready = stackalloc ReadyEvent[ReadyCapacity];
            while (_quit.Read() == 0)
            {
                _counts.CountIteration();
                var count = _poller.Wait(ready, PollTimeout());
                for (var i = 0; i < count; i++)
                {
                    _channels.Find(ready[i].Token)?.HandleEvent(ready[i]);
                }
                _counts.CountTimersFired(_timers.RunExpired(_threading.Now));
                RunQueuedFunctors();
            }
        }
        finally
        {
            Finish();
            RunFinishers();
            _onLoopThread.Value = false;
        }
    }

    /// <summary>
    /// Any thread: a new loop over the same threading and network, with a poller of its own
    /// (<see cref="INetwork.CreatePoller"/>), reporting where this one does under <paramref name="name"/> (null: a
    /// numbered name).
    /// </summary>
    internal EventLoop CreateSibling(string? name) =>
        new(
            _threading,
            Network.CreatePoller(),
            Network,
            Telemetry is null ? null : Telemetry with { Name = name }
        );

    /// <summary>
    /// Any thread: runs <paramref name="finisher"/> on the loop thread once <see cref="Run"/> has run its last
    /// functors, before it returns; false (and nothing registered) when the loop has already finished.
    /// </summary>
    internal bool WhenFinished(Action finisher)
    {
        _lock.Enter();
        try
        {
            if (_state == LoopState.Finished)
            {
                return false;
            }
            _finishers.Add(finisher);
            return true;
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>Any thread, any time (even before <see cref="Run"/>): makes the loop finish its round and return.</summary>
    public void Quit()
    {
        _quit.Write(1);
        Wake();
    }

    /// <summary>Runs <paramref name="functor"/> now when called on the loop thread, else queues it.</summary>
    /// <exception cref="InvalidOperationException">The loop has finished.</exception>
    public void RunInLoop(Action functor)
    {
        ArgumentNullException.ThrowIfNull(functor);
        if (IsInLoopThread)
        {
            functor();
        }
        else
        {
            QueueInLoop(functor);
        }
    }

    /// <summary>Any thread: queues <paramref name="functor"/> to run on the loop thread after the current round.</summary>
    /// <exception cref="InvalidOperationException">The loop has finished: the functor would never run.</exception>
    public void QueueInLoop(Action functor)
    {
        ArgumentNullException.ThrowIfNull(functor);
        _lock.Enter();
        try
        {
            if (_state == LoopState.Finished)
            {
                throw new InvalidOperationException(
                    "The event loop has finished; queued work would never run."
                );
            }
            _queued.Add(functor);
        }
        finally
        {
            _lock.Exit();
        }
        if (!IsInLoopThread || _callingFunctors)
        {
            Wake();
        }
    }

    /// <summary>Any thread: runs <paramref name="callback"/> on the loop thread at <paramref name="when"/> (on <see cref="Now"/>'s clock).</summary>
    public TimerId RunAt(TimeSpan when, Action callback) => AddTimer(when, null, callback);

    /// <summary>Any thread: runs <paramref name="callback"/> once, <paramref name="delay"/> from now.</summary>
    public TimerId RunAfter(TimeSpan delay, Action callback)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return AddTimer(Now + delay, null, callback);
    }

    /// <summary>Any thread: runs <paramref name="callback"/> every <paramref name="interval"/>, first after one interval.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="interval"/> is not positive.</exception>
    public TimerId RunEvery(TimeSpan interval, Action callback)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        return AddTimer(Now + interval, interval, callback);
    }

    /// <summary>
    /// Any thread: cancels a timer. Once the cancel is processed on the loop (at once when called there,
    /// including from the timer's own callback) the timer never fires again. Cancelling a fired or cancelled
    /// timer does nothing.
    /// </summary>
    public void Cancel(TimerId id) => RunInLoop(() => _timers.Cancel(id));

    /// <summary>Releases epoll and eventfd. Call after <see cref="Run"/> returned, or if it was never called.</summary>
    /// <exception cref="InvalidOperationException">The loop is running.</exception>
    public void Dispose()
    {
        _lock.Enter();
        var running = _state == LoopState.Running;
        _lock.Exit();
        if (running)
        {
            throw new InvalidOperationException(
                "Quit the loop and wait for Run to return before disposing it."
            );
        }
        _poller.Dispose();
    }

    /// <summary>Loop thread: registers <paramref name="channel"/> for <paramref name="descriptor"/>; returns its token.</summary>
    internal ulong Register(int descriptor, IChannel channel, Interest interest)
    {
        AssertInLoopThread();
        var token = _channels.Add(channel);
        try
        {
            _poller.Add(descriptor, token, interest);
        }
        catch
        {
            _channels.Remove(token);
            throw;
        }
        return token;
    }

    /// <summary>Loop thread: changes what a registered descriptor is watched for.</summary>
    internal void UpdateInterest(int descriptor, ulong token, Interest interest)
    {
        AssertInLoopThread();
        _poller.Modify(descriptor, token, interest);
    }

    /// <summary>Loop thread: removes a descriptor from the poller at once; its token is never dispatched again.</summary>
    internal void Unregister(int descriptor, ulong token)
    {
        AssertInLoopThread();
        _channels.Remove(token);
        _poller.Remove(descriptor);
    }

    /// <summary>Loop-thread-only members call this first.</summary>
    /// <exception cref="InvalidOperationException">Called from another thread.</exception>
    internal void AssertInLoopThread()
    {
        if (!IsInLoopThread)
        {
            throw new InvalidOperationException(
                "This operation belongs to the event loop's own thread."
            );
        }
    }

    private TimerId AddTimer(TimeSpan due, TimeSpan? interval, Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var id = new TimerId(_nextTimerId.Add(1));
        RunInLoop(() => _timers.Add(id, due, interval, callback));
        return id;
    }

    private TimeSpan? PollTimeout()
    {
        if (_quit.Read() != 0)
        {
            return TimeSpan.Zero;
        }
        var due = _timers.NextDue();
        return due is { } d ? (d > _threading.Now ? d - _threading.Now : TimeSpan.Zero) : null;
    }

    private void Wake()
    {
        if (_wakePending.Exchange(1) == 0)
        {
            _counts.CountWakeUp();
            _poller.Wake();
        }
    }

    private void RunQueuedFunctors()
    {
        _wakePending.Write(0);
        _lock.Enter();
        (_running, _queued) = (_queued, _running);
        _lock.Exit();
        _counts.CountFunctors(_running.Count);
        _callingFunctors = true;
        try
        {
            foreach (var functor in _running)
            {
                functor();
            }
        }
        finally
        {
            _callingFunctors = false;
            _running.Clear();
        }
    }

    /// <summary>After <see cref="Finish"/>: nobody registers a finisher any more.</summary>
    private void RunFinishers()
    {
        foreach (var finisher in _finishers)
        {
            finisher();
        }
    }

    /// <summary>Runs what is still queued until nothing is, then refuses further work; nothing queued is lost.</summary>
    private void Finish()
    {
        while (true)
        {
            _lock.Enter();
            if (_queued.Count == 0)
            {
                _state = LoopState.Finished;
                _lock.Exit();
                return;
            }
            _lock.Exit();
            RunQueuedFunctors();
        }
    }
}
