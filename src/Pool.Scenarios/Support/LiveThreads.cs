using Pool.Threading;

namespace Pool.Scenarios.Support;

/// <summary>
/// Decorates a seam to count the threads started through it that have not finished, so a scenario can
/// check invariant 2 of pool.md (when destroy returns from outside, no pool thread is running).
/// </summary>
internal sealed class LiveThreads(IThreading inner) : IThreading
{
    private readonly ILock _lock = inner.CreateLock();
    private int _live;

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

    public IThreadHandle Start(Action body, string? name = null) => Start(body, name, 0);

    public IThreadHandle Start(Action body, string? name, int stackSize)
    {
        _lock.Enter();
        _live++;
        _lock.Exit();
        return inner.Start(
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
                    _lock.Exit();
                }
            },
            name,
            stackSize
        );
    }

    public ILock CreateLock() => inner.CreateLock();

    public ICondition CreateCondition(ILock lockObject) => inner.CreateCondition(lockObject);

    public void Yield() => inner.Yield();

    public void SpinWait(int iterations) => inner.SpinWait(iterations);

    public int SpinCountBeforeBlocking => inner.SpinCountBeforeBlocking;

    public int SpinCountCeiling => inner.SpinCountCeiling;

    public IThreadLocal<T> CreateThreadLocal<T>() => inner.CreateThreadLocal<T>();

    public IAtomicInt64 CreateAtomic(long initialValue = 0) => inner.CreateAtomic(initialValue);

    public TimeSpan Now => inner.Now;

    public void Sleep(TimeSpan duration) => inner.Sleep(duration);
}
