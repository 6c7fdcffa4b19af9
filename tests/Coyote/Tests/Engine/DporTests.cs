using Pool.Systematic;
using Pool.Threading;

namespace Coyote.Tests.Engine;

/// <summary>
/// Partial-order reduction measured against plain depth-first search: on small programs where dfs finishes, dpor must
/// reach the same final outcomes and bugs with no more schedules, and exactly the number of classes of equivalent
/// schedules where that number is known.
/// </summary>
public class DporTests
{
    private const int Budget = 100_000;

    /// <summary>A small program: its body returns the outcome it observed, or throws (a bug).</summary>
    public delegate string Program(IThreading threading);

    public static TheoryData<string> Programs => [.. Corpus.Keys];

    public static TheoryData<string> CorrectPrograms =>
        [.. Corpus.Keys.Where(name => !name.StartsWith("bug:", StringComparison.Ordinal))];

    [Theory]
    [MemberData(nameof(Programs))]
    public void ReachesWhatDfsReachesWithNoMoreSchedules(string name)
    {
        var dfs = Explore(name, Strategy.Dfs, bound: null);
        var dpor = Explore(name, Strategy.Dpor, bound: null);
        Assert.Equal(dfs.Report.BugKind, dpor.Report.BugKind);
        if (dfs.Report.BugFound)
        {
            Assert.Equal(dfs.Report.BugMessage, dpor.Report.BugMessage);
            return;
        }
        Assert.True(dfs.Report.Exhausted, $"dfs did not finish {name}: {dfs.Report.Verdict}");
        Assert.True(dpor.Report.Exhausted, $"dpor did not finish {name}: {dpor.Report.Verdict}");
        Assert.Equal(dfs.Outcomes.Order(), dpor.Outcomes.Order());
        Assert.InRange(dpor.Report.Schedules, 1, dfs.Report.Schedules);
    }

    [Theory]
    [MemberData(nameof(CorrectPrograms))]
    public void WithABoundReachesWhatDfsReachesWithinIt(string name)
    {
        foreach (var bound in new[] { 0, 1, 2 })
        {
            var dfs = Explore(name, Strategy.Dfs, bound);
            var dpor = Explore(name, Strategy.Dpor, bound);
            Assert.True(dpor.Report.Exhausted, $"dpor({bound}) did not finish {name}");
            Assert.True(
                dfs.Outcomes.IsSubsetOf(dpor.Outcomes),
                $"{name}, bound {bound}: dfs reached {string.Join(", ", dfs.Outcomes.Except(dpor.Outcomes))} and dpor did not"
            );
            Assert.InRange(dpor.Report.Schedules, 1, dfs.Report.Schedules);
        }
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(3, 6)]
    [InlineData(4, 24)]
    [InlineData(5, 120)]
    public void ThreadsBumpingOneAtomicTakeOneSchedulePerOrder(int threads, int orders)
    {
        var run = Explore(Bumps(threads, shared: true), Strategy.Dpor, bound: null);
        Assert.True(run.Report.Exhausted);
        Assert.Equal(orders, run.Report.Schedules);
        Assert.Equal(0, run.Report.Pruned);
        Assert.Equal(orders, run.Outcomes.Count);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(6)]
    public void ThreadsOnSeparateAtomicsTakeOneSchedule(int threads)
    {
        var run = Explore(Bumps(threads, shared: false), Strategy.Dpor, bound: null);
        Assert.True(run.Report.Exhausted);
        Assert.Equal(1, run.Report.Schedules);
    }

    /// <summary>Where plain dfs does not finish within the budget, dpor runs one schedule per class.</summary>
    [Fact]
    public void RunsOneSchedulePerClassWhereDfsDoesNotFinish()
    {
        var pairs = Explore(TwoPairs, Strategy.Dpor, bound: null);
        Assert.True(pairs.Report.Exhausted);
        Assert.Equal(4, pairs.Report.Schedules); // two orders on each of two atomics
        Assert.Equal(4, pairs.Outcomes.Count);
        var locked = Explore(LockCounter(3), Strategy.Dpor, bound: null);
        Assert.True(locked.Report.Exhausted);
        Assert.Equal(6, locked.Report.Schedules); // the three threads take the lock in each of 3! orders
        Assert.Equal(6, locked.Outcomes.Count);
    }

    [Fact]
    public void AFinishedSearchIsDeterministic()
    {
        var first = Explore(LockCounter(3), Strategy.Dpor, bound: null);
        var second = Explore(LockCounter(3), Strategy.Dpor, bound: null);
        Assert.Equal(first.Report.Schedules, second.Report.Schedules);
        Assert.Equal(first.Report.Pruned, second.Report.Pruned);
        Assert.Equal(first.Report.TotalSteps, second.Report.TotalSteps);
    }

    [Fact]
    public void StoreBufferModelsAreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Explorer.Run(
                _ => { },
                new ExplorationOptions { Strategy = Strategy.Dpor, MemoryModel = MemoryModel.Tso }
            )
        );
        Assert.Contains("dpor explores sequential consistency only", error.Message);
    }

    [Fact]
    public void ABoundOnASamplingStrategyIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Explorer.Run(
                _ => { },
                new ExplorationOptions { Strategy = Strategy.Random, PreemptionBound = 2 }
            )
        );
        Assert.Contains("applies to dfs and dpor only", error.Message);
    }

    [Fact]
    public void ATestThatNeverReachesAPointIsNotExplored()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            Explorer.Run(_ => { }, new ExplorationOptions { Strategy = Strategy.Dpor })
        );
        Assert.StartsWith("Nothing was explored", error.Message);
    }

    [Fact]
    public void TheVerdictSaysWhatWasProved()
    {
        var bounded = Explore(LockCounter(3), Strategy.Dpor, bound: 1).Report;
        Assert.StartsWith("exhaustive: every schedule up to 1 preemption (", bounded.Verdict);
        var cut = Explorer.Run(
            t => LockCounter(3)(t),
            new ExplorationOptions { Strategy = Strategy.Dpor, Iterations = 3 }
        );
        Assert.Equal(SearchEnd.CutByIterations, cut.End);
        Assert.Equal($"cut by the iteration budget after {cut.Schedules} schedules", cut.Verdict);
        Assert.InRange(cut.Schedules, 1, 3);
        var sampled = Explorer.Run(
            t => LockCounter(3)(t),
            new ExplorationOptions { Strategy = Strategy.Random, Iterations = 5 }
        );
        Assert.Equal(SearchEnd.Sampled, sampled.End);
    }

    private static (ExplorationReport Report, HashSet<string> Outcomes) Explore(
        string name,
        Strategy strategy,
        int? bound
    ) => Explore(Corpus[name], strategy, bound);

    private static (ExplorationReport Report, HashSet<string> Outcomes) Explore(
        Program program,
        Strategy strategy,
        int? bound
    )
    {
        var outcomes = new HashSet<string>();
        var report = Explorer.Run(
            threading => outcomes.Add(program(threading)),
            new ExplorationOptions
            {
                Strategy = strategy,
                PreemptionBound = bound,
                Iterations = Budget,
                Minimize = false,
            }
        );
        return (report, outcomes);
    }

    internal static readonly Dictionary<string, Program> Corpus = new()
    {
        ["one atomic, 2 threads"] = Bumps(2, shared: true),
        ["one atomic, 3 threads"] = Bumps(3, shared: true),
        ["store buffering"] = StoreBuffering,
        ["message passing"] = MessagePassing,
        ["lost update"] = LostUpdate,
        ["compare-exchange counter"] = CompareExchangeCounter,
        ["lock counter, 2 threads"] = LockCounter(2),
        ["two locks, 2 threads"] = TwoLocks,
        ["condition hand-off"] = ConditionHandOff,
        ["thread starts thread"] = Chain,
        ["sleepers"] = Sleepers,
        ["data choice"] = DataChoice,
        ["bug: lock order deadlock"] = LockOrderDeadlock,
        ["bug: lost wake-up"] = LostWakeUp,
        ["bug: unlocked check then act"] = CheckThenAct,
    };

    // N threads each add once to one shared atomic (N! orders), or each to its own (one class).
    internal static Program Bumps(int threads, bool shared) =>
        threading =>
        {
            var atomics = Enumerable
                .Range(0, shared ? 1 : threads)
                .Select(_ => threading.CreateAtomic())
                .ToArray();
            var seen = new long[threads];
            var handles = Enumerable
                .Range(0, threads)
                .Select(i =>
                    threading.Start(() => seen[i] = atomics[shared ? 0 : i].Add(1), $"t{i}")
                )
                .ToList();
            handles.ForEach(h => h.Join());
            return string.Join(",", seen);
        };

    private static string TwoPairs(IThreading threading)
    {
        var x = threading.CreateAtomic();
        var y = threading.CreateAtomic();
        var seen = new long[4];
        var handles = new[] { x, x, y, y }
            .Select((atomic, i) => threading.Start(() => seen[i] = atomic.Add(1), $"t{i}"))
            .ToList();
        handles.ForEach(h => h.Join());
        return string.Join(",", seen);
    }

    private static string StoreBuffering(IThreading threading)
    {
        var x = threading.CreateAtomic();
        var y = threading.CreateAtomic();
        long r1 = 0,
            r2 = 0;
        var a = threading.Start(() =>
        {
            x.Write(1);
            r1 = y.Read();
        });
        var b = threading.Start(() =>
        {
            y.Write(1);
            r2 = x.Read();
        });
        a.Join();
        b.Join();
        return $"{r1}{r2}";
    }

    private static string MessagePassing(IThreading threading)
    {
        var data = threading.CreateAtomic();
        var flag = threading.CreateAtomic();
        long seenFlag = 0,
            seenData = 0;
        var writer = threading.Start(() =>
        {
            data.Write(42);
            flag.Write(1);
        });
        var reader = threading.Start(() =>
        {
            seenFlag = flag.Read();
            seenData = data.Read();
        });
        writer.Join();
        reader.Join();
        if (seenFlag == 1 && seenData != 42)
        {
            throw new InvalidOperationException("saw the flag but not the data");
        }
        return $"{seenFlag}/{seenData}";
    }

    private static string LostUpdate(IThreading threading)
    {
        var counter = threading.CreateAtomic();
        void Increment() => counter.Write(counter.Read() + 1);
        var a = threading.Start(Increment);
        var b = threading.Start(Increment);
        a.Join();
        b.Join();
        return counter.Read().ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string CompareExchangeCounter(IThreading threading)
    {
        var counter = threading.CreateAtomic();
        var retries = threading.CreateAtomic();
        void Increment()
        {
            while (true)
            {
                var seen = counter.Read();
                if (counter.CompareExchange(seen + 1, seen) == seen)
                {
                    return;
                }
                retries.Add(1);
            }
        }
        var a = threading.Start(Increment);
        var b = threading.Start(Increment);
        a.Join();
        b.Join();
        if (counter.Read() != 2)
        {
            throw new InvalidOperationException("lost an increment");
        }
        return $"retries {retries.Read()}";
    }

    private static Program LockCounter(int threads) =>
        threading =>
        {
            var gate = threading.CreateLock();
            var counter = threading.CreateAtomic();
            var order = new List<int>();
            var handles = Enumerable
                .Range(0, threads)
                .Select(i =>
                    threading.Start(() =>
                    {
                        gate.Enter();
                        counter.Write(counter.Read() + 1);
                        order.Add(i);
                        gate.Exit();
                    })
                )
                .ToList();
            handles.ForEach(h => h.Join());
            if (counter.Read() != threads)
            {
                throw new InvalidOperationException("lost an increment under the lock");
            }
            return string.Join("", order);
        };

    private static string TwoLocks(IThreading threading)
    {
        var first = threading.CreateLock();
        var second = threading.CreateLock();
        var x = threading.CreateAtomic();
        // Each list is written only under its lock: the outcome is what the locks order, nothing else.
        var underFirst = new List<string>();
        var underSecond = new List<string>();
        var a = threading.Start(() =>
        {
            first.Enter();
            underFirst.Add("a");
            first.Exit();
            second.Enter();
            underSecond.Add("a");
            x.Add(1);
            second.Exit();
        });
        var b = threading.Start(() =>
        {
            second.Enter();
            underSecond.Add("b");
            second.Exit();
            first.Enter();
            underFirst.Add("b");
            x.Add(10);
            first.Exit();
        });
        a.Join();
        b.Join();
        return string.Join("", underFirst) + "|" + string.Join("", underSecond);
    }

    private static string ConditionHandOff(IThreading threading)
    {
        var gate = threading.CreateLock();
        var changed = threading.CreateCondition(gate);
        var ready = threading.CreateAtomic();
        var value = 0L;
        var consumer = threading.Start(() =>
        {
            gate.Enter();
            while (ready.Read() == 0)
            {
                changed.Wait();
            }
            value = ready.Read();
            gate.Exit();
        });
        var producer = threading.Start(() =>
        {
            gate.Enter();
            ready.Write(7);
            changed.Signal();
            gate.Exit();
        });
        consumer.Join();
        producer.Join();
        return $"{value}";
    }

    private static string Chain(IThreading threading)
    {
        var x = threading.CreateAtomic();
        long seen = -1;
        var outer = threading.Start(() =>
        {
            x.Add(1);
            var inner = threading.Start(() => seen = x.Add(10));
            x.Add(100);
            inner.Join();
        });
        var other = x.Add(1000);
        outer.Join();
        return $"{seen}/{other}";
    }

    private static string Sleepers(IThreading threading)
    {
        var x = threading.CreateAtomic();
        var a = threading.Start(() =>
        {
            threading.Sleep(TimeSpan.FromMilliseconds(5));
            x.Write(1);
        });
        var b = threading.Start(() =>
        {
            threading.Sleep(TimeSpan.FromMilliseconds(5));
            x.Write(2);
        });
        var c = threading.Start(() => x.Write(3));
        a.Join();
        b.Join();
        c.Join();
        return $"{x.Read()} at {threading.Now.TotalMilliseconds}";
    }

    private static string DataChoice(IThreading threading)
    {
        var x = threading.CreateAtomic();
        long seen = 0;
        var a = threading.Start(() => x.Write(1 + Nondeterminism.Choose(threading, 2)));
        var b = threading.Start(() => seen = x.Read());
        a.Join();
        b.Join();
        return $"{seen}";
    }

    private static string LockOrderDeadlock(IThreading threading)
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
        return "no deadlock";
    }

    private static string LostWakeUp(IThreading threading)
    {
        var gate = threading.CreateLock();
        var changed = threading.CreateCondition(gate);
        var ready = threading.CreateAtomic();
        var waiter = threading.Start(
            () =>
            {
                if (ready.Read() == 0) // checked without the lock: the signal can come in between
                {
                    gate.Enter();
                    changed.Wait();
                    gate.Exit();
                }
            },
            "waiter"
        );
        ready.Write(1);
        gate.Enter();
        changed.Signal();
        gate.Exit();
        waiter.Join();
        return "woken";
    }

    private static string CheckThenAct(IThreading threading)
    {
        var slot = threading.CreateAtomic();
        var taken = threading.CreateAtomic();
        void Take()
        {
            if (slot.Read() == 0)
            {
                slot.Write(1);
                if (taken.Add(1) > 1)
                {
                    throw new InvalidOperationException("slot taken twice");
                }
            }
        }
        var a = threading.Start(Take, "a");
        var b = threading.Start(Take, "b");
        a.Join();
        b.Join();
        return "once";
    }
}
