namespace Pool.Threading;

/// <summary>
/// A condition variable over any <see cref="OsLock"/>: waiters park on a private monitor that they
/// enter before releasing the user's lock, so a signal sent by a lock holder can never fall between
/// the release and the park. <see cref="Signal"/> skips the monitor when nobody waits.
/// </summary>
internal sealed class OsCondition(OsLock lockObject) : ICondition
{
    private readonly object _gate = new();
    private int _waiters;

    public void Wait() => WaitCore(Timeout.InfiniteTimeSpan);

    public bool Wait(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        return WaitCore(timeout);
    }

    private bool WaitCore(TimeSpan timeout)
    {
        if (!lockObject.IsHeldByCurrentThread)
        {
            throw new SynchronizationLockException(
                "Wait requires the caller to hold the condition's lock."
            );
        }
        Monitor.Enter(_gate);
        _waiters++;
        lockObject.Exit();
        try
        {
            return Monitor.Wait(_gate, timeout);
        }
        finally
        {
            _waiters--;
            Monitor.Exit(_gate);
            lockObject.Enter();
        }
    }

    public void Signal()
    {
        if (Volatile.Read(ref _waiters) == 0)
        {
            return;
        }
        lock (_gate)
        {
            Monitor.Pulse(_gate);
        }
    }

    public void Broadcast()
    {
        if (Volatile.Read(ref _waiters) == 0)
        {
            return;
        }
        lock (_gate)
        {
            Monitor.PulseAll(_gate);
        }
    }
}
