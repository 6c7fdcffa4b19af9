using Pool.Systematic;
using Pool.Threading;

namespace Coyote.Tests.Engine;

public class EngineSmokeTests
{
    private static void LostUpdate(IThreading threading)
    {
        var counter = threading.CreateAtomic();
        void Increment()
        {
            var seen = counter.Read();
            counter.Write(seen + 1);
        }
        var a = threading.Start(Increment, "a");
        var b = threading.Start(Increment, "b");
        a.Join();
        b.Join();
        if (counter.Read() != 2)
        {
            throw new InvalidOperationException($"lost update: counter is {counter.Read()}");
        }
    }

    [Theory]
    [InlineData(Strategy.Random)]
    [InlineData(Strategy.Pct)]
    [InlineData(Strategy.Portfolio)]
    [InlineData(Strategy.Dfs)]
    public void FindsLostUpdate(Strategy strategy)
    {
        var report = Explorer.Run(
            LostUpdate,
            new ExplorationOptions { Strategy = strategy, Iterations = 200 }
        );
        Assert.True(report.BugFound, OptionNames.Of(strategy));
        Assert.Contains("lost update", report.BugMessage);
        Assert.True(report.Preemptions <= report.OriginalPreemptions);
        var replay = Explorer.Replay(LostUpdate, report.Trace!);
        Assert.True(replay.BugFound);
        Assert.Equal(report.BugMessage, replay.BugMessage);
        Assert.NotEmpty(replay.Interleaving);
    }

    [Fact]
    public void FindsLockOrderDeadlock()
    {
        static void Test(IThreading threading)
        {
            var first = threading.CreateLock();
            var second = threading.CreateLock();
            var a = threading.Start(
                () =>
                {
                    first.Enter();
                    second.Enter();
                    second.Exit();
                    first.Exit();
                },
                "a"
            );
            second.Enter();
            first.Enter();
            first.Exit();
            second.Exit();
            a.Join();
        }
        var report = Explorer.Run(
            Test,
            new ExplorationOptions { Strategy = Strategy.Random, Iterations = 500 }
        );
        Assert.Equal(BugKind.Deadlock, report.BugKind);
    }

    [Fact]
    public void VirtualTimeJumpsOverSleeps()
    {
        static void Test(IThreading threading)
        {
            var start = threading.Now;
            threading.Sleep(TimeSpan.FromSeconds(10));
            if (threading.Now - start != TimeSpan.FromSeconds(10))
            {
                throw new InvalidOperationException("time did not advance by 10 s");
            }
        }
        var report = Explorer.Run(Test, new ExplorationOptions { Iterations = 10 });
        Assert.False(report.BugFound, report.BugMessage);
        Assert.Equal(10, report.Iterations);
    }

    [Fact]
    public void DfsEnumeratesTwoThreadsOfTwoSteps()
    {
        static void Test(IThreading threading)
        {
            var x = threading.CreateAtomic();
            var a = threading.Start(() =>
            {
                x.Add(1);
                x.Add(1);
            });
            var b = threading.Start(() =>
            {
                x.Add(1);
                x.Add(1);
            });
            a.Join();
            b.Join();
        }
        var report = Explorer.Run(
            Test,
            new ExplorationOptions { Strategy = Strategy.Dfs, Iterations = 100000 }
        );
        Assert.True(report.Exhausted);
        Assert.False(report.BugFound);
        Assert.Equal(report.Iterations, report.DistinctSchedules);
    }

    [Fact]
    public void WatchdogReportsUncontrolledBlocking()
    {
        static void Test(IThreading threading)
        {
            using var never = new ManualResetEventSlim(false);
            never.Wait(TimeSpan.FromSeconds(5));
        }
        var report = Explorer.Run(
            Test,
            new ExplorationOptions { Iterations = 1, Watchdog = TimeSpan.FromMilliseconds(200) }
        );
        Assert.Equal(BugKind.UncontrolledBlocking, report.BugKind);
    }
}
