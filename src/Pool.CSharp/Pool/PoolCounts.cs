namespace Pool;

/// <summary>
/// What one <see cref="ThreadPool"/> counts for its metrics (<see cref="PoolMetrics"/>). Each count is written where
/// the pool is already exclusive, with a plain store: a worker's started tasks by that worker (<see cref="Worker"/>),
/// scheduled tasks under the queue's put gate (<see cref="TaskQueue.Enqueued"/>); failures and drained tasks are
/// rare. A listener's thread reads them with volatile loads when it collects.
/// </summary>
/// <remarks>
/// The list of workers has a lock of its own (not the pool's, which the listener must never wait for): it is taken
/// when a worker joins or leaves and when the listener reads, and nothing waits while holding it. These counts
/// order no thread of the pool, so they stay out of the <c>IThreading</c> seam and add no scheduling point; a pool
/// that is not <paramref name="measured"/> (on a controlled scheduler) keeps no list, so no lock of the
/// seam's blind side is ever taken under the explorer or Coyote.
/// </remarks>
internal sealed class PoolCounts(TaskQueue queue, bool measured)
{
    private readonly Lock _lock = new();
    private readonly List<Worker> _workers = []; // guarded by _lock
    private long _startedByWorkersThatLeft; // guarded by _lock
    private long _failed;
    private long _drained;

    /// <summary>The pool runs on the operating system's threads, so its metrics report it (see <see cref="PoolMetrics"/>).</summary>
    public bool Measured => measured;

    /// <summary>Tasks accepted by Schedule.</summary>
    public long Scheduled => queue.Enqueued;

    /// <summary>Tasks a worker took from the queue and ran (or runs now).</summary>
    public long Started
    {
        get
        {
            lock (_lock)
            {
                var started = _startedByWorkersThatLeft;
                foreach (var worker in _workers)
                {
                    started += worker.TasksStarted;
                }
                return started;
            }
        }
    }

    /// <summary>Tasks that threw.</summary>
    public long Failed => Volatile.Read(ref _failed);

    /// <summary>Tasks that never ran, handed to Destroy's pending callback (or dropped when it was null).</summary>
    public long Drained => Volatile.Read(ref _drained);

    /// <summary>Tasks scheduled and neither started nor drained: queued, or claimed by a worker that has not started them.</summary>
    public long Waiting
    {
        get
        {
            // Started and drained first: both only grow, and only after Scheduled did, so the difference is never negative.
            var done = Started + Drained;
            return Math.Max(0, Scheduled - done);
        }
    }

    /// <summary>Workers counted by <see cref="ThreadPool.ThreadCount"/>.</summary>
    public long Threads
    {
        get
        {
            lock (_lock)
            {
                return _workers.Count;
            }
        }
    }

    /// <summary>A worker was started (it counts in ThreadCount from now on).</summary>
    public void Joined(Worker worker)
    {
        if (!measured)
        {
            return;
        }
        lock (_lock)
        {
            _workers.Add(worker);
        }
    }

    /// <summary>A worker left the count (it left the pool, or its task destroyed the pool); its tasks stay counted.</summary>
    public void Left(Worker worker)
    {
        if (!measured)
        {
            return;
        }
        lock (_lock)
        {
            if (_workers.Remove(worker))
            {
                _startedByWorkersThatLeft += worker.TasksStarted;
            }
        }
    }

    public void CountFailed() => Interlocked.Increment(ref _failed);

    public void CountDrained() => Interlocked.Increment(ref _drained);
}
