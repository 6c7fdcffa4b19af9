using Pool.Threading;

namespace Pool.Tests;

public class OsThreadingTests
{
    private readonly IThreading _threading = OsThreading.Instance;

    [Fact]
    public void Condition_wait_without_lock_throws()
    {
        var gate = _threading.CreateLock();
        var condition = _threading.CreateCondition(gate);
        Assert.Throws<SynchronizationLockException>(() => condition.Wait());
    }

    [Fact]
    public void Lock_recursion_throws()
    {
        var gate = _threading.CreateLock();
        gate.Enter();
        Assert.Throws<LockRecursionException>(() => gate.Enter());
        gate.Exit();
    }

    [Fact]
    public void Signal_by_lock_holder_wakes_the_waiter()
    {
        var gate = _threading.CreateLock();
        var condition = _threading.CreateCondition(gate);
        var ready = false;
        var waiting = false;
        var waiter = _threading.Start(() =>
        {
            gate.Enter();
            waiting = true;
            condition.Broadcast();
            while (!ready)
            {
                condition.Wait();
            }
            gate.Exit();
        });
        gate.Enter();
        while (!waiting)
        {
            condition.Wait();
        }
        ready = true;
        condition.Signal();
        gate.Exit();
        waiter.Join();
        Assert.True(ready);
    }

    [Fact]
    public void Self_join_throws()
    {
        Exception? seen = null;
        IThreadHandle? self = null;
        var gate = _threading.CreateLock();
        var condition = _threading.CreateCondition(gate);
        var handle = _threading.Start(() =>
        {
            gate.Enter();
            while (self is null)
            {
                condition.Wait();
            }
            gate.Exit();
            seen = Record.Exception(() => self.Join());
        });
        gate.Enter();
        self = handle;
        condition.Broadcast();
        gate.Exit();
        handle.Join();
        Assert.IsType<InvalidOperationException>(seen);
    }

    [Fact]
    public void Thread_local_values_are_per_thread()
    {
        var local = _threading.CreateThreadLocal<string>();
        local.Value = "main";
        string? other = "unset";
        _threading.Start(() => other = local.Value).Join();
        Assert.Null(other);
        Assert.Equal("main", local.Value);
    }

    [Fact]
    public void Atomic_operations_return_documented_values()
    {
        var atomic = _threading.CreateAtomic(5);
        Assert.Equal(7, atomic.Add(2));
        Assert.Equal(7, atomic.Exchange(1));
        Assert.Equal(1, atomic.CompareExchange(9, 3));
        Assert.Equal(1, atomic.Read());
        Assert.Equal(1, atomic.CompareExchange(9, 1));
        Assert.Equal(9, atomic.Read());
    }

    [Fact]
    public void Negative_sleep_and_stack_size_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _threading.Sleep(TimeSpan.FromTicks(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => _threading.Start(() => { }, null, -1));
    }
}
