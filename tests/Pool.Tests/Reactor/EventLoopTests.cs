using Pool.Reactor;
using Pool.Tests.Pooling;

namespace Pool.Tests.Reactor;

/// <summary>The event loop on a real thread over epoll: functors, wake-ups, quit, timers.</summary>
public sealed class EventLoopTests : IDisposable
{
    private readonly EventLoop _loop = new();
    private Thread? _thread;
    private Exception? _failure;

    private void Start()
    {
        _thread = new Thread(() =>
        {
            try
            {
                _loop.Run();
            }
            catch (Exception exception)
            {
                _failure = exception;
            }
        })
        {
            IsBackground = true,
        };
        _thread.Start();
    }

    private void StopAndJoin()
    {
        _loop.Quit();
        Assert.True(_thread!.Join(Wait.Limit), "the loop did not stop");
        Assert.Null(_failure);
    }

    public void Dispose()
    {
        if (_thread is { IsAlive: true })
        {
            StopAndJoin();
        }
        _loop.Dispose();
    }

    [Fact]
    public void FunctorsFromOtherThreadsRunOnTheLoopInOrder()
    {
        Start();
        var seen = new List<int>();
        var onLoop = new List<bool>();
        using var done = new CountdownEvent(100);
        for (var i = 0; i < 100; i++)
        {
            var value = i;
            _loop.QueueInLoop(() =>
            {
                seen.Add(value);
                onLoop.Add(_loop.IsInLoopThread);
                done.Signal();
            });
        }
        Wait.For(done);
        StopAndJoin();
        Assert.Equal(Enumerable.Range(0, 100), seen);
        Assert.All(onLoop, Assert.True);
        Assert.False(_loop.IsInLoopThread);
    }

    [Fact]
    public void FunctorQueuedByAFunctorRunsWithoutWaitingForAnEvent()
    {
        Start();
        using var done = new ManualResetEventSlim();
        _loop.QueueInLoop(() => _loop.QueueInLoop(done.Set));
        Wait.For(done); // the loop polls with no timeout: only the wake-up of the inner queue can run it
        StopAndJoin();
    }

    [Fact]
    public void RunInLoopOnTheLoopThreadRunsAtOnce()
    {
        Start();
        var order = new List<string>();
        using var done = new ManualResetEventSlim();
        _loop.QueueInLoop(() =>
        {
            _loop.RunInLoop(() => order.Add("inner"));
            order.Add("outer");
            done.Set();
        });
        Wait.For(done);
        StopAndJoin();
        Assert.Equal(["inner", "outer"], order);
    }

    [Fact]
    public void QuitBeforeRunStillRunsQueuedFunctorsThenRefusesMore()
    {
        var ran = 0;
        _loop.QueueInLoop(() => ran++);
        _loop.QueueInLoop(() => _loop.QueueInLoop(() => ran++));
        _loop.Quit();
        _loop.Run();
        Assert.Equal(2, ran);
        Assert.Throws<InvalidOperationException>(() => _loop.QueueInLoop(() => ran++));
        Assert.Throws<InvalidOperationException>(() => _loop.Run());
    }

    [Fact]
    public void QuitFromAnotherThreadLosesNoQueuedFunctor()
    {
        const int producers = 4;
        const int most = 1000; // per producer: one accepted this often waits for the loop to end, then is refused
        Start();
        using var held = new ManualResetEventSlim();
        using var gate = new ManualResetEventSlim();
        using var firstAccepted = new CountdownEvent(producers);
        _loop.QueueInLoop(() =>
        {
            held.Set();
            gate.Wait(Wait.Limit);
        });
        Wait.For(held); // the loop runs a functor: it cannot finish before it returns
        _loop.Quit();
        var ran = 0; // loop thread only
        var accepted = new int[producers];
        var refused = new bool[producers];
        var threads = Enumerable
            .Range(0, producers)
            .Select(p => new Thread(() =>
            {
                for (var attempt = 0; attempt <= most; attempt++)
                {
                    if (attempt == most && !SpinWait.SpinUntil(() => !_thread!.IsAlive, Wait.Limit))
                    {
                        return; // the loop never finished: refused stays false
                    }
                    try
                    {
                        _loop.QueueInLoop(() => ran++);
                    }
                    catch (InvalidOperationException)
                    {
                        refused[p] = true; // the loop finished: refused, not lost
                        return;
                    }
                    if (++accepted[p] == 1)
                    {
                        firstAccepted.Signal();
                        gate.Wait(Wait.Limit); // the rest races the loop's finish
                    }
                }
            })
            {
                IsBackground = true,
            })
            .ToList();
        threads.ForEach(t => t.Start());
        Wait.For(firstAccepted); // every producer had work accepted after the quit
        gate.Set(); // the loop finishes while the producers keep queuing
        Assert.True(_thread!.Join(Wait.Limit), "the loop did not stop");
        Assert.All(threads, t => Assert.True(t.Join(Wait.Limit), "a producer did not stop"));
        Assert.Null(_failure);
        Assert.All(accepted, a => Assert.InRange(a, 1, most));
        Assert.All(refused, r => Assert.True(r, "a producer was never refused"));
        Assert.Equal(accepted.Sum(), ran);
    }

    [Fact]
    public void TimersFireInDeadlineOrderAndRepeat()
    {
        Start();
        var fired = new List<string>();
        using var done = new ManualResetEventSlim();
        var now = _loop.Now;
        _loop.RunAt(now + TimeSpan.FromMilliseconds(30), () => fired.Add("30"));
        _loop.RunAt(now + TimeSpan.FromMilliseconds(10), () => fired.Add("10"));
        _loop.RunAt(now + TimeSpan.FromMilliseconds(20), () => fired.Add("20"));
        var repeats = 0;
        TimerId every = default;
        every = _loop.RunEvery(
            TimeSpan.FromMilliseconds(5),
            () =>
            {
                if (++repeats == 3)
                {
                    _loop.Cancel(every);
                    _loop.RunAfter(TimeSpan.FromMilliseconds(40), done.Set);
                }
            }
        );
        Wait.For(done);
        StopAndJoin();
        Assert.Equal(["10", "20", "30"], fired);
        Assert.Equal(3, repeats);
    }

    [Fact]
    public void CancelledTimerNeverFiresAndCancellingAFiredTimerIsHarmless()
    {
        Start();
        var cancelledFired = false;
        using var first = new ManualResetEventSlim();
        using var last = new ManualResetEventSlim();
        var cancelled = _loop.RunAfter(TimeSpan.FromMilliseconds(20), () => cancelledFired = true);
        _loop.Cancel(cancelled);
        var fired = _loop.RunAfter(TimeSpan.FromMilliseconds(1), first.Set);
        Wait.For(first);
        _loop.Cancel(fired); // already fired: no effect
        _loop.Cancel(new TimerId(12345)); // never existed: no effect
        _loop.RunAfter(TimeSpan.FromMilliseconds(40), last.Set);
        Wait.For(last);
        StopAndJoin();
        Assert.False(cancelledFired);
    }

    [Fact]
    public void CancelFromAnotherThreadWhileTheCallbackRunsStopsTheRepeat()
    {
        Start();
        using var inCallback = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        using var cancelProcessed = new ManualResetEventSlim();
        var runs = 0;
        var firedAfterCancel = false;
        var id = _loop.RunEvery(
            TimeSpan.FromMilliseconds(1),
            () =>
            {
                firedAfterCancel |= cancelProcessed.IsSet;
                if (++runs == 1)
                {
                    inCallback.Set();
                    release.Wait(Wait.Limit);
                }
            }
        );
        Wait.For(inCallback);
        _loop.Cancel(id); // queued while the callback runs
        _loop.QueueInLoop(cancelProcessed.Set); // runs after the cancel (FIFO)
        release.Set();
        Wait.For(cancelProcessed);
        using var settle = new ManualResetEventSlim();
        _loop.RunAfter(TimeSpan.FromMilliseconds(20), settle.Set);
        Wait.For(settle);
        StopAndJoin();
        Assert.False(firedAfterCancel);
    }

    [Fact]
    public void MisuseIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _loop.RunEvery(TimeSpan.Zero, () => { }));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            _loop.RunAfter(TimeSpan.FromSeconds(-1), () => { })
        );
        Assert.Throws<ArgumentNullException>(() => _loop.QueueInLoop(null!));
        Start();
        Wait.Until(() => _thread!.IsAlive, "the loop thread runs");
        using var running = new ManualResetEventSlim();
        _loop.QueueInLoop(running.Set);
        Wait.For(running);
        Assert.Throws<InvalidOperationException>(() => _loop.Dispose());
        StopAndJoin();
    }
}
