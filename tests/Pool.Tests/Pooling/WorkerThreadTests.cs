namespace Pool.Tests.Pooling;

/// <summary>Workers are background threads named after the pool's order of starting them, as a debugger shows them.</summary>
public class WorkerThreadTests
{
    [Fact]
    public void A_task_runs_on_a_named_background_worker()
    {
        var pool = new global::Pool.ThreadPool(2);
        using var ran = new CountdownEvent(2);
        var seen = new System.Collections.Concurrent.ConcurrentBag<(
            string? Name,
            bool Background
        )>();
        using var both = new Barrier(2);
        for (var i = 0; i < 2; i++)
        {
            pool.Schedule(() =>
            {
                // Both tasks meet, so each runs on its own worker.
                Assert.True(both.SignalAndWait(Wait.Limit), "the two workers never met");
                seen.Add((Thread.CurrentThread.Name, Thread.CurrentThread.IsBackground));
                ran.Signal();
            });
        }
        Wait.For(ran);
        pool.Destroy();
        Assert.Equal(
            [("pool-worker-1", true), ("pool-worker-2", true)],
            seen.OrderBy(s => s.Name, StringComparer.Ordinal)
        );
    }
}
