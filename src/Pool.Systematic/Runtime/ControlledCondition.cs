using Pool.Threading;

namespace Pool.Systematic.Runtime;

/// <summary>
/// A condition variable: waiters queue in FIFO order; <see cref="Signal"/> wakes the oldest. A timed wait
/// ends when virtual time reaches its deadline, which happens only when no thread can run.
/// </summary>
internal sealed class ControlledCondition(ControlledLock lockObject) : ICondition
{
    private readonly List<ControlledThread> _waiters = [];

    internal ControlledLock Lock { get; } = lockObject;

    public void Wait() => WaitCore(null);

    public bool Wait(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        return WaitCore(timeout);
    }

    public void Signal() => Wake(all: false);

    public void Broadcast() => Wake(all: true);

    internal void Remove(ControlledThread thread) => _waiters.Remove(thread);

    private bool WaitCore(TimeSpan? timeout)
    {
        var iteration = Lock.Iteration;
        if (Lock.Owner != iteration.Current)
        {
            throw new SynchronizationLockException(
                "Wait requires the caller to hold the condition's lock."
            );
        }
        var me = iteration.Point(
            timeout is null
                ? "Condition.Wait"
                : $"Condition.Wait({timeout.Value.TotalMilliseconds} ms)",
            Access.Writing(Lock.ObjectNumber)
        );
        iteration.Drain(me);
        Lock.Owner = null;
        me.WaitResult = true;
        me.Block = BlockReason.Condition;
        me.WaitingCondition = this;
        me.Deadline = timeout is { } t ? iteration.Now + t : null;
        _waiters.Add(me);
        while (me.Block == BlockReason.Condition)
        {
            iteration.Reschedule(me);
        }
        Lock.Acquire(me);
        return me.WaitResult;
    }

    private void Wake(bool all)
    {
        var iteration = Lock.Iteration;
        _ = iteration.Current;
        if (iteration.Stopped)
        {
            return;
        }
        iteration.Drain(
            iteration.Point(
                all ? "Condition.Broadcast" : "Condition.Signal",
                Access.Writing(Lock.ObjectNumber)
            )
        );
        while (_waiters.Count > 0)
        {
            var waiter = _waiters[0];
            _waiters.RemoveAt(0);
            waiter.Block = BlockReason.Lock;
            waiter.WaitingLock = Lock;
            waiter.WaitingCondition = null;
            waiter.Deadline = null;
            if (!all)
            {
                return;
            }
        }
    }
}
