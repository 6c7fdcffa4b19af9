using Pool.Systematic;
using Pool.Threading;

namespace Coyote.Teeth;

/// <summary>
/// Small programs with known concurrency bugs, each next to its correct version: the explorer must find
/// every bug and never report one in a correct version (tests/Coyote/Tests/Engine/TeethTests.cs).
/// Usable from the command line too: <c>pool-explore test path/to/Coyote.Teeth.dll -m LostUpdate</c>.
/// </summary>
public static partial class ClassicBugs
{
    /// <summary>Two threads read-then-write a counter: one preemption between the read and the write loses an update.</summary>
    [SystematicTest]
    public static void LostUpdate(IThreading threading) => Counter(threading, locked: false);

    /// <summary>The same increments under a lock.</summary>
    [SystematicTest]
    public static void LostUpdateFixed(IThreading threading) => Counter(threading, locked: true);

    /// <summary>
    /// Two threads take a lock and bump a counter four times each (3 threads, about 30 scheduling points): the test
    /// on which docs/benchmarks.md compares the two engines' iterations per second.
    /// </summary>
    [SystematicTest]
    public static void LockedIncrements(IThreading threading)
    {
        var gate = threading.CreateLock();
        var counter = threading.CreateAtomic();
        void Work()
        {
            for (var i = 0; i < 4; i++)
            {
                gate.Enter();
                counter.Add(1);
                gate.Exit();
            }
        }
        var a = threading.Start(Work, "a");
        var b = threading.Start(Work, "b");
        a.Join();
        b.Join();
        Expect(counter.Read() == 8, $"lost increment: the counter is {counter.Read()}, not 8");
    }

    /// <summary>Two threads take two locks in opposite orders.</summary>
    [SystematicTest]
    public static void LockOrderDeadlock(IThreading threading) =>
        TwoLocks(threading, sameOrder: false);

    /// <summary>Both threads take the locks in the same order.</summary>
    [SystematicTest]
    public static void LockOrderFixed(IThreading threading) => TwoLocks(threading, sameOrder: true);

    /// <summary>
    /// A writer sets x to 1 then 2; a reader reads x twice and fails only if it sees 1 then 2: the reader must
    /// run between the writes and the writer between the reads, two preemptions at exact points (depth 3).
    /// </summary>
    [SystematicTest]
    public static void TwoPreemptionOrdering(IThreading threading) =>
        Ordering(threading, atomicWrites: false);

    /// <summary>The writer does both writes under a lock and the reader both reads under it.</summary>
    [SystematicTest]
    public static void TwoPreemptionOrderingFixed(IThreading threading) =>
        Ordering(threading, atomicWrites: true);

    /// <summary>A one-slot buffer whose waits are guarded by <c>if</c>: a woken consumer may find the slot empty again.</summary>
    [SystematicTest]
    public static void BoundedBufferWithIf(IThreading threading) =>
        BoundedBuffer(
            threading,
            recheck: false,
            broadcast: true,
            producers: 1,
            consumers: 2,
            rounds: 2
        );

    /// <summary>The same buffer with <c>while</c> around each wait.</summary>
    [SystematicTest]
    public static void BoundedBufferWithWhile(IThreading threading) =>
        BoundedBuffer(
            threading,
            recheck: true,
            broadcast: true,
            producers: 1,
            consumers: 2,
            rounds: 2
        );

    /// <summary>
    /// Producers and consumers share one condition and wake each other with <c>Signal</c>: a signal can wake a
    /// thread of the wrong kind, and everyone ends up waiting (a missed wake-up).
    /// </summary>
    [SystematicTest]
    public static void MissedWakeupWithSignal(IThreading threading) =>
        BoundedBuffer(
            threading,
            recheck: true,
            broadcast: false,
            producers: 2,
            consumers: 2,
            rounds: 1
        );

    /// <summary>The same with <c>Broadcast</c>.</summary>
    [SystematicTest]
    public static void MissedWakeupFixedWithBroadcast(IThreading threading) =>
        BoundedBuffer(
            threading,
            recheck: true,
            broadcast: true,
            producers: 2,
            consumers: 2,
            rounds: 1
        );

    private static void Counter(IThreading threading, bool locked)
    {
        var counter = threading.CreateAtomic();
        var gate = threading.CreateLock();
        void Increment()
        {
            if (locked)
            {
                gate.Enter();
            }
            var seen = counter.Read();
            counter.Write(seen + 1);
            if (locked)
            {
                gate.Exit();
            }
        }
        var a = threading.Start(Increment, "a");
        var b = threading.Start(Increment, "b");
        a.Join();
        b.Join();
        Expect(counter.Read() == 2, $"lost update: the counter is {counter.Read()}, not 2");
    }

    private static void TwoLocks(IThreading threading, bool sameOrder)
    {
        var first = threading.CreateLock();
        var second = threading.CreateLock();
        void Take(ILock outer, ILock inner)
        {
            outer.Enter();
            inner.Enter();
            inner.Exit();
            outer.Exit();
        }
        var a = threading.Start(() => Take(first, second), "a");
        var b = threading.Start(
            () => Take(sameOrder ? first : second, sameOrder ? second : first),
            "b"
        );
        a.Join();
        b.Join();
    }

    private static void Ordering(IThreading threading, bool atomicWrites)
    {
        var x = threading.CreateAtomic();
        var gate = threading.CreateLock();
        long first = 0,
            second = 0;
        var writer = threading.Start(
            () =>
            {
                Guarded(
                    gate,
                    atomicWrites,
                    () =>
                    {
                        x.Write(1);
                        x.Write(2);
                    }
                );
            },
            "writer"
        );
        var reader = threading.Start(
            () =>
            {
                Guarded(
                    gate,
                    atomicWrites,
                    () =>
                    {
                        first = x.Read();
                        second = x.Read();
                    }
                );
            },
            "reader"
        );
        writer.Join();
        reader.Join();
        Expect(
            !(first == 1 && second == 2),
            "the reader saw the writer's intermediate state and then its final one"
        );
    }

    private static void Guarded(ILock gate, bool locked, Action body)
    {
        if (locked)
        {
            gate.Enter();
        }
        body();
        if (locked)
        {
            gate.Exit();
        }
    }

    private static void BoundedBuffer(
        IThreading threading,
        bool recheck,
        bool broadcast,
        int producers,
        int consumers,
        int rounds
    )
    {
        var gate = threading.CreateLock();
        var changed = threading.CreateCondition(gate);
        var items = 0;
        void Notify()
        {
            if (broadcast)
            {
                changed.Broadcast();
            }
            else
            {
                changed.Signal();
            }
        }
        void Await(Func<bool> ready)
        {
            if (recheck)
            {
                while (!ready())
                {
                    changed.Wait();
                }
            }
            else if (!ready())
            {
                changed.Wait();
            }
        }
        var threads = new List<IThreadHandle>();
        for (var p = 0; p < producers; p++)
        {
            threads.Add(
                threading.Start(
                    () =>
                    {
                        for (var i = 0; i < consumers * rounds / producers; i++)
                        {
                            gate.Enter();
                            Await(() => items == 0);
                            Expect(items == 0, "a producer put into a full slot");
                            items++;
                            Notify();
                            gate.Exit();
                        }
                    },
                    $"producer-{p}"
                )
            );
        }
        for (var c = 0; c < consumers; c++)
        {
            threads.Add(
                threading.Start(
                    () =>
                    {
                        for (var i = 0; i < rounds; i++)
                        {
                            gate.Enter();
                            Await(() => items == 1);
                            Expect(items == 1, "a consumer took from an empty slot");
                            items--;
                            Notify();
                            gate.Exit();
                        }
                    },
                    $"consumer-{c}"
                )
            );
        }
        threads.ForEach(t => t.Join());
    }

    private static void Expect(bool condition, string failure)
    {
        if (!condition)
        {
            throw new InvalidOperationException(failure);
        }
    }
}
