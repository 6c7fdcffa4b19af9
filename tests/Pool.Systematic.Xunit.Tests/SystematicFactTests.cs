using Pool.Threading;

namespace Pool.Systematic.Xunit.Tests;

/// <summary>
/// [SystematicFact] tests as a user writes them, run by xunit's pipeline through the package's test case. Each counts
/// the iterations that ran its body, and disposing the class (after the test, a failure of the test when it throws)
/// checks that the body ran under the explorer many times: a test the package did not explore cannot pass.
/// Instance methods, so that xunit creates and disposes the class; the package's tests of static methods are the
/// package test (tests/Pool.Tests/Packaging/XunitConsumerTests.cs).
/// </summary>
public sealed class SystematicFactTests : IDisposable
{
    private int _iterations;

    public void Dispose() =>
        Assert.True(_iterations > 1, $"the body ran {_iterations} times: it was not explored");

    [SystematicFact(Iterations = 300, Seed = 1)]
    public void LockedIncrementsAreNeverLost(IThreading threading)
    {
        _iterations++;
        Counters.Increment(threading, locked: true);
    }

    [SystematicFact(Strategy = "dfs", PreemptionBound = 2)]
    public void DfsWithinItsPreemptionBoundFindsNoLostUpdate(IThreading threading)
    {
        _iterations++;
        Counters.Increment(threading, locked: true);
    }

    [SystematicFact(Iterations = 200, Strategy = "pct", MemoryModel = "tso", Seed = 7)]
    public void PublishedDataIsSeenWithItsFlagUnderTso(IThreading threading)
    {
        _iterations++;
        Counters.PublishWithFence(threading);
    }

    /// <summary>One instance of the class for every iteration: the count goes on from one iteration to the next.</summary>
    [SystematicFact(Iterations = 50, Strategy = "random")]
    public void AnInstanceMethodRunsOnceAnIteration(IThreading threading)
    {
        _iterations++;
        Counters.Increment(threading, locked: true);
        Assert.InRange(_iterations, 1, SystematicSettings.Scaled(50, Scale));
    }

    private static double Scale =>
        SystematicSettings.ScaleOf(
            Environment.GetEnvironmentVariable(SystematicSettings.ScaleVariable)
        );
}

/// <summary>Small concurrent bodies: a shared counter and a published flag.</summary>
internal static class Counters
{
    /// <summary>Two threads increment one counter (under a lock when <paramref name="locked"/>); the total must be 2.</summary>
    internal static void Increment(IThreading threading, bool locked)
    {
        var counter = threading.CreateAtomic();
        var gate = threading.CreateLock();
        void Add()
        {
            if (locked)
            {
                gate.Enter();
            }
            counter.Write(counter.Read() + 1);
            if (locked)
            {
                gate.Exit();
            }
        }
        var a = threading.Start(Add, "a");
        var b = threading.Start(Add, "b");
        a.Join();
        b.Join();
        if (counter.Read() != 2)
        {
            throw new InvalidOperationException($"lost update: the counter is {counter.Read()}");
        }
    }

    /// <summary>A writer publishes data then a flag, with a full fence between; a reader that sees the flag must see the data.</summary>
    internal static void PublishWithFence(IThreading threading)
    {
        var data = threading.CreateAtomic();
        var flag = threading.CreateAtomic();
        var writer = threading.Start(
            () =>
            {
                data.Write(42);
                threading.MemoryBarrier();
                flag.Write(1);
            },
            "writer"
        );
        if (flag.Read() == 1 && data.Read() != 42)
        {
            throw new InvalidOperationException("the flag was seen before the data");
        }
        writer.Join();
    }
}
