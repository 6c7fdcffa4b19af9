using Pool.Reactor;
using Pool.Scenarios.Network;
using Pool.Scenarios.Support;
using Pool.Systematic;
using Pool.Threading;

namespace Pool.Scenarios;

/// <summary>
/// The event loop and its timers under the explorer, with virtual time: no fire after a cancel is processed,
/// a self-cancelled repeating timer never fires again, cancelling a fired timer is harmless, and quitting
/// loses no queued functor, timers added from two threads at once get distinct ids, and a functor queued from a
/// functor (or from another thread while the loop runs functors) runs even when nothing else wakes the loop.
/// </summary>
public static partial class TimerScenarios
{
    private static (EventLoop Loop, IThreadHandle Thread) StartLoop(IThreading threading)
    {
        var network = new SimulatedNetwork(threading);
        var loop = new EventLoop(threading, network, network);
        return (loop, threading.Start(loop.Run, "loop"));
    }

    /// <summary>A repeating timer cancels itself from its first callback.</summary>
    [SystematicTest(CiIterations = 500)]
    public static void TimerCancelFromItsOwnCallback(IThreading threading)
    {
        var (loop, thread) = StartLoop(threading);
        var fired = 0;
        TimerId id = default;
        id = loop.RunEvery(
            TimeSpan.FromSeconds(1),
            () =>
            {
                fired++;
                loop.Cancel(id);
            }
        );
        loop.RunAfter(TimeSpan.FromSeconds(5), loop.Quit);
        thread.Join();
        Check.That(fired == 1, $"a self-cancelled repeating timer fired {fired} times");
    }

    /// <summary>Another thread cancels a repeating timer while it may be firing.</summary>
    [SystematicTest(CiIterations = 1000)]
    public static void TimerCancelFromAnotherThreadWhileItFires(IThreading threading)
    {
        var (loop, thread) = StartLoop(threading);
        var cancelProcessed = false;
        var firedAfterCancel = false;
        var id = loop.RunEvery(TimeSpan.FromSeconds(1), () => firedAfterCancel |= cancelProcessed);
        var canceller = threading.Start(
            () =>
            {
                threading.Sleep(TimeSpan.FromSeconds(2));
                loop.Cancel(id);
                loop.QueueInLoop(() => cancelProcessed = true); // after the cancel: functors run in order
            },
            "canceller"
        );
        loop.RunAfter(TimeSpan.FromSeconds(6), loop.Quit);
        canceller.Join();
        thread.Join();
        Check.That(cancelProcessed, "the cancel was processed before the loop quit");
        Check.That(!firedAfterCancel, "the timer fired after its cancel was processed");
    }

    /// <summary>A one-shot timer fires, then is cancelled (no effect); a later timer still fires.</summary>
    [SystematicTest(CiIterations = 500)]
    public static void CancelOfAFiredTimer(IThreading threading)
    {
        var (loop, thread) = StartLoop(threading);
        var first = 0;
        var second = 0;
        var id = loop.RunAfter(TimeSpan.FromSeconds(1), () => first++);
        var canceller = threading.Start(
            () =>
            {
                threading.Sleep(TimeSpan.FromSeconds(2));
                loop.Cancel(id);
                loop.RunAfter(TimeSpan.FromSeconds(1), () => second++);
            },
            "canceller"
        );
        loop.RunAfter(TimeSpan.FromSeconds(10), loop.Quit);
        canceller.Join();
        thread.Join();
        Check.That(
            first == 1 && second == 1,
            $"timers fired {first} and {second} times, not once each"
        );
    }

    /// <summary>Two threads queue functors while a third quits the loop: every accepted functor runs.</summary>
    [SystematicTest(CiIterations = 1000)]
    public static void LoopQuitWithPendingFunctors(IThreading threading)
    {
        var (loop, thread) = StartLoop(threading);
        var accepted = threading.CreateAtomic();
        var ran = 0;
        var producers = Enumerable
            .Range(0, 2)
            .Select(p =>
                threading.Start(
                    () =>
                    {
                        for (var i = 0; i < 2; i++)
                        {
                            try
                            {
                                loop.QueueInLoop(() => ran++);
                                accepted.Add(1);
                            }
                            catch (InvalidOperationException)
                            {
                                return; // refused after the loop finished: not lost
                            }
                        }
                    },
                    $"producer-{p}"
                )
            )
            .ToList();
        loop.Quit();
        thread.Join();
        producers.ForEach(p => p.Join());
        Check.That(ran == accepted.Read(), $"{accepted.Read()} functors accepted but {ran} ran");
    }

    /// <summary>
    /// Two threads add timers to one loop at the same moment, each a timer that fires and one it cancels: the four
    /// ids are distinct, each kept timer fires once and no cancelled one fires (a shared id would cancel, or
    /// replace, the other thread's timer).
    /// </summary>
    [SystematicTest(CiIterations = 500)]
    public static void TimersAddedFromTwoThreads(IThreading threading)
    {
        var (loop, thread) = StartLoop(threading);
        var fired = new int[2];
        var cancelledFired = new int[2];
        var ids = new TimerId[4];
        var adders = Enumerable
            .Range(0, 2)
            .Select(t =>
                threading.Start(
                    () =>
                    {
                        ids[2 * t] = loop.RunAfter(TimeSpan.FromSeconds(1), () => fired[t]++);
                        ids[2 * t + 1] = loop.RunAfter(
                            TimeSpan.FromSeconds(2),
                            () => cancelledFired[t]++
                        );
                        loop.Cancel(ids[2 * t + 1]);
                    },
                    $"adder-{t}"
                )
            )
            .ToList();
        adders.ForEach(a => a.Join());
        loop.RunAfter(TimeSpan.FromSeconds(5), loop.Quit);
        thread.Join();
        Check.That(
            ids.Distinct().Count() == ids.Length,
            $"timer ids are distinct, got [{string.Join(", ", ids.Select(i => i.Value))}]"
        );
        for (var t = 0; t < 2; t++)
        {
            Check.That(fired[t] == 1, $"adder {t}'s timer fired {fired[t]} times, not once");
            Check.That(
                cancelledFired[t] == 0,
                $"adder {t}'s cancelled timer fired {cancelledFired[t]} times"
            );
        }
    }

    /// <summary>
    /// On an idle loop (no timer, no socket: its poll waits without a timeout) a functor queues a functor, which
    /// queues a third: each must run, so the loop has to wake itself while it runs functors. The main thread
    /// waits for the last one before it quits the loop; a lost wake-up is a deadlock.
    /// </summary>
    [SystematicTest(CiIterations = 300)]
    public static void FunctorQueuedFromAFunctorOnAnIdleLoop(IThreading threading)
    {
        var (loop, thread) = StartLoop(threading);
        var ran = new Latch(threading, 1);
        var order = new List<int>();
        loop.QueueInLoop(() =>
        {
            order.Add(1);
            loop.QueueInLoop(() =>
            {
                order.Add(2);
                loop.QueueInLoop(() =>
                {
                    order.Add(3);
                    ran.CountDown();
                });
            });
        });
        ran.Await(); // nothing else wakes the loop: no timer is armed and no descriptor is registered
        loop.Quit();
        thread.Join();
        Check.That(order.SequenceEqual([1, 2, 3]), $"functors ran as [{string.Join(", ", order)}]");
    }

    /// <summary>
    /// Another thread queues two functors back to back while the loop may be running the first, on an idle loop:
    /// the second must still wake it (the loop re-arms its wake-up before it takes the queued functors).
    /// </summary>
    [SystematicTest(CiIterations = 500)]
    public static void FunctorsQueuedWhileTheLoopRunsFunctors(IThreading threading)
    {
        var (loop, thread) = StartLoop(threading);
        var ran = new Latch(threading, 2);
        var producer = threading.Start(
            () =>
            {
                loop.QueueInLoop(ran.CountDown);
                loop.QueueInLoop(ran.CountDown);
            },
            "producer"
        );
        ran.Await(); // no timer, no socket: only the functors' wake-ups end the loop's poll
        loop.Quit();
        producer.Join();
        thread.Join();
    }
}
