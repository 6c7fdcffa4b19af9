using Pool.Systematic;
using Pool.Threading;

namespace Coyote.Teeth;

/// <summary>
/// Classic memory-model litmus tests through the seam's atomics. Under sequential consistency none fails; under the
/// explorer's "tso" memory model (x86-TSO) the unfenced store-buffering, Dekker and Peterson tests fail, and their
/// fenced versions and message passing never do; under "pso" message passing with relaxed writes fails too, and with
/// release writes it still does not (tests/Coyote/Tests/Engine/MemoryModelTests.cs).
/// </summary>
public static partial class Litmus
{
    /// <summary>Store buffering: each thread writes its flag, then reads the other's; both reading 0 is a reordering.</summary>
    [SystematicTest]
    public static void StoreBuffering(IThreading threading) =>
        StoreBufferingCase(threading, fenced: false);

    /// <summary>The same with a full fence between the write and the read.</summary>
    [SystematicTest]
    public static void StoreBufferingFenced(IThreading threading) =>
        StoreBufferingCase(threading, fenced: true);

    /// <summary>Dekker's entry: raise my flag, then enter only if the other's is down; both inside is a violation.</summary>
    [SystematicTest]
    public static void Dekker(IThreading threading) => DekkerCase(threading, fenced: false);

    /// <summary>Dekker's entry with the flag raised by an exchange (a full fence).</summary>
    [SystematicTest]
    public static void DekkerFenced(IThreading threading) => DekkerCase(threading, fenced: true);

    /// <summary>Peterson's lock around a counter, with plain (release) writes.</summary>
    [SystematicTest]
    public static void Peterson(IThreading threading) => PetersonCase(threading, fenced: false);

    /// <summary>Peterson's lock with a full fence after the writes of the entry protocol.</summary>
    [SystematicTest]
    public static void PetersonFenced(IThreading threading) =>
        PetersonCase(threading, fenced: true);

    /// <summary>Message passing: data then flag (release writes); a reader that sees the flag must see the data.</summary>
    [SystematicTest]
    public static void MessagePassing(IThreading threading) =>
        MessagePassingCase(threading, relaxed: false);

    /// <summary>
    /// Message passing with relaxed writes: on a weak machine (and under "pso") the flag may be seen before the data.
    /// </summary>
    [SystematicTest]
    public static void MessagePassingRelaxed(IThreading threading) =>
        MessagePassingCase(threading, relaxed: true);

    private static void MessagePassingCase(IThreading threading, bool relaxed)
    {
        var data = threading.CreateAtomic();
        var flag = threading.CreateAtomic();
        var writer = threading.Start(
            () =>
            {
                if (relaxed)
                {
                    data.WriteRelaxed(42);
                    flag.WriteRelaxed(1);
                }
                else
                {
                    data.Write(42);
                    flag.Write(1);
                }
            },
            "writer"
        );
        var reader = threading.Start(
            () =>
            {
                if (flag.Read() == 1)
                {
                    Expect(data.Read() == 42, "saw the flag but not the data");
                }
            },
            "reader"
        );
        writer.Join();
        reader.Join();
    }

    private static void StoreBufferingCase(IThreading threading, bool fenced)
    {
        var x = threading.CreateAtomic();
        var y = threading.CreateAtomic();
        long r1 = -1,
            r2 = -1;
        var a = threading.Start(
            () =>
            {
                x.Write(1);
                Fence(threading, fenced);
                r1 = y.Read();
            },
            "a"
        );
        var b = threading.Start(
            () =>
            {
                y.Write(1);
                Fence(threading, fenced);
                r2 = x.Read();
            },
            "b"
        );
        a.Join();
        b.Join();
        Expect(r1 == 1 || r2 == 1, "both threads read 0: a store was reordered after a load");
    }

    private static void DekkerCase(IThreading threading, bool fenced)
    {
        var flags = new[] { threading.CreateAtomic(), threading.CreateAtomic() };
        var inside = threading.CreateAtomic();
        IThreadHandle Contender(int me) =>
            threading.Start(
                () =>
                {
                    if (fenced)
                    {
                        flags[me].Exchange(1);
                    }
                    else
                    {
                        flags[me].Write(1);
                    }
                    if (flags[1 - me].Read() == 0)
                    {
                        Expect(inside.Add(1) == 1, "both threads are in the critical section");
                        inside.Add(-1);
                    }
                },
                $"contender-{me}"
            );
        var first = Contender(0);
        var second = Contender(1);
        first.Join();
        second.Join();
    }

    private static void PetersonCase(IThreading threading, bool fenced)
    {
        var flags = new[] { threading.CreateAtomic(), threading.CreateAtomic() };
        var turn = threading.CreateAtomic();
        var inside = threading.CreateAtomic();
        IThreadHandle Contender(int me) =>
            threading.Start(
                () =>
                {
                    var other = 1 - me;
                    flags[me].Write(1);
                    turn.Write(other);
                    Fence(threading, fenced);
                    while (flags[other].Read() == 1 && turn.Read() == other)
                    {
                        threading.Yield();
                    }
                    Expect(inside.Add(1) == 1, "both threads are in the critical section");
                    inside.Add(-1);
                    flags[me].Write(0);
                },
                $"contender-{me}"
            );
        var first = Contender(0);
        var second = Contender(1);
        first.Join();
        second.Join();
    }

    private static void Fence(IThreading threading, bool fenced)
    {
        if (fenced)
        {
            threading.MemoryBarrier();
        }
    }

    private static void Expect(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }
}
