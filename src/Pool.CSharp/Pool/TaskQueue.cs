using Pool.Threading;

namespace Pool;

/// <summary>
/// The pool's queue, after the reference's two-list message queue: producers append to the put list
/// under the put lock; consumers take from the get list and swap the two lists, under both locks,
/// only when theirs is used up. Producers and consumers therefore meet only at a swap. At most one
/// consumer (the one holding the get lock) ever waits for the put list.
/// </summary>
/// <remarks>
/// Lock order: get lock, then put lock. The get list is frozen between swaps, so consumers take from it
/// without the get lock: each claims the next index with a compare-exchange on <c>_getClaims</c>, which
/// also holds a swap generation, so a claim racing with a swap fails and is retried. The get lock is
/// only for the consumer that swaps (or waits). Exit entries (from <see cref="ThreadPool.Decrease"/>)
/// are a counter checked before the get list, which makes them jump the queue without a second list.
/// Termination is an atomic flag so that consumers see it without taking the put lock.
/// </remarks>
internal sealed class TaskQueue
{
    // An idle consumer re-checks for work a few times before it sleeps (IThreading.SpinCountBeforeBlocking):
    // waking a sleeper costs the producer microseconds, a short spin costs the consumer nanoseconds.
    private const int SpinIterations = 30;

    // The claim count while the get list is being replaced: larger than any list, so no claim succeeds.
    private const long Frozen = int.MaxValue;

    private readonly IThreading _threading;
    private readonly ILock _putLock;
    private readonly ILock _getLock;
    private readonly ICondition _putListNotEmpty;
    private readonly IAtomicInt64 _exitEntries;
    private readonly IAtomicInt64 _closed;
    private readonly IAtomicInt64 _putListHasTasks; // written under _putLock; read without it by a spinning consumer
    private readonly IAtomicInt64 _getClaims; // (swap generation << 32) | get-list tasks claimed; swapped under both locks
    private TaskRing _putList = new(); // guarded by _putLock
    private TaskRing _getList = new(); // replaced under both locks; frozen in between, cleared once used up

    // Copies of the get list's array and count, so that claiming consumers read nothing that producers write
    // (the two rings are allocated side by side and may share a cache line).
    private PoolTask[] _getItems;
    private int _getCount;
    private long _generation; // guarded by _getLock
    private bool _consumerWaiting; // guarded by _putLock
    private bool _sealed; // guarded by _putLock

    private readonly Mutant _mutant;
    private int _drainBudget = -1; // Mutant.DestroyForgetsLateTasks only

    public TaskQueue(IThreading threading, Mutant mutant = Mutant.None)
    {
        _threading = threading;
        _mutant = mutant;
        _putLock = threading.CreateLock();
        _getLock = threading.CreateLock();
        _putListNotEmpty = threading.CreateCondition(_putLock);
        _exitEntries = threading.CreateAtomic();
        _closed = threading.CreateAtomic();
        _putListHasTasks = threading.CreateAtomic();
        _getClaims = threading.CreateAtomic();
        _getItems = _getList.Items;
    }

    /// <summary>Appends a task. Accepted until <see cref="TryDrain"/> has sealed the queue.</summary>
    /// <exception cref="InvalidOperationException">The queue is sealed (the pool was destroyed).</exception>
    public void Enqueue(in PoolTask task)
    {
        _putLock.Enter();
        try
        {
            ThrowIfSealed();
            _putList.Enqueue(task);
            if (_putList.Count == 1)
            {
                _putListHasTasks.Write(1);
            }
            WakeConsumer();
        }
        finally
        {
            _putLock.Exit();
        }
    }

    /// <summary>Adds an exit entry that the next dequeuing worker takes before any task.</summary>
    /// <exception cref="InvalidOperationException">The queue is sealed.</exception>
    public void EnqueueExit()
    {
        _putLock.Enter();
        try
        {
            ThrowIfSealed();
            _exitEntries.Add(1);
            WakeConsumer();
        }
        finally
        {
            _putLock.Exit();
        }
    }

    /// <summary>Blocks until there is an exit entry, a task, or the queue is closed.</summary>
    public DequeueResult Dequeue(out PoolTask task)
    {
        while (true)
        {
            if (_closed.Read() != 0)
            {
                task = default;
                return DequeueResult.Closed;
            }
            if (TryTakeExitEntry())
            {
                task = default;
                return DequeueResult.Exit;
            }
            if (TryClaim(out task))
            {
                return DequeueResult.Task;
            }
            _getLock.Enter();
            try
            {
                // Another consumer may have swapped while this one waited for the lock.
                if (!HasUnclaimedTasks() && _closed.Read() == 0 && _exitEntries.Read() == 0)
                {
                    WaitAndSwap();
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
        _closed.Write(1);
        _putLock.Enter();
        _putListNotEmpty.Broadcast();
        _putLock.Exit();
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
            if (_mutant == Mutant.DestroyForgetsLateTasks && !TakeFromDrainBudget())
            {
                task = default;
                return false;
            }
            if (TryClaim(out task))
            {
                return true;
            }
            _getList.Clear();
            _putLock.Enter();
            try
            {
                SwapLists();
                if (TryClaim(out task))
                {
                    return true;
                }
                _sealed = true;
                return false;
            }
            finally
            {
                _putLock.Exit();
            }
        }
        finally
        {
            _getLock.Exit();
        }
    }

    // Mutant only: allow as many drained tasks as were queued at the first call, and no more.
    private bool TakeFromDrainBudget()
    {
        if (_drainBudget < 0)
        {
            _putLock.Enter();
            _drainBudget = _getCount - (int)_getClaims.Read() + _putList.Count;
            _putLock.Exit();
        }
        return _drainBudget-- > 0;
    }

    // Called with the put lock held. Signals once per wait: the woken consumer needs the put lock to return
    // from its wait, so signalling on every enqueue until then would make the producer pay for a wake-up per
    // task and fight the consumer for the lock.
    private void WakeConsumer()
    {
        if (_consumerWaiting)
        {
            _consumerWaiting = false;
            _putListNotEmpty.Signal();
        }
    }

    private bool TryTakeExitEntry()
    {
        var exits = _exitEntries.Read();
        while (exits > 0)
        {
            var seen = _exitEntries.CompareExchange(exits - 1, exits);
            if (seen == exits)
            {
                return true;
            }
            exits = seen;
        }
        return false;
    }

    // Claims the next task of the get list, without a lock. The task is read before the compare-exchange:
    // once every task is claimed, a swap may hand this list to producers, so reading after would race.
    private bool TryClaim(out PoolTask task)
    {
        var claims = _getClaims.Read();
        while (true)
        {
            var claimed = (int)claims;
            if (claimed >= _getCount)
            {
                task = default;
                return false;
            }
            var items = _getItems;
            task = items[claimed & (items.Length - 1)];
            var seen = _getClaims.CompareExchange(claims + 1, claims);
            if (seen == claims)
            {
                return true;
            }
            claims = seen;
        }
    }

    // Called with the get lock held: no swap can happen, so the answer only goes from true to false.
    private bool HasUnclaimedTasks() => (int)_getClaims.Read() < _getCount;

    // Called with the get lock held and every task of the get list claimed. The spin polls atomics only,
    // so a spinning consumer never takes the put lock away from producers; it takes it once to swap (or to sleep).
    private void WaitAndSwap()
    {
        _getList.Clear(); // before the put lock: producers need not wait for it
        var spins = _threading.SpinCountBeforeBlocking;
        while (spins-- > 0 && !HasWorkOrSignal())
        {
            _threading.SpinWait(SpinIterations);
        }
        _putLock.Enter();
        try
        {
            while (_putList.Count == 0 && _closed.Read() == 0 && _exitEntries.Read() == 0)
            {
                _consumerWaiting = true;
                _putListNotEmpty.Wait();
                _consumerWaiting = false;
            }
            SwapLists();
        }
        finally
        {
            _putLock.Exit();
        }
    }

    private bool HasWorkOrSignal() =>
        _putListHasTasks.Read() != 0 || _closed.Read() != 0 || _exitEntries.Read() != 0;

    // Called with both locks held and the get list used up and cleared. A consumer outside the lock may
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
