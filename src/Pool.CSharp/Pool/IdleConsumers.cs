using Pool.Threading;

namespace Pool;

/// <summary>
/// Where the idle consumers of <see cref="TaskQueue"/> wait, and how they are woken. One consumer, the get lock's
/// holder, waits for work (<see cref="StartWaiting"/> to <see cref="StopWaiting"/>): it spins, then sleeps on
/// <c>_workArrived</c>. Every other idle consumer that sees it waiting parks on <c>_standbyWake</c> and is woken only
/// for work the waiter leaves to it. Both wait under the sleep lock, which is never held with the put gate; a parked
/// consumer holds only the sleep lock.
/// </summary>
/// <remarks>
/// <para>Sleep. A producer takes the sleep lock only when <c>_sleeping</c> says the waiter sleeps: a Dekker-style
/// handshake of two full-fence exchanges (the producer's on the put list's has-tasks flag, or a claimer's publication,
/// then its read of <c>_sleeping</c>; the sleeper's exchange setting <c>_sleeping</c>, then its check for work), so no
/// wake-up is lost and there is at most one signal per sleep.</para>
/// <para>Standby. Tokens (each with a signal) go to parked consumers from whoever makes work available that no waiter
/// will take, one per kind of work (put list, get list, slots): a woken consumer looks at every kind, so it may take
/// another kind than it was woken for, whose own token then wakes the next one. Why this leaves no task waiting while
/// every idle consumer is parked: docs/pool.md, "Proof sketch: no task waits while every idle consumer is parked".</para>
/// </remarks>
internal sealed class IdleConsumers
{
    private readonly IThreading _threading; // the re-checks of a consumer that sees the waiter
    private readonly IAtomicInt64 _control; // the queue's control word: a parked consumer leaves once it is not zero
    private readonly ILock _lock; // the sleep lock: held only to check and wait, or to signal; never with the put gate
    private readonly ICondition _workArrived; // bound to _lock: the waiter sleeps on it, one signal per sleep
    private readonly IAtomicInt64 _sleeping; // 1 while the waiter sleeps (or is about to); set with a full fence before each check
    private readonly IAtomicInt64 _waiting; // 1 while the get lock's holder waits for work, up to its swap; written by it only
    private readonly IAtomicInt64 _standby; // consumers parked (or parking) on _standbyWake; changed under _lock
    private readonly ICondition _standbyWake; // bound to _lock: parked consumers wait on it
    private int _tokens; // guarded by _lock: wake-ups owed to parked consumers, never more than _standby

    public IdleConsumers(IThreading threading, IAtomicInt64 control)
    {
        _threading = threading;
        _control = control;
        // Each OS atomic has a cache line of its own, so the flags do not slow each other down by sharing one.
        _sleeping = threading.CreateAtomic();
        _lock = threading.CreateLock();
        _workArrived = threading.CreateCondition(_lock);
        _waiting = threading.CreateAtomic();
        _standby = threading.CreateAtomic();
        _standbyWake = threading.CreateCondition(_lock);
    }

    /// <summary>Whether the get lock's holder waits for work (a snapshot).</summary>
    public bool IsWaiting() => _waiting.Read() != 0;

    /// <summary>Whether the waiter sleeps, or is about to (a snapshot).</summary>
    public bool IsSleeping() => _sleeping.Read() != 0;

    /// <summary>Whether any consumer is parked, or parking (a snapshot).</summary>
    public bool AnyParked() => _standby.Read() != 0;

    /// <summary>For the get lock's holder, as it starts waiting: new work is left to it, and idle consumers park.</summary>
    public void StartWaiting() => _waiting.Write(1);

    /// <summary>For the waiter, under the put gate just before it swaps (the swap's exchange is the full fence after it).</summary>
    public void StopWaiting() => _waiting.Write(0);

    /// <summary>
    /// For the waiter, with the get lock held: sleeps until <paramref name="hasWork"/> says there is work. The flag is
    /// set again before every check: a producer late to reset it (it saw a previous sleep's flag) may have signalled
    /// this sleep for nothing, and the next producer must still see a sleeper.
    /// </summary>
    public void Sleep(Func<bool> hasWork)
    {
        _lock.Enter();
        try
        {
            while (true)
            {
                _sleeping.Exchange(1);
                if (hasWork())
                {
                    break;
                }
                _workArrived.Wait();
            }
            _sleeping.Write(0);
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>
    /// Called after work was made available with <see cref="IsSleeping"/> seen true. Only the one that resets the flag
    /// signals: one wake-up per sleep.
    /// </summary>
    public void WakeSleeper()
    {
        if (_sleeping.Exchange(0) != 0)
        {
            _lock.Enter();
            _workArrived.Signal();
            _lock.Exit();
        }
    }

    /// <summary>
    /// For the rare changes of the control word (exit entries, close): it changed before the lock is taken, and sleeper
    /// and parked consumers check it under the lock, so no handshake is needed.
    /// </summary>
    public void WakeAll()
    {
        _lock.Enter();
        _workArrived.Broadcast();
        _standbyWake.Broadcast();
        _lock.Exit();
    }

    /// <summary>
    /// Called after <see cref="IsWaiting"/> was seen true: re-reads it as often as the consumer's
    /// <paramref name="budget"/> says (at first as often as the waiter spins, <see cref="IThreading.SpinCountBeforeBlocking"/>)
    /// before the caller parks, yielding the processor after each
    /// re-check but the last, as the waiter does. Where work comes from several producers at once the waiter leaves within a few
    /// microseconds, and a consumer that comes straight back finds the next task without a park and a wake-up, which
    /// cost it and the producer more than the re-checks; where one task comes at a time the parks last long, and the
    /// budget shrinks (<see cref="Park"/>).
    /// </summary>
    public bool WaiterLeavesSoon(SpinBudget budget)
    {
        var started = _threading.Now;
        var spins = budget.Limit;
        for (var i = 1; i <= spins; i++)
        {
            _threading.SpinWait(TaskQueue.SpinIterations);
            if (_waiting.Read() == 0)
            {
                return true;
            }
            if (i < spins)
            {
                _threading.Sleep(TimeSpan.Zero);
            }
        }
        budget.SpunInVain(spins, _threading.Now - started);
        return false;
    }

    /// <summary>
    /// For a consumer with no lock held that found nothing to claim and saw the waiter: parks until it is owed a
    /// wake-up (a token), nobody waits any more (it goes and becomes the waiter), or the control word is set. The
    /// increment is a full fence before <c>_waiting</c> is read again: whoever makes work available and then reads
    /// <c>_standby</c> either sees this consumer or made it see <c>_waiting</c> clear. How long it stayed adapts the
    /// consumer's re-check <paramref name="budget"/>.
    /// </summary>
    public void Park(SpinBudget budget)
    {
        var started = _threading.Now;
        _lock.Enter();
        try
        {
            _standby.Add(1);
            while (_tokens == 0 && _control.Read() == 0 && _waiting.Read() != 0)
            {
                _standbyWake.Wait();
            }
            // Whoever leaves takes a token if there is one, whatever made it leave: it goes and looks for work, which
            // is what the token asks, and a signalled consumer that finds none left waits again. So a token is never
            // left to consumers that nobody signals, and tokens never outnumber the parked consumers.
            if (_tokens > 0)
            {
                _tokens--;
            }
            _standby.Add(-1);
        }
        finally
        {
            _lock.Exit();
        }
        budget.Blocked(_threading.Now - started);
    }

    /// <summary>
    /// Called after making work available (with a full fence) that no waiter will take: parked consumers are owed
    /// wake-ups, one for each kind of work made available (put list, get list, slots).
    /// </summary>
    public void WakeParked(int wakeUps = 1)
    {
        _lock.Enter();
        for (var i = 0; i < wakeUps && _tokens < _standby.Read(); i++)
        {
            _tokens++;
            _standbyWake.Signal();
        }
        _lock.Exit();
    }

    /// <summary>
    /// Called after a full fence that made work available to idle consumers (tasks left unclaimed, or claimed ones
    /// published): a waiter takes it (the get list is used up while one waits, and it polls the slots), otherwise
    /// parked consumers must.
    /// </summary>
    public void WakeParkedIfUnwatched(int wakeUps)
    {
        if (_standby.Read() != 0 && _waiting.Read() == 0)
        {
            WakeParked(wakeUps);
        }
    }
}
