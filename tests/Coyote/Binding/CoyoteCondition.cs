using Microsoft.Coyote.Runtime;
using Pool.Threading;

namespace Coyote.Binding;

/// <summary>
/// A condition of a <see cref="CoyoteLock"/>: a FIFO list of waiting threads, each asleep on its own controlled
/// semaphore. A signal wakes the first (a broadcast, all); a timed wait also ends when <see cref="VirtualTime"/>
/// times it out. Callers never see a spurious wake-up, as under the explorer.
/// </summary>
internal sealed class CoyoteCondition(CoyoteLock lockObject) : ICondition
{
    private readonly LinkedList<ThreadRecord> _waiters = new();

    public void Wait()
    {
        var me = BeginWait();
        me.WaitingForSignal = true;
        lockObject.Disown();
        lockObject.Time.BeforeBlocking();
        lockObject.ExitMonitor();
        me.Wakeup.Wait();
        lockObject.Acquire(me);
    }

    public bool Wait(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        var time = lockObject.Time;
        var deadline = time.Now + timeout;
        var me = BeginWait();
        lockObject.Disown();
        time.BlockUntil(me, deadline, () => _waiters.Remove(me), lockObject.ExitMonitor);
        lockObject.Acquire(me);
        return !me.TimedOut;
    }

    public void Signal() => Wake(all: false);

    public void Broadcast() => Wake(all: true);

    private ThreadRecord BeginWait()
    {
        if (!lockObject.IsHeldByCurrentThread)
        {
            throw new SynchronizationLockException(
                "Wait requires the caller to hold the condition's lock."
            );
        }
        var me = lockObject.Owner!;
        _waiters.AddLast(me);
        return me;
    }

    // The list is changed with no scheduling point in between, so a signal needs no lock: Coyote runs one thread at a time.
    private void Wake(bool all)
    {
        SchedulingPoint.Interleave();
        while (_waiters.First is { } first)
        {
            _waiters.RemoveFirst();
            var waiter = first.Value;
            waiter.WaitingForSignal = false;
            waiter.Deadline = null;
            waiter.OnTimeout = null;
            waiter.Wakeup.Release();
            if (!all)
            {
                return;
            }
        }
    }
}
