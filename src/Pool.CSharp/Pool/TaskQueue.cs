using Pool.Diagnostics;
using Pool.Threading;

namespace Pool;

/// <summary>
/// The pool's queue, after the reference's two-list message queue: producers append to the put list
/// under the put gate; consumers take from the get list and swap the two lists, under the get lock and
/// the put gate, only when theirs is used up. Producers and consumers therefore meet only at a swap.
/// At most one consumer (the one holding the get lock) ever waits for the put list; other idle consumers park
/// in standby and are woken only for work that the waiter leaves to them.
/// </summary>
/// <remarks>
/// The put gate is a spin lock on an atomic (one compare-exchange to enter, one write to leave: about
/// half the cost of an <see cref="ILock"/>); nobody ever blocks or waits while holding it, so holders
/// leave it within a few instructions. A consumer that runs out of work sleeps on a condition of a
/// separate sleep lock, and a producer takes that lock only when the <c>_sleeping</c> flag says a
/// consumer really sleeps (a Dekker-style handshake of two full-fence exchanges: the producer's on
/// <c>_putListHasTasks</c>, the consumer's on <c>_sleeping</c>).
/// Lock order: get lock, then put gate; get lock, then sleep lock; the sleep lock is never held with the put gate,
/// and a parked consumer holds only the sleep lock.
/// <para>The get list is frozen between swaps, so consumers take from it without the get lock: each
/// claims the next few indexes with a compare-exchange on <c>_getClaims</c>, which also holds a swap
/// generation, so a claim racing with a swap fails and is retried. A worker claims up to
/// <see cref="ClaimedTasks.Capacity"/> tasks at once (half of what is left, at most that many), runs the
/// first and keeps the others in its <see cref="ClaimedTasks"/>, so two busy workers meet on the claim word
/// once every few tasks instead of on every task. The get lock is only for the consumer that swaps (or
/// waits), and for stealing: a consumer that finds the get list used up takes a task claimed by another
/// worker (busy, or gone) before it swaps or sleeps, so nobody sleeps while a claimed task waits.</para>
/// <para>Standby. The get lock's holder sets <c>_waiting</c> when it starts waiting (WaitAndSwap, unless work is
/// already there) and clears it under the put gate just before it swaps (the swap's exchange of the claim word is
/// a full fence after it), so while it is set the get list is used up and the waiter polls the put list, the slots
/// and the control word. A consumer that finds nothing to claim and
/// <c>_waiting</c> set does not queue on the get lock (whose hand-off would wake it each time the waiter gets a
/// task, to become the next waiter while the first runs the task): it parks on <c>_standbyWake</c> under the
/// sleep lock, having incremented <c>_standby</c> (a full fence), and re-reads the control word and
/// <c>_waiting</c> before each wait; it leaves when the control word is set (<c>WakeAll</c> broadcasts), when
/// nobody waits any more (it goes and becomes the waiter), or when a wake token is there (it takes one as it
/// leaves, whatever the reason). The waiter that gets work wakes nobody: it runs its task and comes back to wait,
/// so a lone client is served by one worker without hand-offs. Tokens (each with a signal) go to parked consumers
/// from whoever makes work available that no waiter will take: the producer that makes the put list non-empty
/// and saw <c>_waiting</c> clear under the gate (one that saw it set put its task in the list the waiter swaps
/// in); a claimer that leaves tasks in the get list or publishes claimed ones while nobody waits; a thief that
/// leaves claimed tasks in the slots; and the leaving waiter, for claims published after it last looked at the
/// slots (a Dekker pair: the publisher's exchange, then its read of <c>_waiting</c>; the waiter's write
/// clearing it, fenced by the swap's exchange, then its read of the slots). One token per kind of work (put list, get list, slots): a woken
/// consumer looks at every kind, so it may take another kind than it was woken for, whose own token then wakes
/// the next one.</para>
/// <para>Why no task waits while every idle consumer is parked: work for an idle consumer is a task in the put
/// list, an unclaimed task in the get list, a claimed task in a slot, or a non-zero control word. While
/// <c>_waiting</c> is set, its holder takes all of these (the get list is used up, and it polls the rest until it
/// sees them, re-checking after a full fence before it sleeps). Work made available while it is clear is followed,
/// after a full fence (the producer's exchange, the claim, the publication, the steal, the swap after the waiter
/// clears the flag), by a read of <c>_standby</c>; a parker increments <c>_standby</c> (a full fence) before it reads
/// <c>_waiting</c>, so either the parker sees the flag clear and does not park, or that read sees the parker and
/// a token is given. A consumer that takes work of one kind makes the same check for what it leaves of that kind,
/// so the wake-ups chain until the work is taken or no consumer is parked. The waiter itself claims from the list
/// it swapped in (and checks what its claim leaves) unless it takes an exit entry or sees the queue closed:
/// control changes wake every parked consumer, and one that parks later sees the control word set or
/// <c>_waiting</c> clear.</para>
/// <para>Exit entries (from <see cref="ThreadPool.Decrease"/>) are a counter checked before the get
/// list, which makes them jump the queue without a second list. Termination is a bit of the same
/// atomic word, checked first, so consumers see both with one read and without any lock.</para>
/// </remarks>
internal sealed class TaskQueue
{
    // An idle consumer re-checks for work a few times before it sleeps (IThreading.SpinCountBeforeBlocking at
    // first, adapted between 1 and IThreading.SpinCountCeiling): waking a sleeper costs the producer and the
    // sleeper microseconds (more on a virtual machine), a spin that finds work costs the consumer less.
    private const int SpinIterations = 30;

    // A consumer that sees another waiting re-checks this many times (at most) before it parks.
    private const int SpinsBeforePark = 4;

    // An idle consumer's spin yields the processor once every this many spins.
    private const int SpinsBetweenYields = 2;

    // The claim count while the get list is being replaced: larger than any list, so no claim succeeds.
    private const long Frozen = int.MaxValue;

    // Set in _control by Close; the bits below count exit entries.
    private const long ClosedBit = 1L << 62;

    // Contended put-gate entries spin this many times (with growing pauses) before they start yielding.
    private const int GateSpinsBeforeYield = 10;

    private readonly IThreading _threading;
    private readonly IAtomicInt64 _putGate; // 1 while held
    private readonly ILock _getLock;
    private readonly ILock _sleepLock;
    private readonly ICondition _workArrived; // bound to _sleepLock
    private readonly IAtomicInt64 _sleeping; // 1 while a consumer sleeps (or is about to) on _workArrived
    private readonly IAtomicInt64 _waiting; // 1 while the get lock's holder waits for work in WaitAndSwap (up to its swap)
    private readonly IAtomicInt64 _standby; // consumers parked (or parking) on _standbyWake; changed under _sleepLock
    private readonly ICondition _standbyWake; // bound to _sleepLock
    private int _standbyTokens; // guarded by _sleepLock: wake-ups owed to parked consumers, never more than _standby
    private readonly IAtomicInt64 _control; // exit entries, plus ClosedBit once closed: one read per dequeue
    private readonly IAtomicInt64 _putListHasTasks; // 1 iff the put list is not empty; written under the put gate
    private readonly IAtomicInt64 _getClaims; // (swap generation << 32) | get-list tasks claimed; swapped under both locks
    private readonly ClaimedTaskSlots _slots; // guarded by _getLock
    private int _spinLimit; // guarded by _getLock: how often an idle consumer re-checks before it sleeps
    private TaskRing _putList = new(); // guarded by the put gate
    private TaskRing _getList = new(); // replaced under both locks; frozen in between, cleared once used up

    // Copies of the get list's array and count, so that claiming consumers read nothing that producers write
    // (the two rings are allocated side by side and may share a cache line). Written only by the swapper, while
    // the claim word is frozen, and published by the atomic write that opens the new generation; a claimer reads
    // them after an atomic read of the claim word and keeps what it read only if its compare-exchange on that
    // word succeeds, so a claim never uses values of another generation.
    private PoolTask[] _getItems;
    private int _getCount;
    private long _generation; // guarded by _getLock
    private bool _sealed; // guarded by the put gate
    private readonly PaddedCount _enqueued = new(); // incremented under the put gate, read by metrics

    public TaskQueue(IThreading threading)
    {
        _threading = threading;
        // Each OS atomic has a cache line of its own, so the producers' gate, the flags and the consumers'
        // claim word do not slow each other down by sharing one.
        _putGate = threading.CreateAtomic();
        _sleeping = threading.CreateAtomic();
        _putListHasTasks = threading.CreateAtomic();
        _getLock = threading.CreateLock();
        _sleepLock = threading.CreateLock();
        _workArrived = threading.CreateCondition(_sleepLock);
        _waiting = threading.CreateAtomic();
        _standby = threading.CreateAtomic();
        _standbyWake = threading.CreateCondition(_sleepLock);
        _control = threading.CreateAtomic();
        _getClaims = threading.CreateAtomic();
        _getItems = _getList.Items;
        _slots = new ClaimedTaskSlots(threading);
        _spinLimit = threading.SpinCountBeforeBlocking;
    }

    /// <summary>Tasks accepted by <see cref="Enqueue"/> so far (any thread, for metrics).</summary>
    public long Enqueued => _enqueued.Value;

    /// <summary>Appends a task. Accepted until <see cref="TryDrain"/> has sealed the queue.</summary>
    /// <exception cref="InvalidOperationException">The queue is sealed (the pool was destroyed).</exception>
    public void Enqueue(in PoolTask task)
    {
        bool wasEmpty;
        var unwatched = false;
        EnterPutGate();
        try
        {
            ThrowIfSealed();
            _putList.Enqueue(task);
            _enqueued.Increment();
            wasEmpty = _putList.Count == 1;
            if (wasEmpty)
            {
                _putListHasTasks.Exchange(1);
                // Under the gate, so a waiter clears the flag (in its swap) either after this task is in the put
                // list, which it takes, or before this read.
                unwatched = _waiting.Read() == 0;
            }
        }
        finally
        {
            _putGate.Write(0);
        }
        // A consumer sleeps only after seeing the put list empty, so only the producer that made it non-empty
        // can owe it a wake-up; every other enqueue skips the flag.
        if (wasEmpty && _sleeping.Read() != 0)
        {
            WakeConsumer();
        }
        else if (unwatched && _standby.Read() != 0)
        {
            WakeStandby(); // nobody waits for the put list: a parked consumer becomes the waiter
        }
    }

    /// <summary>Adds an exit entry that the next dequeuing worker takes before any task.</summary>
    /// <exception cref="InvalidOperationException">The queue is sealed.</exception>
    public void EnqueueExit()
    {
        EnterPutGate();
        try
        {
            ThrowIfSealed();
            _control.Add(1);
        }
        finally
        {
            _putGate.Write(0);
        }
        WakeAll();
    }

    /// <summary>
    /// For a worker starting: the slot for the tasks it will claim. A slot left behind by a worker that left
    /// is adopted with the tasks still in it (they are the oldest in the queue, so they run first).
    /// </summary>
    public ClaimedTasks JoinConsumers()
    {
        _getLock.Enter();
        try
        {
            return _slots.Join();
        }
        finally
        {
            _getLock.Exit();
        }
    }

    /// <summary>
    /// Blocks until there is an exit entry, a task, or the queue is closed. <paramref name="own"/> is the
    /// caller's slot from <see cref="JoinConsumers"/>: its claimed tasks come first, and a worker that still
    /// has some leaves exit entries to an idle worker.
    /// </summary>
    public DequeueResult Dequeue(ClaimedTasks own, out PoolTask task)
    {
        while (true)
        {
            var control = _control.Read();
            while (control != 0)
            {
                task = default;
                if ((control & ClosedBit) != 0)
                {
                    return DequeueResult.Closed;
                }
                if (own.Count != 0)
                {
                    break;
                }
                var seen = _control.CompareExchange(control - 1, control); // take an exit entry
                if (seen == control)
                {
                    return DequeueResult.Exit;
                }
                control = seen;
            }
            if (own.TryTake(out task))
            {
                return DequeueResult.Task;
            }
            if (control != 0)
            {
                continue; // its claimed tasks were stolen meanwhile: this worker is idle, the exit entry is its own
            }
            if (TryClaim(own, out task))
            {
                return DequeueResult.Task;
            }
            if (_waiting.Read() != 0 && !WaiterLeavesSoon())
            {
                // Another consumer waits for work. Queueing behind it on the get lock would hand the waiting over at
                // every task (a wake-up each time); parked, this one is woken only for work the waiter leaves.
                Park(own);
                continue;
            }
            _getLock.Enter();
            try
            {
                // Another consumer may have swapped while this one waited for the lock.
                if (!HasUnclaimedTasks())
                {
                    if (_slots.TrySteal(out task))
                    {
                        if (_standby.Read() != 0 && _slots.AnyTasks())
                        {
                            WakeStandby(); // the next idle consumer steals the next one
                        }
                        return DequeueResult.Task;
                    }
                    if (_control.Read() == 0)
                    {
                        own.ForgetAllTaken(); // a waiting worker keeps no finished task alive
                        WaitAndSwap();
                    }
                }
            }
            finally
            {
                _getLock.Exit();
            }
        }
    }

    /// <summary>Makes every consumer return <see cref="DequeueResult.Closed"/> from now on; tasks stay queued.</summary>
    public void Close()
    {
        _control.Add(ClosedBit);
        WakeAll();
    }

    /// <summary>
    /// For the destroyer, once no worker dequeues any more: takes the oldest task, or, when both
    /// lists are empty, seals the queue (later enqueues throw) and returns false. Exit entries are dropped.
    /// </summary>
    public bool TryDrain(out PoolTask task)
    {
        _getLock.Enter();
        try
        {
            if (_slots.TryTakeOldest(out task) || TryClaim(null, out task))
            {
                return true;
            }
            _getList.Clear();
            EnterPutGate();
            try
            {
                SwapLists();
                if (TryClaim(null, out task))
                {
                    return true;
                }
                _sealed = true;
                return false;
            }
            finally
            {
                _putGate.Write(0);
            }
        }
        finally
        {
            _getLock.Exit();
        }
    }

    // Called after the put list became non-empty with the sleeping flag seen set. Only the producer that
    // resets the flag signals: one wake-up per sleep.
    private void WakeConsumer()
    {
        if (_sleeping.Exchange(0) != 0)
        {
            _sleepLock.Enter();
            _workArrived.Signal();
            _sleepLock.Exit();
        }
    }

    // For the rare changes (exit entries, close): the predicate changed before the lock is taken, and the
    // sleeper checks it under the lock, so no handshake is needed.
    private void WakeAll()
    {
        _sleepLock.Enter();
        _workArrived.Broadcast();
        _standbyWake.Broadcast();
        _sleepLock.Exit();
    }

    // Called after _waiting was seen set: re-reads it a few times before the caller parks, since a busy pool's waiter
    // leaves within a swap, and a park and its wake-up cost more than a short wait on the get lock (which spins).
    private bool WaiterLeavesSoon()
    {
        var spins = Math.Min(SpinsBeforePark, _threading.SpinCountBeforeBlocking);
        for (var i = 0; i < spins; i++)
        {
            _threading.SpinWait(SpinIterations);
            if (_waiting.Read() == 0)
            {
                return true;
            }
        }
        return false;
    }

    // Called with no lock held, after TryClaim failed and _waiting was seen set: the waiter will take whatever work
    // comes, so this consumer parks until it is owed a wake-up (a token), no consumer waits any more (it goes and
    // becomes the waiter), or the control word changed. The increment is a full fence before _waiting is read again:
    // whoever makes work available and then reads _standby either sees this consumer or made it see _waiting clear.
    private void Park(ClaimedTasks own)
    {
        own.ForgetAllTaken(); // a parked worker keeps no finished task alive
        _sleepLock.Enter();
        try
        {
            _standby.Add(1);
            while (_standbyTokens == 0 && _control.Read() == 0 && _waiting.Read() != 0)
            {
                _standbyWake.Wait();
            }
            // Whoever leaves takes a token if there is one, whatever made it leave: it goes and looks for work, which
            // is what the token asks, and a signalled consumer that finds none left waits again. So a token is never
            // left to consumers that nobody signals, and tokens never outnumber the parked consumers.
            if (_standbyTokens > 0)
            {
                _standbyTokens--;
            }
            _standby.Add(-1);
        }
        finally
        {
            _sleepLock.Exit();
        }
    }

    // Called after making work available (with a full fence) that no waiter will take: parked consumers are owed
    // wake-ups, one for each kind of work made available (put list, get list, slots), since a woken consumer may take
    // work of another kind than it was woken for. Tokens never outnumber the parked consumers.
    private void WakeStandby(int wakeUps = 1)
    {
        _sleepLock.Enter();
        for (var i = 0; i < wakeUps && _standbyTokens < _standby.Read(); i++)
        {
            _standbyTokens++;
            _standbyWake.Signal();
        }
        _sleepLock.Exit();
    }

    // Called after a full fence that made work available to idle consumers (tasks left unclaimed, or claimed ones
    // published): a consumer that waits takes them (the get list is used up while one waits, and it polls the slots),
    // otherwise parked ones must.
    private void WakeStandbyIfUnwatched(int wakeUps)
    {
        if (_standby.Read() != 0 && _waiting.Read() == 0)
        {
            WakeStandby(wakeUps);
        }
    }

    // Nobody blocks while holding the gate, so a contender only spins; past a few spins it yields the
    // processor, in case the holder was preempted.
    private void EnterPutGate()
    {
        if (_putGate.CompareExchange(1, 0) != 0)
        {
            EnterPutGateContended();
        }
    }

    private void EnterPutGateContended()
    {
        var spins = 0;
        do
        {
            if (spins < GateSpinsBeforeYield)
            {
                _threading.SpinWait(1 << Math.Min(spins, 4));
            }
            else
            {
                _threading.SpinWait(1);
                _threading.Sleep(TimeSpan.Zero);
            }
            spins++;
        } while (_putGate.Read() != 0 || _putGate.CompareExchange(1, 0) != 0);
    }

    // Claims the next tasks of the get list, without a lock: one for the drain (own is null), else up to
    // ClaimedTasks.Capacity, of which the caller runs the first and keeps the rest in own (empty on entry).
    // Tasks are read before the compare-exchange: once every task is claimed, a swap may hand this list to
    // producers, so reading after would race.
    private bool TryClaim(ClaimedTasks? own, out PoolTask task)
    {
        var claims = _getClaims.Read();
        while (true)
        {
            var claimed = (int)claims;
            var unclaimed = _getCount - claimed;
            if (unclaimed <= 0)
            {
                task = default;
                return false;
            }
            var items = _getItems;
            var count = own is null ? 1 : ClaimSize(unclaimed);
            if (count == 1)
            {
                task = items[claimed & (items.Length - 1)];
            }
            else
            {
                own!.Fill(items, claimed, count);
                task = own.First;
            }
            var seen = _getClaims.CompareExchange(claims + count, claims);
            if (seen == claims)
            {
                if (count > 1)
                {
                    own!.Publish(claims >> 32, claimed, count);
                    WakeConsumerForClaimed();
                }
                else if (own is not null && unclaimed > 1)
                {
                    WakeStandbyIfUnwatched(1); // a task is left in the get list for another consumer
                }
                return true;
            }
            claims = seen;
        }
    }

    // Half of what is left, so that a short list is shared between workers; at most what a slot holds.
    private static int ClaimSize(int unclaimed) =>
        Math.Min(ClaimedTasks.Capacity, (unclaimed + 1) / 2);

    // A consumer that found the get list used up may have looked at this worker's slot before the claim was
    // published, and gone to sleep: the publication is a full-fence exchange and the sleeper sets its flag
    // with one before it looks at the slots, so one of the two sees the other. With nobody waiting, parked
    // consumers are woken instead (the claim's compare-exchange and the publication come before the reads).
    private void WakeConsumerForClaimed()
    {
        if (_sleeping.Read() != 0)
        {
            WakeConsumer();
        }
        else
        {
            WakeStandbyIfUnwatched(2); // one for the claimed tasks, one for those left in the get list (there always are)
        }
    }

    // Called with the get lock held: no swap can happen, so the answer only goes from true to false.
    private bool HasUnclaimedTasks() => (int)_getClaims.Read() < _getCount;

    // Called with the get lock held and every task of the get list claimed. The spin polls atomics only,
    // so a spinning consumer never takes the put gate away from producers; it takes it once to swap.
    private void WaitAndSwap()
    {
        _getList.Clear(); // before the put gate: producers need not wait for it
        // From here to the swap, new work is left to this consumer, and idle ones park. With work already there (a
        // busy pool swaps at every pass) the flag is not raised, so producers read it from a line nobody writes. If
        // that work goes meanwhile (another consumer took the exit entry), this one waits with the flag clear: then
        // others do not park and producers wake parked ones themselves, which is only more wake-ups.
        var waits = !HasWorkOrSignal();
        if (waits)
        {
            _waiting.Write(1);
        }
        var spinStarted = _threading.Now;
        var spins = 0;
        while (spins < _spinLimit && !HasWorkOrSignal())
        {
            _threading.SpinWait(SpinIterations);
            spins++;
            if (spins % SpinsBetweenYields == 0)
            {
                // Give the processor to a thread that is ready to run (the producer, when the machine has more
                // runnable threads than cores): a spinner that never yields delays the work it waits for.
                _threading.Sleep(TimeSpan.Zero);
            }
        }
        if (!HasWorkOrSignal())
        {
            var sleepStarted = _threading.Now;
            Sleep();
            AdaptSpinLimit(spins, sleepStarted - spinStarted, _threading.Now - sleepStarted);
        }
        EnterPutGate();
        try
        {
            if (waits)
            {
                // Under the gate: a producer that saw the flag set put its task in the list swapped in here. The
                // swap's exchange of the claim word is the full fence between this write and the reads below.
                _waiting.Write(0);
            }
            SwapLists();
        }
        finally
        {
            _putGate.Write(0);
        }
        // Claims published after this consumer last looked at the slots were left to it; it will run a task of the
        // new get list, so a parked consumer must steal them (with an empty list, this one steals them next).
        if (waits && _getCount != 0 && _standby.Read() != 0 && _slots.AnyTasks())
        {
            WakeStandby();
        }
    }

    // Called with the get lock held, after a sleep that followed `spins` spins. Work that came before a spin up to
    // the ceiling would have ended means that spinning longer saves a sleep and a wake-up: the limit doubles;
    // otherwise the spin was wasted and the limit halves, so an idle pool soon stops spinning at all.
    private void AdaptSpinLimit(int spins, TimeSpan spun, TimeSpan slept)
    {
        var perSpin = spins == 0 ? TimeSpan.Zero : spun / spins;
        var ceiling = _threading.SpinCountCeiling;
        var floor = Math.Min(1, _threading.SpinCountBeforeBlocking); // 0 where the threading never spins
        _spinLimit =
            slept <= perSpin * (ceiling - spins)
                ? Math.Min(ceiling, Math.Max(1, _spinLimit * 2))
                : Math.Max(floor, _spinLimit / 2);
    }

    private void Sleep()
    {
        _sleepLock.Enter();
        try
        {
            // The flag is set again before every check: a producer late to reset it (it saw a previous sleep's
            // flag) may have signalled this sleep for nothing, and the next producer must still see a sleeper.
            while (true)
            {
                _sleeping.Exchange(1);
                if (HasWorkOrSignal())
                {
                    break;
                }
                _workArrived.Wait();
            }
            _sleeping.Write(0);
        }
        finally
        {
            _sleepLock.Exit();
        }
    }

    // Called with the get lock held.
    private bool HasWorkOrSignal() =>
        _putListHasTasks.Read() != 0 || _control.Read() != 0 || _slots.AnyTasks();

    // Called with the get lock and the put gate held, and the get list used up and cleared. A consumer outside the lock may
    // still hold the old claim value and read either list: the claim value is first frozen (with a full
    // fence, so no consumer can pair the old value with the new list and claim with it), then the lists
    // change, then the new generation opens the new list for claims.
    private void SwapLists()
    {
        _generation++;
        _getClaims.Exchange((_generation << 32) | Frozen);
        (_getList, _putList) = (_putList, _getList);
        _getItems = _getList.Items;
        _getCount = _getList.Count;
        _getClaims.Write(_generation << 32);
        if (_getList.Count != 0)
        {
            _putListHasTasks.Write(0);
        }
    }

    private void ThrowIfSealed()
    {
        if (_sealed)
        {
            throw new InvalidOperationException("The thread pool has been destroyed.");
        }
    }
}
