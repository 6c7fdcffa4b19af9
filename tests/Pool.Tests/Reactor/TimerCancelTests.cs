using Pool.Reactor;
using Pool.Tests.Pooling;

namespace Pool.Tests.Reactor;

/// <summary>A cancel processed on the loop wins over a timer already due in the same round.</summary>
public class TimerCancelTests
{
    [Fact]
    public void A_timer_cancelled_by_another_due_at_the_same_time_never_fires()
    {
        using var running = new RunningLoop();
        var loop = running.Loop;
        var fired = new List<string>(); // loop thread only
        using var later = new ManualResetEventSlim();
        loop.QueueInLoop(() =>
        {
            // Both are due at one deadline, so one round takes both; whichever runs first cancels the other.
            var due = loop.Now + TimeSpan.FromMilliseconds(20);
            TimerId first = default,
                second = default;
            first = loop.RunAt(
                due,
                () =>
                {
                    fired.Add("first");
                    loop.Cancel(second);
                }
            );
            second = loop.RunAt(
                due,
                () =>
                {
                    fired.Add("second");
                    loop.Cancel(first);
                }
            );
            // Timers fire in deadline order: once this one ran, a timer due earlier that was still armed has run.
            loop.RunAt(due + TimeSpan.FromMilliseconds(20), later.Set);
        });
        Wait.For(later);
        var seen = new List<string>();
        using var read = new ManualResetEventSlim();
        loop.QueueInLoop(() =>
        {
            seen.AddRange(fired);
            read.Set();
        });
        Wait.For(read);
        Assert.Single(seen);
    }
}
