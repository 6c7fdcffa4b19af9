using System.Collections.Concurrent;
using Pool.Threading;

namespace Pool.Tests.Pooling;

/// <summary>
/// OS threading that records every thread parked in a condition wait and how many waits each has begun, so a
/// test can see that a thread is blocked inside the product (a destroyer waiting for busy workers) before it
/// lets the others go on. Everything else is <see cref="OsThreading.Instance"/>.
/// </summary>
internal sealed class WaitRecordingThreading : IThreading
{
    private readonly IThreading _os = OsThreading.Instance;
    private readonly ConcurrentDictionary<Thread, int> _waiting = new();
    private readonly ConcurrentDictionary<Thread, int> _waitsBegun = new();

    /// <summary>True while <paramref name="thread"/> is inside a condition wait.</summary>
    public bool IsWaiting(Thread thread) => _waiting.GetValueOrDefault(thread) > 0;

    /// <summary>The threads inside a condition wait now.</summary>
    public IReadOnlyList<Thread> WaitingThreads =>
        [.. _waiting.Where(entry => entry.Value > 0).Select(entry => entry.Key)];

    /// <summary>How many condition waits <paramref name="thread"/> has begun.</summary>
    public int WaitsBegun(Thread thread) => _waitsBegun.GetValueOrDefault(thread);

    public IThreadHandle Start(Action body, string? name = null) => _os.Start(body, name);

    public IThreadHandle Start(Action body, string? name, int stackSize) =>
        _os.Start(body, name, stackSize);

    public ILock CreateLock() => _os.CreateLock();

    public ICondition CreateCondition(ILock lockObject) =>
        new RecordingCondition(_os.CreateCondition(lockObject), this);

    public void Yield() => _os.Yield();

    public void SpinWait(int iterations) => _os.SpinWait(iterations);

    public int SpinCountBeforeBlocking => _os.SpinCountBeforeBlocking;

    public int SpinCountCeiling => _os.SpinCountCeiling;

    public IThreadLocal<T> CreateThreadLocal<T>() => _os.CreateThreadLocal<T>();

    public IAtomicInt64 CreateAtomic(long initialValue = 0) => _os.CreateAtomic(initialValue);

    public void MemoryBarrier() => _os.MemoryBarrier();

    public TimeSpan Now => _os.Now;

    public void Sleep(TimeSpan duration) => _os.Sleep(duration);

    private T Recorded<T>(Func<T> wait)
    {
        var thread = Thread.CurrentThread;
        _waitsBegun.AddOrUpdate(thread, 1, (_, n) => n + 1);
        _waiting.AddOrUpdate(thread, 1, (_, n) => n + 1);
        try
        {
            return wait();
        }
        finally
        {
            _waiting.AddOrUpdate(thread, 0, (_, n) => n - 1);
        }
    }

    private sealed class RecordingCondition(ICondition inner, WaitRecordingThreading owner)
        : ICondition
    {
        public void Wait() =>
            owner.Recorded(() =>
            {
                inner.Wait();
                return true;
            });

        public bool Wait(TimeSpan timeout) => owner.Recorded(() => inner.Wait(timeout));

        public void Signal() => inner.Signal();

        public void Broadcast() => inner.Broadcast();
    }
}
