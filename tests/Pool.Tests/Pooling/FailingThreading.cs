using Pool.Threading;

namespace Pool.Tests.Pooling;

/// <summary>OS threading whose N-th thread start fails, recording every thread it did start.</summary>
internal sealed class FailingThreading(int failOnStart) : IThreading
{
    private readonly IThreading _os = OsThreading.Instance;
    private int _starts;

    public List<Thread> Started { get; } = [];

    public IThreadHandle Start(Action body, string? name = null) => Start(body, name, 0);

    public IThreadHandle Start(Action body, string? name, int stackSize)
    {
        if (++_starts == failOnStart)
        {
            throw new OutOfMemoryException("simulated: no memory for another thread");
        }
        var started = new ManualResetEventSlim();
        Thread? thread = null;
        var handle = _os.Start(
            () =>
            {
                thread = Thread.CurrentThread;
                started.Set();
                body();
            },
            name,
            stackSize
        );
        started.Wait();
        Started.Add(thread!);
        return handle;
    }

    public ILock CreateLock() => _os.CreateLock();

    public ICondition CreateCondition(ILock lockObject) => _os.CreateCondition(lockObject);

    public void Yield() => _os.Yield();

    public IThreadLocal<T> CreateThreadLocal<T>() => _os.CreateThreadLocal<T>();

    public IAtomicInt64 CreateAtomic(long initialValue = 0) => _os.CreateAtomic(initialValue);

    public TimeSpan Now => _os.Now;

    public void Sleep(TimeSpan duration) => _os.Sleep(duration);
}
