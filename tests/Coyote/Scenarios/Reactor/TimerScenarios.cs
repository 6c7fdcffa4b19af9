using Coyote.Scenarios.Support;
using Pool.Reactor;
using Pool.Systematic;
using Pool.Threading;

namespace Coyote.Scenarios.Reactor;

/// <summary>
/// The event loop and its timers under the explorer, with virtual time: no fire after a cancel is processed,
/// a self-cancelled repeating timer never fires again, cancelling a fired timer is harmless, and quitting
/// loses no queued functor.
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
}
