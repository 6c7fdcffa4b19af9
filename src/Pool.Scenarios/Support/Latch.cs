using Pool.Threading;

namespace Pool.Scenarios.Support;

/// <summary>A count-down latch over the seam, so that waiting on it is a controlled, explorable block.</summary>
internal sealed class Latch
{
    private readonly ILock _lock;
    private readonly ICondition _zero;
    private int _count;

    public Latch(IThreading threading, int count)
    {
        _lock = threading.CreateLock();
        _zero = threading.CreateCondition(_lock);
        _count = count;
    }

    public void CountDown()
    {
        _lock.Enter();
        if (--_count == 0)
        {
            _zero.Broadcast();
        }
        _lock.Exit();
    }

    public void Await()
    {
        _lock.Enter();
        while (_count > 0)
        {
            _zero.Wait();
        }
        _lock.Exit();
    }
}
