using Pool.Threading;

namespace Pool.Tasks;

/// <summary>
/// The <see cref="SynchronizationContext"/> of a <see cref="PoolTaskScheduler"/>: callbacks run on the workers of
/// its <see cref="ThreadPool"/>, as pool tasks that <see cref="PoolTaskScheduler.DestroyPool"/> runs on the
/// destroyer when they never started. The contract is on <see cref="PoolTaskScheduler.SynchronizationContext"/>.
/// </summary>
internal sealed class PoolSynchronizationContext : SynchronizationContext
{
    private readonly ThreadPool _pool;
    private readonly IThreading _threading;
    private readonly Action<object?> _runPosted;
    private readonly Action<object?> _runSent;

    internal PoolSynchronizationContext(ThreadPool pool)
    {
        _pool = pool;
        _threading = pool.Threading;
        _runPosted = RunPosted;
        _runSent = RunSent;
    }

    /// <summary>Queues the callback on the pool; after destroy, runs it here instead.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="d"/> is null.</exception>
    public override void Post(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        var posted = new PostedCallback(d, state);
        try
        {
            _pool.Schedule(new PoolTask(_runPosted, posted));
        }
        catch (InvalidOperationException)
        {
            RunPosted(posted); // destroyed: no worker and no destroyer will run it, so the poster does
        }
    }

    /// <summary>Runs the callback on a worker and returns when it has run (see the class summary).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="d"/> is null.</exception>
    public override void Send(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        var sent = new SentCallback(d, state, _threading);
        if (_pool.InPool || _pool.State != PoolState.Running)
        {
            RunSent(sent); // on a worker, or the pool is going away: waiting could wait for this very thread
        }
        else
        {
            try
            {
                _pool.Schedule(new PoolTask(_runSent, sent));
            }
            catch (InvalidOperationException)
            {
                RunSent(sent); // destroyed since the check
            }
        }
        sent.AwaitAndRethrow();
    }

    /// <summary>This context: it has no per-copy state.</summary>
    public override SynchronizationContext CreateCopy() => this;

    private void RunPosted(object? posted)
    {
        var callback = (PostedCallback)posted!;
        var previous = Current;
        SetSynchronizationContext(this);
        try
        {
            callback.Callback(callback.State);
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }

    private void RunSent(object? sent)
    {
        var previous = Current;
        SetSynchronizationContext(this);
        try
        {
            ((SentCallback)sent!).Run();
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }
}
