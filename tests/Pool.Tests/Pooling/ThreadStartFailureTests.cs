namespace Pool.Tests.Pooling;

public class ThreadStartFailureTests
{
    [Fact]
    public void Create_reports_the_cause_and_leaves_nothing_running()
    {
        var threading = new FailingThreading(failOnStart: 3);
        var thrown = Assert.Throws<InvalidOperationException>(() =>
            new ThreadPool(4, 0, threading)
        );
        Assert.IsType<OutOfMemoryException>(thrown.InnerException);
        Assert.Contains("worker 3 of 4", thrown.Message);
        Assert.Equal(2, threading.Started.Count);
        Assert.All(threading.Started, thread => Assert.False(thread.IsAlive));
    }

    [Fact]
    public void Increase_reports_the_cause_and_keeps_the_count()
    {
        var threading = new FailingThreading(failOnStart: 2);
        var pool = new ThreadPool(1, 0, threading);
        var thrown = Assert.Throws<InvalidOperationException>(pool.Increase);
        Assert.IsType<OutOfMemoryException>(thrown.InnerException);
        Assert.Equal(1, pool.ThreadCount);
        using var ran = new ManualResetEventSlim();
        pool.Schedule(ran.Set);
        Wait.For(ran);
        pool.Destroy();
        Assert.All(threading.Started, thread => Assert.False(thread.IsAlive));
    }
}
