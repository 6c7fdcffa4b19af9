using Pool.Tests.Pooling;

namespace Pool.Tests.Executors;

/// <summary>The executor steers its own pool's size, as the reference's <c>increase_thread</c> and <c>decrease_thread</c>.</summary>
public class ExecutorThreadCountTests
{
    [Fact]
    public void Increase_starts_a_worker_that_serves_the_queues()
    {
        var executor = new global::Pool.Executor(0);
        var queue = executor.CreateQueue("q");
        using var ran = new ManualResetEventSlim();
        queue.Submit(ran.Set);
        Assert.False(ran.IsSet); // no worker yet: the session waits
        executor.Increase();
        Assert.Equal(1, executor.ThreadCount);
        Wait.For(ran);
        executor.Destroy();
    }

    [Fact]
    public void Decrease_lets_one_idle_worker_leave()
    {
        var executor = new global::Pool.Executor(2);
        executor.Decrease();
        Wait.Until(() => executor.ThreadCount == 1, "one of two workers left");
        var queue = executor.CreateQueue("q");
        using var ran = new ManualResetEventSlim();
        queue.Submit(ran.Set);
        Wait.For(ran);
        executor.Destroy();
        Assert.Equal(0, executor.ThreadCount);
    }

    [Fact]
    public void Increase_after_destroy_is_refused_and_starts_nothing()
    {
        var executor = new global::Pool.Executor(1);
        executor.Destroy();
        Assert.Throws<InvalidOperationException>(executor.Increase);
        Assert.Equal(0, executor.ThreadCount);
    }
}
