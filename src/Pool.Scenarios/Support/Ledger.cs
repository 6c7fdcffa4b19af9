using Pool.Threading;

namespace Pool.Scenarios.Support;

/// <summary>
/// Bookkeeping for invariant 1 of pool.md: every task the pool accepted runs exactly once or reaches
/// pending exactly once. Guarded by a lock of the seam, so its own accesses are explorable too.
/// </summary>
internal sealed class Ledger
{
    private readonly ILock _lock;
    private readonly List<int> _accepted = [];
    private readonly Dictionary<int, int> _ran = [];
    private readonly Dictionary<int, int> _pending = [];
    private int _nextId;
    private int _running;

    public Ledger(IThreading threading) => _lock = threading.CreateLock();

    /// <summary>Tasks started and not yet returned.</summary>
    public int Running => Locked(() => _running);

    /// <summary>Schedules a task that records its run, then does <paramref name="body"/>. False if the pool refused it.</summary>
    public bool TrySchedule(ThreadPool pool, Action<int>? body = null)
    {
        var id = Locked(() => ++_nextId);
        try
        {
            pool.Schedule(
                new PoolTask(
                    _ =>
                    {
                        Locked(() =>
                        {
                            _ran[id] = _ran.GetValueOrDefault(id) + 1;
                            _running++;
                        });
                        try
                        {
                            body?.Invoke(id);
                        }
                        finally
                        {
                            Locked(() => _running--);
                        }
                    },
                    id
                )
            );
        }
        catch (InvalidOperationException)
        {
            return false; // refused after destroy: never accepted, so never owed
        }
        Locked(() => _accepted.Add(id));
        return true;
    }

    /// <summary>The pending callback to hand to <see cref="ThreadPool.Destroy"/>.</summary>
    public void Pending(PoolTask task) =>
        Locked(() =>
        {
            var id = (int)task.Context!;
            _pending[id] = _pending.GetValueOrDefault(id) + 1;
        });

    public int PendingCount => Locked(() => _pending.Count);

    public void CheckExactlyOnce() =>
        Locked(() =>
        {
            foreach (var id in _accepted)
            {
                var ran = _ran.GetValueOrDefault(id);
                var pending = _pending.GetValueOrDefault(id);
                Check.That(
                    ran + pending == 1,
                    $"task {id} ran {ran} times and was pending {pending} times"
                );
            }
            Check.That(
                _ran.Count + _pending.Count == _accepted.Count,
                "only accepted tasks run or reach pending"
            );
        });

    private T Locked<T>(Func<T> read)
    {
        _lock.Enter();
        try
        {
            return read();
        }
        finally
        {
            _lock.Exit();
        }
    }

    private void Locked(Action write)
    {
        _lock.Enter();
        try
        {
            write();
        }
        finally
        {
            _lock.Exit();
        }
    }
}
