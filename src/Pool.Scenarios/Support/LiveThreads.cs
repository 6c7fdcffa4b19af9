using Pool.Threading;

namespace Pool.Scenarios.Support;

/// <summary>
/// Decorates a seam to count the threads started through it that have not finished, so a scenario can
/// check invariant 2 of pool.md (when destroy returns from outside, no pool thread is running), or wait until the
/// threads it expects to finish have finished.
/// </summary>
internal sealed class LiveThreads : IThreading
{
    private readonly IThreading _inner;
    private readonly ILock _lock;
    private readonly ICondition _finished;
    private int _live;
    private int _waiting;

    public LiveThreads(IThreading inner)
    {
        _inner = inner;
        _lock = inner.CreateLock();
        _finished = inner.CreateCondition(_lock);
    }

    public int Count
    {
        get
        {
            _lock.Enter();
            var live = _live;
            _lock.Exit();
            return live;
        }
    }

    /// <summary>
    /// Blocks until at most <paramref name="count"/> threads started through this seam are unfinished. A controlled
    /// block: if they never finish, the engine reports a deadlock.
    /// </summary>
    public void AwaitAtMost(int count)
    {
        _lock.Enter();
        _waiting++;
        while (_live > count)
        {
            _finished.Wait();
        }
        _waiting--;
        _lock.Exit();
    }

    public IThreadHandle Start(Action body, string? name = null) => Start(body, name, 0);

    public IThreadHandle Start(Action body, string? name, int stackSize)
    {
        _lock.Enter();
        _live++;
        _lock.Exit();
        return _inner.Start(
            () =>
            {
                try
                {
                    body();
                }
                finally
                {
                    _lock.Enter();
                    _live--;
                    if (_waiting > 0)
                    {
                        _finished.Broadcast();
                    }
                    _lock.Exit();
                }
            },
            name,
            stackSize
        );
    }

    public ILock CreateLock() => _inner.CreateLock();

    public ICondition CreateCondition(ILock lockObject) => _inner.CreateCondition(lockObject);

    public void Yield() => _inner.Yield();

    public void SpinWait(int iterations) => _inner.SpinWait(iterations);

    public int SpinCountBeforeBlocking => _inner.SpinCountBeforeBlocking;

    public int SpinCountCeiling => _inner.SpinCountCeiling;

    public IThreadLocal<T> CreateThreadLocal<T>() => _inner.CreateThreadLocal<T>();

    public IAtomicInt64 CreateAtomic(long initialValue = 0) => _inner.CreateAtomic(initialValue);

    public TimeSpan Now => _inner.Now;

    public void Sleep(TimeSpan duration) => _inner.Sleep(duration);
}
