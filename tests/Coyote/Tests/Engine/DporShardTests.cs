using System.Globalization;
using Pool.Systematic;
using Pool.Threading;

namespace Coyote.Tests.Engine;

/// <summary>
/// A dpor search split into shards (<see cref="ExplorationOptions.ShardIndex"/> of
/// <see cref="ExplorationOptions.ShardCount"/>): every shard finishes, the shards together reach what the whole search
/// reaches, and no two shards run the same class of equivalent schedules.
/// </summary>
/// <remarks>
/// The engine reports counts, not the schedules themselves, so each program records the accesses it makes to its
/// shared objects (right after each one, before its thread's next scheduling point, so the record's order is the
/// order the schedule ran them in). <see cref="Accesses.Class"/> turns that record into a name of the schedule's
/// class: for every object the order of its writes and, for every read, how many writes came before it. Two schedules
/// have the same name exactly when they differ only in the order of operations that commute.
/// </remarks>
public class DporShardTests
{
    private const int Budget = 100_000;

    /// <summary>A small program: records its accesses in the log it is given and returns the outcome it observed.</summary>
    public delegate string Program(IThreading threading, Accesses log);

    public static TheoryData<string> Programs => [.. Corpus.Keys];

    public static TheoryData<string, int> ProgramsAndShardCounts
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (var name in Corpus.Keys)
            {
                data.Add(name, 2);
                data.Add(name, 3);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ProgramsAndShardCounts))]
    public void ShardsFinishCoverTheWholeSearchAndRunDisjointClasses(string name, int count)
    {
        var whole = Explore(name, bound: null, index: 0, count: 1);
        Assert.True(whole.Report.Exhausted, $"the whole search of {name}: {whole.Report.Verdict}");
        Assert.Equal(whole.Report.Schedules, whole.Classes.Count);
        Assert.Equal(whole.Completed, whole.Classes.Count);
        var shards = Enumerable
            .Range(0, count)
            .Select(index => Explore(name, bound: null, index, count))
            .ToList();
        // A schedule that ends above the split (fewer than SplitDepth + 1 decisions among two or more threads) runs
        // to its end in every shard and is dealt to one: the engine does not say which, so those classes, the ones
        // every shard ran, are checked by count below. Any other class one shard ran is that shard's own.
        var everywhere = shards
            .Skip(1)
            .Aggregate(
                shards[0].Classes.ToHashSet(StringComparer.Ordinal),
                (all, shard) =>
                {
                    all.IntersectWith(shard.Classes);
                    return all;
                }
            );
        for (var index = 0; index < count; index++)
        {
            var shard = shards[index];
            Assert.True(shard.Report.Exhausted, $"shard {index}/{count}: {shard.Report.Verdict}");
            Assert.Equal(shard.Completed, shard.Classes.Count); // no class twice in one shard
            var own = shard.Classes.Except(everywhere).ToList();
            Assert.InRange(shard.Report.Schedules, own.Count, own.Count + everywhere.Count);
            for (var other = index + 1; other < count; other++)
            {
                var both = own.Intersect(shards[other].Classes).ToList();
                Assert.True(
                    both.Count == 0,
                    $"shards {index}/{count} and {other}/{count} both ran {both.Count} classes, e.g. {both.FirstOrDefault()}"
                );
            }
        }
        // Each class of the whole search is one shard's schedule: the shards' schedules add up to the classes.
        var union = shards.SelectMany(s => s.Classes).Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(whole.Classes.Order(StringComparer.Ordinal), union);
        Assert.Equal(whole.Report.Schedules, shards.Sum(s => s.Report.Schedules));
        Assert.Equal(
            whole.Outcomes.Order(StringComparer.Ordinal),
            shards.SelectMany(s => s.Outcomes).Distinct().Order(StringComparer.Ordinal)
        );
    }

    /// <summary>The split divides the work: on a program whose schedules all reach below it, every shard has a part.</summary>
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void EveryShardRunsSchedulesOfItsOwn(int count)
    {
        var parts = Enumerable
            .Range(0, count)
            .Select(index => Explore("lock counter, 3 threads", bound: null, index, count))
            .Select(shard => shard.Report.Schedules)
            .ToList();
        Assert.Equal(6, parts.Sum()); // the 3! orders the lock admits
        Assert.True(
            parts.All(part => part > 0),
            $"the shards' parts are {string.Join(", ", parts)} schedules of {parts.Sum()}"
        );
    }

    /// <summary>
    /// The split gives every shard a fair part, so that shards run in parallel finish sooner than one search: two
    /// threads that each take one lock four times (70 orders of the eight sections) dealt to 2 or 3 shards leave no
    /// shard with more than three quarters of the schedules.
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void TheSplitGivesEveryShardAFairPart(int count)
    {
        const string name = "lock taken 4 times by 2 threads";
        var whole = Explore(name, bound: null, index: 0, count: 1);
        Assert.Equal(70, whole.Report.Schedules);
        var parts = Enumerable
            .Range(0, count)
            .Select(index => Explore(name, bound: null, index, count).Report.Schedules)
            .ToList();
        Assert.True(
            parts.Max() <= 3 * parts.Sum() / 4,
            $"the shards' parts are {string.Join(", ", parts)} schedules of {parts.Sum()}"
        );
    }

    /// <summary>
    /// Under a preemption bound (no sleep sets: a class may be run more than once) the shards still finish and reach
    /// every outcome and class the whole bounded search reaches.
    /// </summary>
    [Theory]
    [MemberData(nameof(Programs))]
    public void BoundedShardsFinishAndCoverTheWholeBoundedSearch(string name)
    {
        foreach (var bound in new[] { 0, 1 })
        {
            var whole = Explore(name, bound, index: 0, count: 1);
            Assert.True(whole.Report.Exhausted, $"{name}, bound {bound}: {whole.Report.Verdict}");
            foreach (var count in new[] { 2, 3 })
            {
                var shards = Enumerable
                    .Range(0, count)
                    .Select(index => Explore(name, bound, index, count))
                    .ToList();
                Assert.All(shards, s => Assert.True(s.Report.Exhausted, s.Report.Verdict));
                Assert.Equal(
                    whole.Outcomes.Order(StringComparer.Ordinal),
                    shards.SelectMany(s => s.Outcomes).Distinct().Order(StringComparer.Ordinal)
                );
                Assert.Equal(
                    whole.Classes.Order(StringComparer.Ordinal),
                    shards.SelectMany(s => s.Classes).Distinct().Order(StringComparer.Ordinal)
                );
            }
        }
    }

    /// <summary>The class name is what the disjointness check rests on: equal for commuting orders, else different.</summary>
    [Fact]
    public void TheClassNameIgnoresCommutingOrdersOnly()
    {
        static string Class(params (string Object, string Thread, bool Write)[] accesses)
        {
            var log = new Accesses();
            foreach (var (obj, thread, write) in accesses)
            {
                log.Add(obj, thread, write);
            }
            return log.Class();
        }
        // Accesses to different objects, and two reads of one, commute.
        Assert.Equal(
            Class(("x", "a", true), ("y", "b", true)),
            Class(("y", "b", true), ("x", "a", true))
        );
        Assert.Equal(
            Class(("x", "a", false), ("x", "b", false)),
            Class(("x", "b", false), ("x", "a", false))
        );
        // Two writes, or a read and a write, of one object do not.
        Assert.NotEqual(
            Class(("x", "a", true), ("x", "b", true)),
            Class(("x", "b", true), ("x", "a", true))
        );
        Assert.NotEqual(
            Class(("x", "a", true), ("x", "b", false)),
            Class(("x", "b", false), ("x", "a", true))
        );
    }

    private static Run Explore(string name, int? bound, int index, int count)
    {
        var program = Corpus[name];
        var outcomes = new HashSet<string>();
        var classes = new List<string>();
        var completed = 0;
        var report = Explorer.Run(
            threading =>
            {
                var log = new Accesses();
                var outcome = program(threading, log);
                // Reached only when the body ran to its end (a pruned iteration is unwound before it).
                outcomes.Add(outcome);
                classes.Add(log.Class());
                completed++;
            },
            new ExplorationOptions
            {
                Strategy = Strategy.Dpor,
                PreemptionBound = bound,
                Iterations = Budget,
                Minimize = false,
                ShardIndex = index,
                ShardCount = count,
            }
        );
        return new Run(report, outcomes, [.. classes.Distinct()], completed);
    }

    private sealed record Run(
        ExplorationReport Report,
        HashSet<string> Outcomes,
        List<string> Classes,
        int Completed
    );

    /// <summary>The accesses one schedule made to shared objects, in the order it made them.</summary>
    public sealed class Accesses
    {
        private readonly List<(string Object, string Thread, bool Write)> _log = [];

        /// <summary>Records an access; call it right after the access, before the thread's next scheduling point.</summary>
        public void Add(string obj, string thread, bool write) => _log.Add((obj, thread, write));

        /// <summary>
        /// The name of the class of equivalent schedules: each access named by its thread and its index among that
        /// thread's accesses, with its place in the object's writes (a write) or the writes before it (a read).
        /// </summary>
        public string Class()
        {
            var writes = new Dictionary<string, int>();
            var perThread = new Dictionary<string, int>();
            var events = new List<string>();
            foreach (var (obj, thread, write) in _log)
            {
                var n = perThread.GetValueOrDefault(thread);
                perThread[thread] = n + 1;
                var before = writes.GetValueOrDefault(obj);
                events.Add(
                    write
                        ? $"{thread}#{n} is write {before} of {obj}"
                        : $"{thread}#{n} reads {obj} after {before} writes"
                );
                if (write)
                {
                    writes[obj] = before + 1;
                }
            }
            events.Sort(StringComparer.Ordinal);
            return string.Join("; ", events);
        }
    }

    internal static readonly Dictionary<string, Program> Corpus = new()
    {
        ["one atomic, 3 threads"] = Bumps(3, atomics: 1),
        ["two atomics, 4 threads"] = Bumps(4, atomics: 2),
        ["lock counter, 3 threads"] = LockCounter(3),
        ["lock taken 4 times by 2 threads"] = LockSections(2, 4),
        ["lost update, 3 threads"] = LostUpdate(3),
        ["store buffering"] = StoreBuffering,
        ["compare-exchange counter"] = CompareExchangeCounter,
        ["data choice"] = DataChoice,
    };

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    // Thread i adds once to atomic i % atomics.
    private static Program Bumps(int threads, int atomics) =>
        (threading, log) =>
        {
            var shared = Enumerable
                .Range(0, atomics)
                .Select(_ => threading.CreateAtomic())
                .ToArray();
            var seen = new long[threads];
            var handles = Enumerable
                .Range(0, threads)
                .Select(i =>
                    threading.Start(
                        () =>
                        {
                            seen[i] = shared[i % atomics].Add(1);
                            log.Add($"x{i % atomics}", $"t{i}", write: true);
                        },
                        $"t{i}"
                    )
                )
                .ToList();
            handles.ForEach(h => h.Join());
            return string.Join(",", seen);
        };

    private static Program LockCounter(int threads) =>
        (threading, log) =>
        {
            var gate = threading.CreateLock();
            var counter = threading.CreateAtomic();
            var handles = Enumerable
                .Range(0, threads)
                .Select(i =>
                    threading.Start(
                        () =>
                        {
                            var name = $"t{i}";
                            gate.Enter();
                            log.Add("lock", name, write: true);
                            var seen = counter.Read();
                            log.Add("counter", name, write: false);
                            counter.Write(seen + 1);
                            log.Add("counter", name, write: true);
                            gate.Exit();
                            log.Add("lock", name, write: true);
                        },
                        $"t{i}"
                    )
                )
                .ToList();
            handles.ForEach(h => h.Join());
            return Text(counter.Read());
        };

    // Each thread takes the lock the given number of times and adds to a counter under it.
    private static Program LockSections(int threads, int sections) =>
        (threading, log) =>
        {
            var gate = threading.CreateLock();
            var counter = threading.CreateAtomic();
            var handles = Enumerable
                .Range(0, threads)
                .Select(i =>
                    threading.Start(
                        () =>
                        {
                            var name = $"t{i}";
                            for (var section = 0; section < sections; section++)
                            {
                                gate.Enter();
                                log.Add("lock", name, write: true);
                                counter.Add(1);
                                log.Add("counter", name, write: true);
                                gate.Exit();
                                log.Add("lock", name, write: true);
                            }
                        },
                        $"t{i}"
                    )
                )
                .ToList();
            handles.ForEach(h => h.Join());
            return Text(counter.Read());
        };

    private static Program LostUpdate(int threads) =>
        (threading, log) =>
        {
            var counter = threading.CreateAtomic();
            var handles = Enumerable
                .Range(0, threads)
                .Select(i =>
                    threading.Start(
                        () =>
                        {
                            var name = $"t{i}";
                            var seen = counter.Read();
                            log.Add("counter", name, write: false);
                            counter.Write(seen + 1);
                            log.Add("counter", name, write: true);
                        },
                        $"t{i}"
                    )
                )
                .ToList();
            handles.ForEach(h => h.Join());
            return Text(counter.Read());
        };

    private static string StoreBuffering(IThreading threading, Accesses log)
    {
        var x = threading.CreateAtomic();
        var y = threading.CreateAtomic();
        long r1 = 0,
            r2 = 0;
        var a = threading.Start(
            () =>
            {
                x.Write(1);
                log.Add("x", "a", write: true);
                r1 = y.Read();
                log.Add("y", "a", write: false);
            },
            "a"
        );
        var b = threading.Start(
            () =>
            {
                y.Write(1);
                log.Add("y", "b", write: true);
                r2 = x.Read();
                log.Add("x", "b", write: false);
            },
            "b"
        );
        a.Join();
        b.Join();
        return $"{r1}{r2}";
    }

    private static string CompareExchangeCounter(IThreading threading, Accesses log)
    {
        var counter = threading.CreateAtomic();
        void Increment(string name)
        {
            while (true)
            {
                var seen = counter.Read();
                log.Add("counter", name, write: false);
                var won = counter.CompareExchange(seen + 1, seen) == seen;
                log.Add("counter", name, write: true); // a read-modify-write, failed or not
                if (won)
                {
                    return;
                }
            }
        }
        var handles = new[] { "a", "b", "c" }
            .Select(name => threading.Start(() => Increment(name), name))
            .ToList();
        handles.ForEach(h => h.Join());
        return Text(counter.Read());
    }

    private static string DataChoice(IThreading threading, Accesses log)
    {
        var x = threading.CreateAtomic();
        long seen = 0;
        var a = threading.Start(
            () =>
            {
                var value = 1 + Nondeterminism.Choose(threading, 2);
                log.Add($"choice {value}", "a", write: false);
                x.Write(value);
                log.Add("x", "a", write: true);
            },
            "a"
        );
        var b = threading.Start(
            () =>
            {
                seen = x.Read();
                log.Add("x", "b", write: false);
                x.Add(1);
                log.Add("x", "b", write: true);
            },
            "b"
        );
        a.Join();
        b.Join();
        return Text(seen) + "/" + Text(x.Read());
    }
}
