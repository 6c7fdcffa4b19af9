using Pool.Threading;

namespace Pool.Scenarios.Support;

/// <summary>
/// The explorer's threading, reporting a spin count of <paramref name="spins"/> (before blocking and as the ceiling)
/// instead of its own: code that spins before it blocks takes the paths of a longer spin (a yield between spins).
/// Every operation is forwarded unchanged.
/// </summary>
internal sealed class SpinningThreading(IThreading inner, int spins) : IThreading
{
    public int SpinCountBeforeBlocking => spins;

    public int SpinCountCeiling => spins;

    public IThreadHandle Start(Action body, string? name = null) => inner.Start(body, name);

    public IThreadHandle Start(Action body, string? name, int stackSize) =>
        inner.Start(body, name, stackSize);

    public ILock CreateLock() => inner.CreateLock();

    public ICondition CreateCondition(ILock lockObject) => inner.CreateCondition(lockObject);

    public void Yield() => inner.Yield();

    public void SpinWait(int iterations) => inner.SpinWait(iterations);

    public IThreadLocal<T> CreateThreadLocal<T>() => inner.CreateThreadLocal<T>();

    public IAtomicInt64 CreateAtomic(long initialValue = 0) => inner.CreateAtomic(initialValue);

    public TimeSpan Now => inner.Now;

    public void MemoryBarrier() => inner.MemoryBarrier();

    public void Sleep(TimeSpan duration) => inner.Sleep(duration);
}
