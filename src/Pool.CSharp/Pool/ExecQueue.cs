using Pool.Threading;

namespace Pool;

/// <summary>
/// A named FIFO queue of sessions of an <see cref="Executor"/>. Sessions of one queue start in the
/// order they were submitted. In the default mode (as in the reference) the next session may start on
/// another worker while the previous one still runs; in serial mode it starts only after the previous
/// one has returned. Create with <see cref="Executor.CreateQueue"/>.
/// </summary>
/// <remarks>
/// While the queue is non-empty exactly one pool task stands for it (queued in the pool, or, in serial
/// mode, running a session). That task takes the head session and re-schedules itself at the tail of the
/// pool's queue, with the same <see cref="PoolTask"/> value, so busy queues are served round-robin and the
/// re-schedule path allocates nothing.
/// </remarks>
public sealed class ExecQueue
{
    private readonly ThreadPool _pool;
    private readonly Func<ExecQueue, Exception, bool> _reportFailure;
    private readonly PoolTask _poolTask;
    private readonly ILock _lock;
    private readonly Queue<ExecSession> _sessions = new(); // guarded by _lock
    private bool _hasPoolTask; // guarded by _lock
    private bool _closed; // guarded by _lock

    internal ExecQueue(
        string name,
        bool serial,
        ThreadPool pool,
        IThreading threading,
        Func<ExecQueue, Exception, bool> reportFailure
    )
    {
        Name = name;
        IsSerial = serial;
        _pool = pool;
        _reportFailure = reportFailure;
        _lock = threading.CreateLock();
        _poolTask = new PoolTask(serial ? RunSerial : RunConcurrent, this);
    }

    /// <summary>The name given at creation, for diagnostics.</summary>
    public string Name { get; }

    /// <summary>True when a session starts only after the previous one of this queue has returned.</summary>
    public bool IsSerial { get; }

    /// <summary>
    /// Appends a session. Any thread may call, including a running session. <paramref name="execute"/> runs
    /// on a pool worker; if the executor is destroyed before it starts, <paramref name="cancelled"/> (if any)
    /// is called instead, on the destroying thread. Exactly one of the two happens.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="execute"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor has been destroyed; nothing was queued.</exception>
    public void Submit(Action execute, Action? cancelled = null)
    {
        ArgumentNullException.ThrowIfNull(execute);
        _lock.Enter();
        try
        {
            if (_closed)
            {
                throw new InvalidOperationException(
                    $"The executor of queue '{Name}' has been destroyed."
                );
            }
            _sessions.Enqueue(new ExecSession(execute, cancelled));
            if (!_hasPoolTask)
            {
                try
                {
                    _pool.Schedule(_poolTask);
                }
                catch (InvalidOperationException)
                {
                    _sessions.Clear(); // it held only this session: a non-empty queue always has a pool task
                    throw;
                }
                _hasPoolTask = true;
            }
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>True if this queue stands behind the given pool task (used by the executor's pending callback).</summary>
    internal static bool IsQueueTask(in PoolTask task, out ExecQueue queue)
    {
        queue = (task.Context as ExecQueue)!;
        return queue is not null && ReferenceEquals(task.Routine.Target, queue);
    }

    /// <summary>Closes the queue and returns the sessions that never started, in submission order.</summary>
    internal List<ExecSession> Close()
    {
        _lock.Enter();
        try
        {
            _closed = true;
            _hasPoolTask = false;
            var neverStarted = new List<ExecSession>(_sessions);
            _sessions.Clear();
            return neverStarted;
        }
        finally
        {
            _lock.Exit();
        }
    }

    private void RunConcurrent(object? _)
    {
        ExecSession session;
        _lock.Enter();
        try
        {
            if (!_sessions.TryDequeue(out session))
            {
                return; // the queue was closed meanwhile
            }
            RescheduleIfMoreWait();
        }
        finally
        {
            _lock.Exit();
        }
        Execute(session);
    }

    private void RunSerial(object? _)
    {
        ExecSession session;
        _lock.Enter();
        try
        {
            if (!_sessions.TryDequeue(out session))
            {
                return;
            }
        }
        finally
        {
            _lock.Exit();
        }
        try
        {
            Execute(session);
        }
        finally
        {
            _lock.Enter();
            try
            {
                RescheduleIfMoreWait();
            }
            finally
            {
                _lock.Exit();
            }
        }
    }

    private void Execute(in ExecSession session)
    {
        try
        {
            session.Execute();
        }
        catch (Exception failure) when (_reportFailure(this, failure))
        {
            // Reported to the executor's handler; otherwise it propagates to the pool, which keeps it.
        }
    }

    // Called with the lock held, by the pool task standing for this queue.
    private void RescheduleIfMoreWait()
    {
        if (_closed || _sessions.Count == 0)
        {
            _hasPoolTask = false;
            return;
        }
        _pool.Schedule(_poolTask);
    }
}
