using Pool.Diagnostics;
using Pool.Threading;

namespace Pool;

/// <summary>
/// A fixed-but-adjustable set of worker threads running <see cref="PoolTask"/>s from one FIFO queue,
/// with the behaviour of sogou/workflow's <c>thrdpool</c>: schedule, increase, decrease, exit,
/// in-pool, and destroy with a pending callback, which is legal from inside a task.
/// </summary>
/// <remarks>
/// <para>Every public member is thread-safe. The guarantee that matters: every task accepted by
/// <see cref="Schedule(PoolTask)"/> either runs exactly once, or is handed exactly once to the
/// <c>pending</c> callback of <see cref="Destroy"/> (or dropped there if it was null); never both.</para>
/// <para>Order: one worker runs tasks in the order they were scheduled. A worker claims up to eight queued
/// tasks at a time (it runs them one by one), so with several workers a claimed task may start after a task
/// scheduled behind it; it never waits for its busy worker while another worker is idle (idle workers steal
/// claimed tasks), and tasks claimed by a worker that leaves run on another worker or reach <c>pending</c>.</para>
/// <para>All thread ordering goes through the <see cref="IThreading"/> given at construction, so the
/// systematic explorer can control every interleaving of the pool.</para>
/// </remarks>
public sealed class ThreadPool
{
    /// <summary>The smallest non-zero stack size accepted, in bytes; smaller stacks cannot run the .NET runtime safely.</summary>
    public const int MinimumStackSize = 256 * 1024;

    private static readonly Action<object?> s_runAction = static action => ((Action)action!)();

    private readonly IThreading _threading;
    private readonly int _stackSize;
    private readonly TaskQueue _queue;
    private readonly IThreadLocal<Worker> _currentWorker;
    private readonly ILock _lock;
    private readonly ICondition _workerLeft;
    private readonly PoolCounts _counts;

    // Guarded by _lock.
    private PoolState _state;
    private int _threadCount;
    private int _workersStarted;
    private IThreadHandle? _lastLeaver;
    private Action<PoolTask, Exception>? _taskFailed;
    private List<Exception>? _unobservedFailures;

    /// <summary>Starts <paramref name="threads"/> workers.</summary>
    /// <param name="threads">Initial workers; 0 is legal (tasks wait for <see cref="Increase"/> or go to pending).</param>
    /// <param name="stackSize">Stack size of each worker in bytes; 0 for the platform default, else at least <see cref="MinimumStackSize"/>.</param>
    /// <param name="threading">The threading implementation; <see cref="OsThreading.Instance"/> when null.</param>
    /// <param name="telemetry">The meter and name its metrics report to (meter <c>Pool.ThreadPool</c>); null: the
    /// process's shared meter and a numbered name. See <see cref="TelemetryOptions"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A negative thread count, or a stack size that is negative or below the minimum.</exception>
    /// <exception cref="InvalidOperationException">A worker could not be started; the inner exception is the cause.
    /// The workers already started have been stopped and joined: nothing is left running. Or a metrics listener threw
    /// while this pool's instruments were published; no worker was started.</exception>
    public ThreadPool(
        int threads,
        int stackSize = 0,
        IThreading? threading = null,
        TelemetryOptions? telemetry = null
    )
    {
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        if (stackSize != 0 && stackSize < MinimumStackSize)
        {
            throw new ArgumentOutOfRangeException(
                nameof(stackSize),
                stackSize,
                $"The stack size must be 0 (the default) or at least {MinimumStackSize} bytes."
            );
        }
        _threading = threading ?? OsThreading.Instance;
        _stackSize = stackSize;
        _queue = new TaskQueue(_threading);
        _currentWorker = _threading.CreateThreadLocal<Worker>();
        _lock = _threading.CreateLock();
        _workerLeft = _threading.CreateCondition(_lock);
        _counts = new PoolCounts(_queue, PoolMetrics.Measures(_threading));
        PoolMetrics.Observe(_counts, telemetry);
        for (var i = 0; i < threads; i++)
        {
            try
            {
                StartWorker();
            }
            catch (ThreadStartFailedException failure)
            {
                Destroy();
                throw new InvalidOperationException(
                    $"Could not start worker {i + 1} of {threads}: {failure.InnerException!.Message}",
                    failure.InnerException
                );
            }
        }
    }

    /// <summary>
    /// Called on the worker thread when a task throws. The worker survives and goes on with the next task.
    /// With no handler attached, failures are kept and <see cref="Destroy"/> throws them in an
    /// <see cref="AggregateException"/> after it has finished, so that no failure goes unseen.
    /// A handler that throws is treated like a task failure with no handler.
    /// </summary>
    public event Action<PoolTask, Exception>? TaskFailed
    {
        add
        {
            _lock.Enter();
            _taskFailed += value;
            _lock.Exit();
        }
        remove
        {
            _lock.Enter();
            _taskFailed -= value;
            _lock.Exit();
        }
    }

    /// <summary>True only when called on a worker thread of this pool (including from its <c>pending</c>
    /// callback when <see cref="Destroy"/> was called from one of its tasks).</summary>
    public bool InPool => _currentWorker.Value is not null;

    /// <summary>The threading implementation the pool was built on (for types layered on the pool).</summary>
    internal IThreading Threading => _threading;

    /// <summary>The pool's life-cycle state, read under the pool lock; it only moves forward.</summary>
    internal PoolState State
    {
        get
        {
            _lock.Enter();
            var state = _state;
            _lock.Exit();
            return state;
        }
    }

    /// <summary>Workers started minus workers that left. A task that destroyed the pool no longer counts its own worker.</summary>
    public int ThreadCount
    {
        get
        {
            _lock.Enter();
            var count = _threadCount;
            _lock.Exit();
            return count;
        }
    }

    /// <summary>Appends a task to the queue; a worker runs it later. Any thread may call, including a task or
    /// <c>pending</c>; while <see cref="Destroy"/> is draining, the task is accepted and will reach pending.</summary>
    /// <exception cref="ArgumentException">The task has no routine.</exception>
    /// <exception cref="InvalidOperationException"><see cref="Destroy"/> has finished draining; the task was not accepted.</exception>
    public void Schedule(PoolTask task)
    {
        if (task.Routine is null)
        {
            throw new ArgumentException("The task has no routine.", nameof(task));
        }
        _queue.Enqueue(task);
    }

    /// <summary>Schedules <paramref name="action"/>; the same contract as <see cref="Schedule(PoolTask)"/>.
    /// Pending sees it as a task whose context is the action.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is null.</exception>
    public void Schedule(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        _queue.Enqueue(new PoolTask(s_runAction, action));
    }

    /// <summary>Starts one more worker now.</summary>
    /// <exception cref="InvalidOperationException">Destroy has started, or the thread could not be started
    /// (the inner exception is the cause; the count is unchanged).</exception>
    public void Increase()
    {
        try
        {
            StartWorker();
        }
        catch (ThreadStartFailedException failure)
        {
            throw new InvalidOperationException(
                $"Could not start a worker: {failure.InnerException!.Message}",
                failure.InnerException
            );
        }
    }

    /// <summary>
    /// Asks one worker to leave: an exit entry jumps the queue and the next worker to dequeue leaves.
    /// Asynchronous. Legal with no workers: the entry waits, and a worker added later leaves at once.
    /// </summary>
    /// <exception cref="InvalidOperationException">The pool has been destroyed.</exception>
    public void Decrease() => _queue.EnqueueExit();

    /// <summary>From a task of this pool: its worker leaves the pool after the task returns.</summary>
    /// <exception cref="InvalidOperationException">The caller is not a worker of this pool.</exception>
    public void Exit()
    {
        var worker =
            _currentWorker.Value
            ?? throw new InvalidOperationException(
                "Exit may only be called from a task running on this pool."
            );
        worker.ExitRequested = true;
    }

    /// <summary>
    /// Stops every worker, then hands each task that never ran to <paramref name="pending"/>, one at a time,
    /// in queue order, on the calling thread; tasks that running tasks or <paramref name="pending"/> itself
    /// schedule meanwhile are handed over too. From outside the pool, when it returns no worker runs and all
    /// have been joined. From a task of this pool it is legal: the caller's worker leaves the pool at once,
    /// the call returns after the others have gone, and the task goes on running; nobody joins itself.
    /// Afterwards <see cref="Schedule(PoolTask)"/>, <see cref="Increase"/> and <see cref="Decrease"/> throw.
    /// </summary>
    /// <param name="pending">Receives the tasks that never ran; null drops them.</param>
    /// <exception cref="InvalidOperationException">Destroy was already called (it may still be running).</exception>
    /// <exception cref="AggregateException">After finishing: <paramref name="pending"/> threw (every other task was
    /// still handed over), or tasks failed with no <see cref="TaskFailed"/> handler.</exception>
    public void Destroy(Action<PoolTask>? pending = null)
    {
        var self = _currentWorker.Value;
        IThreadHandle? lastLeaver;
        _lock.Enter();
        try
        {
            if (_state != PoolState.Running)
            {
                throw new InvalidOperationException(
                    _state == PoolState.Destroying
                        ? "The thread pool is already being destroyed."
                        : "The thread pool has already been destroyed."
                );
            }
            _state = PoolState.Destroying;
            _queue.Close();
            if (self is not null)
            {
                self.Detached = true;
                _threadCount--;
                _counts.Left(self);
            }
            while (_threadCount > 0)
            {
                _workerLeft.Wait();
            }
            lastLeaver = _lastLeaver;
            _lastLeaver = null;
        }
        finally
        {
            _lock.Exit();
        }

        // Each leaving worker joined the one that left before it; joining the last joins them all.
        lastLeaver?.Join();
        var failures = DrainTo(pending);

        _lock.Enter();
        _state = PoolState.Destroyed;
        if (_unobservedFailures is not null)
        {
            failures = [.. _unobservedFailures, .. failures ?? []];
            _unobservedFailures = null;
        }
        _lock.Exit();
        if (failures is not null)
        {
            throw new AggregateException(
                "The thread pool was destroyed, but some exceptions were not observed.",
                failures
            );
        }
    }

    private List<Exception>? DrainTo(Action<PoolTask>? pending)
    {
        List<Exception>? failures = null;
        while (_queue.TryDrain(out var task))
        {
            _counts.CountDrained();
            if (pending is null)
            {
                continue;
            }
            try
            {
                pending(task);
            }
            catch (Exception failure)
            {
                (failures ??= []).Add(failure);
            }
        }
        return failures;
    }

    private void StartWorker()
    {
        _lock.Enter();
        try
        {
            if (_state != PoolState.Running)
            {
                throw new InvalidOperationException(
                    "The thread pool is being destroyed or has been destroyed."
                );
            }
            var worker = new Worker($"pool-worker-{_workersStarted + 1}");
            try
            {
                worker.Handle = _threading.Start(() => RunWorker(worker), worker.Name, _stackSize);
            }
            catch (Exception cause)
            {
                throw new ThreadStartFailedException(cause);
            }
            _workersStarted++;
            _threadCount++;
            _counts.Joined(worker);
        }
        finally
        {
            _lock.Exit();
        }
    }

    private void RunWorker(Worker worker)
    {
        _currentWorker.Value = worker;
        var claimed = _queue.JoinConsumers();
        var rechecks = _queue.NewSpinBudget();
        while (_queue.Dequeue(claimed, rechecks, out var task) == DequeueResult.Task)
        {
            worker.CountStarted();
            Run(task);
            if (worker.Detached)
            {
                return; // the destroyer (this thread) drained the tasks it had claimed
            }
            if (worker.ExitRequested)
            {
                break;
            }
        }
        claimed.Abandon(); // tasks it claimed and never started are stolen, adopted or drained
        Leave(worker);
    }

    private void Run(in PoolTask task)
    {
        try
        {
            task.Routine(task.Context);
        }
        catch (Exception failure)
        {
            ReportFailure(task, failure);
        }
    }

    private void ReportFailure(in PoolTask task, Exception failure)
    {
        _counts.CountFailed();
        _lock.Enter();
        var handler = _taskFailed;
        _lock.Exit();
        if (handler is not null)
        {
            try
            {
                handler(task, failure);
                return;
            }
            catch (Exception handlerFailure)
            {
                failure = new AggregateException(failure, handlerFailure);
            }
        }
        _lock.Enter();
        (_unobservedFailures ??= []).Add(failure);
        _lock.Exit();
    }

    private void Leave(Worker worker)
    {
        IThreadHandle? previous;
        _lock.Enter();
        try
        {
            previous = _lastLeaver;
            _lastLeaver = worker.Handle;
            _threadCount--;
            _counts.Left(worker);
            if (_state == PoolState.Destroying)
            {
                _workerLeft.Signal(); // the destroyer re-checks the count on every departure
            }
        }
        finally
        {
            _lock.Exit();
        }
        previous?.Join();
    }
}
