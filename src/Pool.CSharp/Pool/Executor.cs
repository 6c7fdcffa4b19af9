using Pool.Diagnostics;
using Pool.Threading;

namespace Pool;

/// <summary>
/// Named queues of sessions (<see cref="ExecQueue"/>) served round-robin by one <see cref="ThreadPool"/>
/// that the executor owns, as the reference's <c>Executor</c>. Thread-safe.
/// </summary>
public sealed class Executor
{
    private readonly IThreading _threading;
    private readonly ThreadPool _pool;
    private readonly ILock _lock;
    private readonly List<ExecQueue> _queues = []; // guarded by _lock
    private bool _destroyed; // guarded by _lock
    private Action<ExecQueue, Exception>? _sessionFailed; // guarded by _lock

    /// <summary>Starts the executor's pool; the arguments and exceptions are those of
    /// <see cref="ThreadPool(int, int, IThreading?, TelemetryOptions?)"/> (its metrics are the pool's).</summary>
    public Executor(
        int threads,
        int stackSize = 0,
        IThreading? threading = null,
        TelemetryOptions? telemetry = null
    )
    {
        _threading = threading ?? OsThreading.Instance;
        _lock = _threading.CreateLock();
        _pool = new ThreadPool(threads, stackSize, _threading, telemetry);
    }

    /// <summary>
    /// Called on the worker when a session throws; the queue goes on with its next session. With no handler,
    /// the failure is kept and thrown by <see cref="Destroy"/>, as <see cref="ThreadPool.TaskFailed"/> does.
    /// </summary>
    public event Action<ExecQueue, Exception>? SessionFailed
    {
        add
        {
            _lock.Enter();
            _sessionFailed += value;
            _lock.Exit();
        }
        remove
        {
            _lock.Enter();
            _sessionFailed -= value;
            _lock.Exit();
        }
    }

    /// <summary>Workers of the executor's pool (see <see cref="ThreadPool.ThreadCount"/>).</summary>
    public int ThreadCount => _pool.ThreadCount;

    /// <summary>
    /// Starts one more worker of the executor's pool now, as the reference's <c>increase_thread</c>; see
    /// <see cref="ThreadPool.Increase"/> for the exceptions.
    /// </summary>
    public void Increase() => _pool.Increase();

    /// <summary>
    /// Asks one worker of the executor's pool to leave once it is idle, as the reference's <c>decrease_thread</c>;
    /// asynchronous, see <see cref="ThreadPool.Decrease"/>.
    /// </summary>
    public void Decrease() => _pool.Decrease();

    /// <summary>True only on a worker of this executor's pool.</summary>
    public bool InPool => _pool.InPool;

    /// <summary>Creates a queue. Names are for diagnostics and need not be unique.</summary>
    /// <param name="name">The queue's name.</param>
    /// <param name="serial">True: a session starts only after the previous one of this queue returned.
    /// False (the reference's meaning): sessions start in order but may overlap.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The executor has been destroyed.</exception>
    public ExecQueue CreateQueue(string name, bool serial = false)
    {
        ArgumentNullException.ThrowIfNull(name);
        _lock.Enter();
        try
        {
            if (_destroyed)
            {
                throw new InvalidOperationException("The executor has been destroyed.");
            }
            var queue = new ExecQueue(name, serial, _pool, _threading, ReportFailure);
            _queues.Add(queue);
            return queue;
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>
    /// Destroys the pool (legal from inside a session, as <see cref="ThreadPool.Destroy"/>), then reports every
    /// session that never started as cancelled, queue by queue in submission order, on the calling thread.
    /// No session is dropped and none runs after this returns, except the caller's own when called from one.
    /// </summary>
    /// <exception cref="InvalidOperationException">Destroy was already called.</exception>
    /// <exception cref="AggregateException">After finishing: a cancelled callback threw, or sessions failed with no handler.</exception>
    public void Destroy()
    {
        List<ExecQueue> queues;
        _lock.Enter();
        try
        {
            if (_destroyed)
            {
                throw new InvalidOperationException("The executor has already been destroyed.");
            }
            _destroyed = true;
            queues = [.. _queues];
        }
        finally
        {
            _lock.Exit();
        }

        var failures = new List<Exception>();
        try
        {
            _pool.Destroy(task =>
            {
                if (ExecQueue.IsQueueTask(task, out var queue))
                {
                    Cancel(queue.Close(), failures);
                }
            });
        }
        catch (AggregateException poolFailures)
        {
            failures.AddRange(poolFailures.InnerExceptions);
        }

        // Serial queues whose session was running when the pool went away have no pool task to drain.
        foreach (var queue in queues)
        {
            Cancel(queue.Close(), failures);
        }
        if (failures.Count > 0)
        {
            throw new AggregateException(
                "The executor was destroyed, but some exceptions were not observed.",
                failures
            );
        }
    }

    private static void Cancel(List<ExecSession> sessions, List<Exception> failures)
    {
        foreach (var session in sessions)
        {
            try
            {
                session.Cancelled?.Invoke();
            }
            catch (Exception failure)
            {
                failures.Add(failure);
            }
        }
    }

    // True when a handler took the failure; false lets it propagate to the pool, which keeps it for Destroy.
    private bool ReportFailure(ExecQueue queue, Exception failure)
    {
        _lock.Enter();
        var handler = _sessionFailed;
        _lock.Exit();
        if (handler is null)
        {
            return false;
        }
        handler(queue, failure);
        return true;
    }
}
