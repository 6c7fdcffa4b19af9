using Pool.Diagnostics;
using Pool.Threading;

namespace Pool;

/// <summary>
/// The pool's queue, after the reference's two-list message queue: producers append to the put list
/// under the <see cref="PutGate"/>; consumers take from the get list and swap the two lists, under the get lock and
/// the put gate, only when theirs is used up. Producers and consumers therefore meet only at a swap.
/// At most one consumer (the one holding the get lock) ever waits for the put list; other idle consumers park
/// in standby and are woken only for work that the waiter leaves to them (<see cref="IdleConsumers"/>).
/// </summary>
/// <remarks>
/// <para>The get list is frozen between swaps, so consumers take from it without the get lock, with a
/// compare-exchange on the <see cref="ClaimWord"/>. A worker claims up to <see cref="ClaimedTasks.Capacity"/>
/// tasks at once (half of what is left, at most that many), runs the first and keeps the others in its
/// <see cref="ClaimedTasks"/>, so two busy workers meet on the claim word once every few tasks instead of on every
/// task. The get lock is only for the consumer that swaps (or waits), and for stealing: a consumer that finds the get
/// list used up takes a task claimed by another worker (busy, or gone) before it swaps or sleeps, so nobody sleeps
/// while a claimed task waits.</para>
/// <para>Lock order: get lock, then put gate; get lock, then sleep lock; the sleep lock is never held with the put
/// gate. Why no task waits while every idle consumer is parked: docs/pool.md, "Proof sketch: no task waits while
/// every idle consumer is parked".</para>
/// <para>Exit entries (from <see cref="ThreadPool.Decrease"/>) are a counter checked before the get
/// list, which makes them jump the queue without a second list. Termination is a bit of the same
/// atomic word, checked first, so consumers see both with one read and without any lock.</para>
/// </remarks>
internal sealed class TaskQueue
{
    // An idle consumer re-checks for work a few times before it sleeps (IThreading.SpinCountBeforeBlocking at
    // first, adapted between 1 and IThreading.SpinCountCeiling): waking a sleeper costs the producer and the
    // sleeper microseconds (more on a virtual machine), a spin that finds work costs the consumer less.
    internal const int SpinIterations = 30;

    // Set in _control by Close; the bits below count exit entries.
    private const long ClosedBit = 1L << 62;

    private readonly IThreading _threading;
    private readonly PutGate _putGate; // guards _putList, _sealed and the writes of _putListHasTasks
    private readonly ILock _getLock; // held by the consumer that swaps (or waits for work), and by thieves
    private readonly IdleConsumers _idle; // the waiter's flag and sleep, and the parked consumers
    private readonly IAtomicInt64 _control; // exit entries, plus ClosedBit once closed: one read per dequeue
    private readonly IAtomicInt64 _putListHasTasks; // 1 iff the put list is not empty; written under the put gate
    private readonly ClaimWord _claims; // claims on the get list; replaced under both locks
    private readonly ClaimedTaskSlots _slots; // guarded by _getLock
    private readonly Func<bool> _hasWorkOrSignal; // HasWorkOrSignal, for the waiter's sleep
    private readonly SpinBudget _waiterSpin; // guarded by _getLock: how often the waiter re-checks before it sleeps
    private TaskRing _putList = new(); // guarded by the put gate
    private TaskRing _getList = new(); // replaced under both locks; frozen in between, cleared once used up
    private bool _sealed; // guarded by the put gate
    private readonly PaddedCount _enqueued = new(); // incremented under the put gate, read by metrics

    public TaskQueue(IThreading threading)
    {
        _threading = threading;
        // Each OS atomic has a cache line of its own, so the producers' gate, the flags and the consumers'
        // claim word do not slow each other down by sharing one.
        _putGate = new PutGate(threading);
        _putListHasTasks = threading.CreateAtomic();
        _getLock = threading.CreateLock();
        _control = threading.CreateAtomic();
        _idle = new IdleConsumers(threading, _control);
        _claims = new ClaimWord(threading, _getList);
        _slots = new ClaimedTaskSlots(threading);
        _waiterSpin = NewSpinBudget();
        _hasWorkOrSignal = HasWorkOrSignal;
    }

    /// <summary>Tasks accepted by <see cref="Enqueue"/> so far (any thread, for metrics).</summary>
    public long Enqueued => _enqueued.Value;

    /// <summary>Appends a task. Accepted until <see cref="TryDrain"/> has sealed the queue.</summary>
    /// <exception cref="InvalidOperationException">The queue is sealed (the pool was destroyed).</exception>
    public void Enqueue(in PoolTask task)
    {
        bool wasEmpty;
        var unwatched = false;
        _putGate.Enter();
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
                unwatched = !_idle.IsWaiting();
            }
        }
        finally
        {
            _putGate.Exit();
        }
        // A consumer sleeps only after seeing the put list empty, so only the producer that made it non-empty
        // can owe it a wake-up; every other enqueue skips the flag.
        if (wasEmpty && _idle.IsSleeping())
        {
            _idle.WakeSleeper();
        }
        else if (unwatched && _idle.AnyParked())
        {
            _idle.WakeParked(); // nobody waits for the put list: a parked consumer becomes the waiter
        }
    }

    /// <summary>Adds an exit entry that the next dequeuing worker takes before any task.</summary>
    /// <exception cref="InvalidOperationException">The queue is sealed.</exception>
    public void EnqueueExit()
    {
        _putGate.Enter();
        try
        {
            ThrowIfSealed();
            _control.Add(1);
        }
        finally
        {
            _putGate.Exit();
        }
        _idle.WakeAll();
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

    /// <summary>For a worker starting: how often it re-checks before it parks, its own from then on.</summary>
    public SpinBudget NewSpinBudget() =>
        new(_threading.SpinCountBeforeBlocking, _threading.SpinCountCeiling);

    /// <summary>
    /// Blocks until there is an exit entry, a task, or the queue is closed. <paramref name="own"/> is the
    /// caller's slot from <see cref="JoinConsumers"/>: its claimed tasks come first, and a worker that still
    /// has some leaves exit entries to an idle worker. <paramref name="rechecks"/> is the caller's own (see
    /// <see cref="NewSpinBudget"/>).
    /// </summary>
    public DequeueResult Dequeue(ClaimedTasks own, SpinBudget rechecks, out PoolTask task)
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
            if (_idle.IsWaiting() && !_idle.WaiterLeavesSoon(rechecks))
            {
                // Another consumer waits for work. Queueing behind it on the get lock would hand the waiting over at
                // every task (a wake-up each time); parked, this one is woken only for work the waiter leaves.
                own.ForgetAllTaken(); // a parked worker keeps no finished task alive
                _idle.Park(rechecks);
                continue;
            }
            _getLock.Enter();
            try
            {
                // Another consumer may have swapped while this one waited for the lock.
                if (!_claims.HasUnclaimed())
                {
                    if (_slots.TrySteal(out task))
                    {
                        if (_idle.AnyParked() && _slots.AnyTasks())
                        {
                            _idle.WakeParked(); // the next idle consumer steals the next one
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
        _idle.WakeAll();
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
            _putGate.Enter();
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
                _putGate.Exit();
            }
        }
        finally
        {
            _getLock.Exit();
        }
    }

    // Claims the next tasks of the get list, without a lock: one for the drain (own is null), else up to
    // ClaimedTasks.Capacity, of which the caller runs the first and keeps the rest in own (empty on entry).
    // Tasks are read before the compare-exchange: once every task is claimed, a swap may hand this list to
    // producers, so reading after would race.
    private bool TryClaim(ClaimedTasks? own, out PoolTask task)
    {
        var claims = _claims.Read();
        while (true)
        {
            var claimed = (int)claims;
            var unclaimed = _claims.Count - claimed;
            if (unclaimed <= 0)
            {
                task = default;
                return false;
            }
            var items = _claims.Items;
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
            var seen = _claims.Claim(claims, count);
            if (seen == claims)
            {
                if (count > 1)
                {
                    own!.Publish(claims >> 32, claimed, count);
                    WakeConsumerForClaimed();
                }
                else if (own is not null && unclaimed > 1)
                {
                    _idle.WakeParkedIfUnwatched(1); // a task is left in the get list for another consumer
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
        if (_idle.IsSleeping())
        {
            _idle.WakeSleeper();
        }
        else
        {
            _idle.WakeParkedIfUnwatched(2); // one for the claimed tasks, one for those left in the get list (there always are)
        }
    }

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
            _idle.StartWaiting();
        }
        var spinStarted = _threading.Now;
        var spins = 0;
        while (spins < _waiterSpin.Limit && !HasWorkOrSignal())
        {
            _threading.SpinWait(SpinIterations);
            spins++;
            if (spins < _waiterSpin.Limit)
            {
                // Give the processor to a thread that is ready to run (the producer, when the machine has more
                // runnable threads than cores): a spinner that does not yield delays the work it waits for.
                _threading.Sleep(TimeSpan.Zero);
            }
        }
        if (!HasWorkOrSignal())
        {
            var sleepStarted = _threading.Now;
            _idle.Sleep(_hasWorkOrSignal);
            _waiterSpin.SpunInVain(spins, sleepStarted - spinStarted);
            _waiterSpin.Blocked(_threading.Now - sleepStarted);
        }
        _putGate.Enter();
        try
        {
            if (waits)
            {
                // Under the gate: a producer that saw the flag set put its task in the list swapped in here. The
                // swap's exchange of the claim word is the full fence between this write and the reads below.
                _idle.StopWaiting();
            }
            SwapLists();
        }
        finally
        {
            _putGate.Exit();
        }
        // Claims published after this consumer last looked at the slots were left to it; it will run a task of the
        // new get list, so a parked consumer must steal them (with an empty list, this one steals them next).
        if (waits && _claims.Count != 0 && _idle.AnyParked() && _slots.AnyTasks())
        {
            _idle.WakeParked();
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
        _claims.Freeze();
        (_getList, _putList) = (_putList, _getList);
        _claims.Open(_getList);
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
