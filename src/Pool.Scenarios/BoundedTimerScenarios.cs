using Pool.Reactor;
using Pool.Scenarios.Network;
using Pool.Scenarios.Support;
using Pool.Systematic;
using Pool.Threading;

namespace Pool.Scenarios;

/// <summary>
/// Small configurations of the event loop's timers, sized so that the <c>dpor</c> search explores every schedule
/// within a preemption bound (tests/Coyote/Tests/Engine/BoundedProofTests.cs).
/// </summary>
public static class BoundedTimerScenarios
{
    /// <summary>
    /// Two threads each add one timer to a running loop at the same moment: the two ids differ, and each timer fires
    /// once (a shared id would make the loop reject the second timer, or one thread's cancel reach the other's).
    /// </summary>
    [SystematicTest(CiIterations = 500)]
    public static void TwoThreadsAddATimerEach(IThreading threading)
    {
        var network = new SimulatedNetwork(threading);
        var loop = new EventLoop(threading, network, network);
        var thread = threading.Start(loop.Run, "loop");
        var ids = new TimerId[2];
        var fired = new int[2];
        var adders = Enumerable
            .Range(0, 2)
            .Select(t =>
                threading.Start(
                    () => ids[t] = loop.RunAfter(TimeSpan.FromSeconds(1), () => fired[t]++),
                    $"adder-{t}"
                )
            )
            .ToList();
        adders.ForEach(a => a.Join());
        loop.RunAfter(TimeSpan.FromSeconds(5), loop.Quit);
        thread.Join();
        Check.That(ids[0] != ids[1], $"both timers got the id {ids[0].Value}");
        Check.That(
            fired[0] == 1 && fired[1] == 1,
            $"the timers fired {fired[0]} and {fired[1]} times, not once each"
        );
    }
}
