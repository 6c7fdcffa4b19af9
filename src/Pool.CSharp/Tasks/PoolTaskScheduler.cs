namespace Pool.Tasks;

/// <summary>
/// A <see cref="TaskScheduler"/> whose tasks run on the workers of a <see cref="ThreadPool"/>, and the
/// <see cref="System.Threading.SynchronizationContext"/> that sends <c>await</c> continuations back to them:
/// <c>Task.Factory.StartNew(action, token, options, scheduler)</c>, <c>new TaskFactory(scheduler)</c>,
/// <c>task.ContinueWith(..., scheduler)</c> and the <c>await</c>s inside such tasks all run on the pool.
/// </summary>
/// <remarks>
/// <para><b>Where work runs.</b> A queued task becomes one <see cref="PoolTask"/> of the pool (no allocation beyond
/// the <see cref="Task"/> itself). A task runs with <see cref="System.Threading.SynchronizationContext.Current"/>
/// set to <see cref="SynchronizationContext"/>, so an <c>await</c> inside it resumes on a worker of the pool
/// (<see cref="ThreadPool.InPool"/> is true there), not on whatever thread completed the awaited operation. Code
/// that awaits with <c>ConfigureAwait(false)</c> leaves the pool, as everywhere in .NET.</para>
/// <para><b>Destroy.</b> Destroy the pool with <see cref="DestroyPool"/>. Every task queued to a
/// <see cref="PoolTaskScheduler"/> of the pool and every callback posted to its context that has not started
/// then runs on the destroying thread, once, in queue order, before <see cref="DestroyPool"/> returns; work that
/// those queue meanwhile runs there too. So no awaiter of such a task waits forever, and none runs twice. A
/// <see cref="TaskScheduler"/> cannot cancel a task it was given (only the task's own token can), so running it
/// is the one outcome that completes it. Calling <see cref="ThreadPool.Destroy"/> directly hands this work to
/// its <c>pending</c> callback as ordinary pool tasks: running them there (<c>task.Routine(task.Context)</c>) is
/// what <see cref="DestroyPool"/> does; dropping them leaves their awaiters waiting forever.</para>
/// <para><b>After destroy.</b> Queueing a task throws <see cref="InvalidOperationException"/> from
/// <see cref="QueueTask"/>, which .NET hands on as a <see cref="TaskSchedulerException"/>: <c>StartNew</c> throws
/// it, and a <c>ContinueWith</c> continuation ends faulted with it. Nothing is queued, nothing runs, nothing
/// waits. The context instead runs a callback posted after destroy on the posting thread (see
/// <see cref="SynchronizationContext"/>).</para>
/// <para><b>Inlining</b> (<see cref="TryExecuteTaskInline"/>, used by <see cref="Task.Wait()"/> and
/// <see cref="Task.RunSynchronously(TaskScheduler)"/>): on a worker of the pool the task runs at once on that
/// worker, so a task that waits for another never holds its worker idle (a pool of one worker cannot deadlock on
/// it). Off the pool it is declined while the pool runs (the task runs on a worker; the waiter blocks) and after
/// it was destroyed; while <see cref="DestroyPool"/> drains it is allowed on any thread, so a task the destroyer
/// runs may wait for one queued behind it. A task runs at most once whichever thread wins: .NET's own
/// <see cref="TaskScheduler.TryExecuteTask"/> guarantees it, and a queued copy that loses does nothing.</para>
/// <para>Every member is thread-safe. Several schedulers may share one pool.</para>
/// </remarks>
public sealed class PoolTaskScheduler : TaskScheduler
{
    private readonly ThreadPool _pool;
    private readonly PoolSynchronizationContext _context;
    private readonly Action<object?> _runQueued;

    /// <summary>A scheduler over <paramref name="pool"/>; any thread may create one, for a pool in any state.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="pool"/> is null.</exception>
    public PoolTaskScheduler(ThreadPool pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        _pool = pool;
        _context = new PoolSynchronizationContext(pool);
        _runQueued = RunQueued;
    }

    /// <summary>
    /// The context that runs posted callbacks on the pool's workers: <see cref="System.Threading.SynchronizationContext.Post"/>
    /// queues one (after destroy it runs it on the posting thread instead: .NET rethrows a failed post of an
    /// <c>await</c> on its own thread pool, which would end the process); <see cref="System.Threading.SynchronizationContext.Send"/>
    /// runs it at once on a worker, while destroy drains and after destroy, and otherwise queues it and blocks until a
    /// worker (or the destroyer) has run it, rethrowing its exception. Tasks of this scheduler run with it as the
    /// current context; set it yourself (<see cref="System.Threading.SynchronizationContext.SetSynchronizationContext"/>) to
    /// make the <c>await</c>s of other code resume on the pool. An exception escaping a posted callback is a failure of
    /// a pool task (<see cref="ThreadPool.TaskFailed"/>, else thrown by <see cref="DestroyPool"/>).
    /// </summary>
    public SynchronizationContext SynchronizationContext => _context;

    /// <summary>
    /// Destroys the pool as <see cref="ThreadPool.Destroy"/> does (from any thread, including a task of the pool),
    /// running on the calling thread, in queue order, every task and posted callback of any
    /// <see cref="PoolTaskScheduler"/> that never started; every other pool task that never ran goes to
    /// <paramref name="pending"/>. When it returns, every task ever accepted by a scheduler of this pool has completed,
    /// except the caller's own when called from one.
    /// </summary>
    /// <param name="pending">Receives the pool's other tasks that never ran; null drops them.</param>
    /// <exception cref="InvalidOperationException">The pool is being or has been destroyed.</exception>
    /// <exception cref="AggregateException">After finishing: <paramref name="pending"/> or a posted callback threw, or
    /// pool tasks failed with no <see cref="ThreadPool.TaskFailed"/> handler (as <see cref="ThreadPool.Destroy"/>).</exception>
    public void DestroyPool(Action<PoolTask>? pending = null) =>
        _pool.Destroy(task =>
        {
            if (task.Routine.Target is PoolTaskScheduler or PoolSynchronizationContext)
            {
                task.Routine(task.Context); // a Task runs (at most once) or a posted callback runs, here
            }
            else
            {
                pending?.Invoke(task);
            }
        });

    /// <summary>Queues the task on the pool; called by .NET only.</summary>
    /// <exception cref="InvalidOperationException">The pool has been destroyed; the task was not queued.</exception>
    protected override void QueueTask(Task task)
    {
        try
        {
            _pool.Schedule(new PoolTask(_runQueued, task));
        }
        catch (InvalidOperationException destroyed)
        {
            throw new InvalidOperationException(
                "The thread pool of this PoolTaskScheduler has been destroyed: the task was not queued and will not run.",
                destroyed
            );
        }
    }

    /// <summary>Runs the task here on a worker of the pool, or on any thread while the pool is being destroyed;
    /// declines otherwise (see the class remarks). Called by .NET only.</summary>
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        (_pool.InPool || _pool.State == PoolState.Destroying) && RunHere(task);

    /// <summary>Not supported: the pool's queue is not enumerable (debuggers show no queued tasks).</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    protected override IEnumerable<Task> GetScheduledTasks() =>
        throw new NotSupportedException(
            "A PoolTaskScheduler cannot list its queued tasks: they are in the thread pool's queue."
        );

    private void RunQueued(object? task) => RunHere((Task)task!);

    private bool RunHere(Task task)
    {
        var previous = System.Threading.SynchronizationContext.Current;
        System.Threading.SynchronizationContext.SetSynchronizationContext(_context);
        try
        {
            return TryExecuteTask(task);
        }
        finally
        {
            System.Threading.SynchronizationContext.SetSynchronizationContext(previous);
        }
    }
}
