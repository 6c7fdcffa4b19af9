using Pool.Tests.Pooling;
using Pool.Threading;

namespace Pool.Tests;

/// <summary>
/// The production threading (<see cref="OsThreading"/>): what its locks, conditions, threads, thread-locals and
/// atomics do. Every wait is bounded: a thread's body signals when it ends, and only then is the thread joined.
/// </summary>
public class OsThreadingTests
{
    private readonly IThreading _threading = OsThreading.Instance;

    // Starts body on a thread of the production threading; Finish waits (bounded) for it to end, then joins it.
    private (IThreadHandle Handle, ManualResetEventSlim Ended) Start(
        Action body,
        string? name = null
    )
    {
        var ended = new ManualResetEventSlim();
        var handle = _threading.Start(
            () =>
            {
                try
                {
                    body();
                }
                finally
                {
                    ended.Set();
                }
            },
            name
        );
        return (handle, ended);
    }

    private static void Finish((IThreadHandle Handle, ManualResetEventSlim Ended) thread) =>
        Finish(thread, "a started thread to end");

    private static void Finish(
        (IThreadHandle Handle, ManualResetEventSlim Ended) thread,
        string what
    )
    {
        Assert.True(thread.Ended.Wait(Wait.Limit), $"timed out waiting for {what}");
        thread.Handle.Join(); // its body has returned: the join only waits for the thread to exit
        thread.Ended.Dispose();
    }

    [Fact]
    public void Condition_wait_without_lock_throws()
    {
        var gate = _threading.CreateLock();
        var condition = _threading.CreateCondition(gate);
        Assert.Throws<SynchronizationLockException>(() => condition.Wait());
        Assert.Throws<SynchronizationLockException>(() => condition.Wait(TimeSpan.Zero));
    }

    [Fact]
    public void A_condition_needs_a_lock_of_the_same_threading() =>
        Assert.Throws<ArgumentException>(() => _threading.CreateCondition(new ForeignLock()));

    [Fact]
    public void Lock_recursion_throws_and_leaves_the_lock_held_once()
    {
        var gate = _threading.CreateLock();
        gate.Enter();
        Assert.Throws<LockRecursionException>(() => gate.Enter());
        gate.Exit();
        // Had the refused Enter been counted, the lock would still be held and this thread would never get it.
        Finish(
            Start(() =>
            {
                gate.Enter();
                gate.Exit();
            }),
            "another thread to enter the lock after its one exit"
        );
    }

    [Fact]
    public void Signal_by_lock_holder_wakes_the_waiter()
    {
        var gate = _threading.CreateLock();
        var condition = _threading.CreateCondition(gate);
        var ready = false;
        var waiting = false;
        var wakeUps = 0;
        var waiter = Start(() =>
        {
            gate.Enter();
            waiting = true;
            condition.Broadcast();
            while (!ready)
            {
                condition.Wait(); // returns only when signalled: nothing else sets ready
                wakeUps++;
            }
            gate.Exit();
        });
        gate.Enter();
        while (!waiting)
        {
            Assert.True(condition.Wait(Wait.Limit), "timed out waiting for the waiter");
        }
        // The waiter set its flag under the lock and holds it until its Wait releases it: having the lock now,
        // this thread knows the waiter is parked in Wait.
        ready = true;
        condition.Signal();
        gate.Exit();
        Finish(waiter, "the signalled waiter to wake");
        Assert.Equal(1, wakeUps);
    }

    [Fact]
    public void Broadcast_wakes_every_waiter()
    {
        const int waiters = 3;
        var gate = _threading.CreateLock();
        var condition = _threading.CreateCondition(gate);
        var parked = 0;
        var ready = false;
        var threads = Enumerable
            .Range(0, waiters)
            .Select(_ =>
                Start(() =>
                {
                    gate.Enter();
                    parked++;
                    condition.Broadcast(); // tells the main thread; other waiters re-check and wait again
                    while (!ready)
                    {
                        condition.Wait();
                    }
                    gate.Exit();
                })
            )
            .ToList();
        gate.Enter();
        while (parked < waiters)
        {
            Assert.True(condition.Wait(Wait.Limit), "timed out waiting for the waiters");
        }
        ready = true;
        condition.Broadcast();
        gate.Exit();
        threads.ForEach(t => Finish(t, "every waiter to wake from one broadcast"));
    }

    [Fact]
    public void A_timed_wait_with_no_signal_returns_false_holding_the_lock_again()
    {
        var gate = _threading.CreateLock();
        var condition = _threading.CreateCondition(gate);
        gate.Enter();
        Assert.False(condition.Wait(TimeSpan.Zero));
        Assert.False(condition.Wait(TimeSpan.FromMilliseconds(1)));
        Assert.Throws<LockRecursionException>(() => gate.Enter()); // the wait re-entered the lock
        Assert.Throws<ArgumentOutOfRangeException>(() => condition.Wait(TimeSpan.FromTicks(-1)));
        gate.Exit();
    }

    [Fact]
    public void A_signal_with_no_waiter_is_not_kept_for_a_later_wait()
    {
        var gate = _threading.CreateLock();
        var condition = _threading.CreateCondition(gate);
        condition.Signal();
        condition.Broadcast();
        gate.Enter();
        Assert.False(condition.Wait(TimeSpan.Zero));
        gate.Exit();
    }

    [Fact]
    public void Self_join_throws()
    {
        Exception? seen = null;
        IThreadHandle? self = null;
        var gate = _threading.CreateLock();
        var condition = _threading.CreateCondition(gate);
        var thread = Start(() =>
        {
            gate.Enter();
            while (self is null)
            {
                if (!condition.Wait(Wait.Limit))
                {
                    break;
                }
            }
            gate.Exit();
            seen = Record.Exception(() => self?.Join());
        });
        gate.Enter();
        self = thread.Handle;
        condition.Broadcast();
        gate.Exit();
        Finish(thread);
        Assert.NotNull(self);
        Assert.IsType<InvalidOperationException>(seen);
    }

    [Fact]
    public void Started_threads_are_named_background_threads()
    {
        string? name = null;
        var background = false;
        var thread = Start(
            () =>
            {
                name = Thread.CurrentThread.Name;
                background = Thread.CurrentThread.IsBackground;
            },
            "os-threading-test"
        );
        Finish(thread);
        Assert.Equal("os-threading-test", name);
        Assert.True(background, "a started thread must not keep the process alive");
    }

    [Fact]
    public void Thread_local_values_are_per_thread()
    {
        var local = _threading.CreateThreadLocal<string>();
        local.Value = "main";
        string? other = "unset";
        string? otherAfterSet = null;
        Finish(
            Start(() =>
            {
                other = local.Value;
                local.Value = "other";
                otherAfterSet = local.Value;
            })
        );
        Assert.Null(other);
        Assert.Equal("other", otherAfterSet);
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
        atomic.Write(-4);
        Assert.Equal(-4, atomic.ReadRelaxed());
        atomic.WriteRelaxed(long.MaxValue);
        Assert.Equal(long.MaxValue, atomic.Read());
        Assert.Equal(0, _threading.CreateAtomic().Read());
    }

    [Fact]
    public void Negative_sleep_and_stack_size_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _threading.Sleep(TimeSpan.FromTicks(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => _threading.Start(() => { }, null, -1));
        Assert.Throws<ArgumentNullException>(() => _threading.Start(null!));
    }

    private sealed class ForeignLock : ILock
    {
        public void Enter() { }

        public void Exit() { }
    }
}
