using Pool.Tests.Pooling;

namespace Pool.Tests.Executors;

/// <summary>
/// A serial queue runs one session at a time even when another worker is free: the free worker must park while the
/// queue's first session runs, with the second session not started.
/// </summary>
public class SerialQueueTests
{
    [Fact]
    public void The_free_worker_parks_while_a_serial_session_runs_and_the_next_one_waits()
    {
        var threading = new WaitRecordingThreading();
        var executor = new global::Pool.Executor(0, threading: threading);
        var queue = executor.CreateQueue("serial", serial: true);
        using var firstStarted = new ManualResetEventSlim();
        using var releaseFirst = new ManualResetEventSlim();
        using var secondRan = new ManualResetEventSlim();
        Thread? firstThread = null;
        var secondStartedWhileFirstRan = false;
        queue.Submit(() =>
        {
            firstThread = Thread.CurrentThread;
            firstStarted.Set();
            Assert.True(releaseFirst.Wait(Wait.Limit), "the test never released the first session");
        });
        queue.Submit(() =>
        {
            secondStartedWhileFirstRan = !releaseFirst.IsSet;
            secondRan.Set();
        });
        executor.Increase();
        executor.Increase();

        Wait.For(firstStarted);
        // The other worker either parks (the queue's one pool task is taken) or, if the queue wrongly had a second
        // pool task, runs the second session first: either way this wait ends, and the flag tells which.
        Wait.Until(
            () =>
                secondRan.IsSet
                || threading.WaitingThreads.Any(t =>
                    t != firstThread
                    && t.Name?.StartsWith("pool-worker-", StringComparison.Ordinal) == true
                ),
            "the second worker parked or ran the second session"
        );
        Assert.False(secondRan.IsSet, "the second session started while the first still ran");

        releaseFirst.Set();
        Wait.For(secondRan);
        Assert.False(secondStartedWhileFirstRan);
        executor.Destroy();
    }
}
