using Pool.Threading;

namespace Pool.Systematic.Xunit.Tests;

/// <summary>
/// [SystematicFact] tests as a user writes them, run by xunit's pipeline through the package's test case: each
/// explores its body and passes, which a body the explorer did not run (nothing explored) or an unmet option could not.
/// </summary>
public class SystematicFactTests
{
    private int _instanceIterations;

    [SystematicFact(Iterations = 300, Seed = 1)]
    public static void LockedIncrementsAreNeverLost(IThreading threading) =>
        Counters.Increment(threading, locked: true);

    [SystematicFact(Strategy = "dfs", PreemptionBound = 2)]
    public static void DfsWithinItsPreemptionBoundFindsNoLostUpdate(IThreading threading) =>
        Counters.Increment(threading, locked: true);

    [SystematicFact(Iterations = 200, Strategy = "pct", MemoryModel = "tso", Seed = 7)]
    public static void PublishedDataIsSeenWithItsFlagUnderTso(IThreading threading) =>
        Counters.PublishWithFence(threading);

    /// <summary>An instance method: one instance of the class for every iteration of the exploration.</summary>
    [SystematicFact(Iterations = 50, Strategy = "random")]
    public void AnInstanceMethodRunsOnceAnIteration(IThreading threading)
    {
        _instanceIterations++;
        Counters.Increment(threading, locked: true);
        Assert.InRange(_instanceIterations, 1, 50);
    }
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
