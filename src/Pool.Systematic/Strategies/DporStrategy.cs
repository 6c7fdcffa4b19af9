using System.Numerics;
using Pool.Systematic.Runtime;

namespace Pool.Systematic.Strategies;

/// <summary>
/// Dynamic partial-order reduction (source sets with sleep sets, after Flanagan and Godefroid 2005 and Abdulla et al.
/// 2014): a stateless depth-first search that runs one schedule per class of equivalent schedules (schedules that
/// differ only in the order of operations that commute) instead of every schedule.
/// </summary>
/// <remarks>
/// <para>
/// Each decision runs one thread's pending operation (<see cref="Access"/>) and its local code up to its next
/// scheduling point. After every decision the strategy computes happens-before with vector clocks (program order,
/// thread start and join, and every pair of dependent operations) and looks for races: two dependent operations of
/// different threads with no happens-before between them. For each race it makes sure that, at the state before the
/// first operation, some thread that can start a reversed order is scheduled in a later iteration (the source-set
/// rule). Sleep sets skip the alternatives already covered by a sibling; an iteration that reaches a state where every
/// enabled thread sleeps ends early (<see cref="IterationResult.Pruned"/>).
/// </para>
/// <para>
/// With a preemption bound, an alternative is scheduled only where it stays within the bound, and also at the start
/// of the run of decisions of the racing thread, where choosing another thread costs no extra preemption (Coons et
/// al. 2013, bounded partial-order reduction); sleep sets are off then, since a sibling may cover a schedule only by
/// exceeding the bound.
/// </para>
/// <para>
/// Data choices (<see cref="PickValue"/>) are explored exhaustively, each value a subtree of its own. Store-buffer
/// memory models are refused (<see cref="StrategyFactory.Validate"/>): their flushes are data choices made at reads,
/// not operations with accesses of their own, so the dependency relation would not see them.
/// </para>
/// <para>
/// Several instances can explore one search together (<see cref="DporSearch"/>, one instance per worker thread): the
/// nodes are shared, and an entry of a node is claimed under the search's lock before it is run. The sleep set below an
/// entry holds the siblings claimed before it, so the claims order the siblings as one worker's search does, and each
/// class of schedules is still run once.
/// </para>
/// </remarks>
internal sealed class DporStrategy(
    int? preemptionBound,
    int shardIndex = 0,
    int shardCount = 1,
    DporSearch? search = null
) : ISchedulingStrategy
{
    /// <summary>Threads per iteration the bit sets below can hold.</summary>
    internal const int MaxThreads = 64;

    /// <summary>
    /// Sharded: contested decisions (two or more threads about to touch shared objects) above this depth branch on every
    /// enabled thread, and the subtrees below them (or the schedules, when one ends above it) are dealt to the shards
    /// in turn.
    /// </summary>
    internal const int SplitDepth = 3;

    private readonly DporSearch _search = search ?? new DporSearch(1);
    private readonly List<Step> _path = [];
    private readonly List<Event> _events = [];
    private readonly List<int[]> _threadClocks = [];
    private readonly Dictionary<int, List<int>> _accessesByObject = [];
    private int _depth;
    private int _preemptions;
    private int _branchings;
    private bool _split;
    private long _parts;
    private readonly bool _useSleepSets = preemptionBound is null;

    public string Name =>
        (preemptionBound, _search.TakesShallowestFirst) switch
        {
            ({ } bound, false) => $"dpor(preemptions<={bound})",
            ({ } bound, true) => $"dpor(preemptions<={bound}, shallowest first)",
            (null, false) => "dpor",
            (null, true) => "dpor(shallowest first)",
        };

    public bool GuardsBlocking => true;

    /// <summary>True once every class of schedules (within the bound) has been run.</summary>
    internal bool Exhausted { get; private set; }

    /// <summary>Sharded: the iteration just ended belonged to another shard (it ran to no purpose and counts as pruned).</summary>
    internal bool LastIterationForeign { get; private set; }

    public void BeginIteration(long index)
    {
        _depth = 0;
        _preemptions = 0;
        _branchings = 0;
        _split = false;
        _events.Clear();
        _threadClocks.Clear();
        _accessesByObject.Clear();
    }

    public void ThreadCreated(int id)
    {
        if (id >= MaxThreads)
        {
            throw new InvalidOperationException(
                $"dpor explores at most {MaxThreads} threads per iteration; this test started more."
            );
        }
        // A new thread starts after everything its creator did so far.
        var creator = _events.Count == 0 ? null : _threadClocks[_events[^1].Thread];
        var clock = new int[MaxThreads];
        creator?.CopyTo(clock, 0);
        while (_threadClocks.Count <= id)
        {
            _threadClocks.Add(new int[MaxThreads]);
        }
        _threadClocks[id] = clock;
    }

    public int PickThread(in SchedulingPoint point)
    {
        var step = EnterThreadNode(point);
        if (step.Chosen < 0)
        {
            return -1;
        }
        var position = Position(point, step.Chosen);
        _preemptions += Cost(step.Node, step.Chosen);
        Execute(_depth - 1, step.Chosen, point.Pending[position]);
        return step.Chosen;
    }

    public int PickValue(int count, int step)
    {
        Step decision;
        if (_depth < _path.Count)
        {
            decision = _path[_depth];
            if (decision.Node.Kind != NodeKind.Value || decision.Node.Options != count)
            {
                throw Diverged();
            }
        }
        else
        {
            var node = NewNode(NodeKind.Value, SleepForChild());
            node.Options = count;
            node.NextValue = 1;
            decision = new Step(node, 0, 0);
            _path.Add(decision);
            if (count > 1)
            {
                _search.Offer(node);
            }
        }
        _depth++;
        return decision.Chosen;
    }

    public bool EndIteration(int steps)
    {
        LastIterationForeign = false;
        if (shardCount > 1 && !_split && !OwnNextPart())
        {
            LastIterationForeign = true; // a whole schedule above the split: dealt like a subtree
        }
        if (_depth < _path.Count)
        {
            _path.RemoveRange(_depth, _path.Count - _depth);
        }
        lock (_search.Gate)
        {
            if (_search.Stopped)
            {
                return false; // another worker found a bug or spent the budget
            }
            // Backtrack along this worker's own path first (the only work there is for a single worker), then take an
            // entry from the shared tree. Shallowest first, every entry is taken from the shared tree: each node of the
            // path that still has one was offered when it got it.
            if (_search.TakesShallowestFirst)
            {
                _path.Clear();
            }
            while (_path.Count > 0)
            {
                if (Claim(_path[^1].Node) is { } claimed)
                {
                    _path[^1] = claimed;
                    return true;
                }
                _search.Withdraw(_path[^1].Node); // nothing left there (a worker that adds an entry offers it again)
                _path.RemoveAt(_path.Count - 1);
            }
            if (TakeWork())
            {
                return true;
            }
            Exhausted = _search.Exhausted;
            return false;
        }
    }

    /// <summary>
    /// A worker of a shared search starts: the first one at the root, the others with an entry taken from the shared
    /// tree (waiting for one). False when the search ended before this worker found anything to do.
    /// </summary>
    internal bool JoinSearch()
    {
        lock (_search.Gate)
        {
            if (!_search.RootTaken)
            {
                _search.RootTaken = true;
                return true;
            }
            return TakeWork();
        }
    }

    /// <summary>
    /// Claims the next unexplored entry of <paramref name="node"/> (the caller holds the search's lock): marks it done,
    /// so that no other worker runs it and the siblings claimed after it sleep on it.
    /// </summary>
    private Step? Claim(Node node)
    {
        if (node.Kind == NodeKind.Value)
        {
            return node.NextValue < node.Options ? new Step(node, node.NextValue++, 0) : null;
        }
        if (NextAlternative(node) is not { } next)
        {
            return null;
        }
        var before = node.Done;
        node.Done |= Bit(next);
        return new Step(node, next, before);
    }

    /// <summary>
    /// This worker's path is done: takes an unexplored entry of the shared tree (the shallowest offered), waiting while
    /// other workers still run and may add some. False when the search is over (every worker idle and no entry left,
    /// or stopped). The caller holds the search's lock.
    /// </summary>
    private bool TakeWork()
    {
        while (!_search.Stopped)
        {
            while (_search.Shallowest() is { } node)
            {
                if (Claim(node) is { } claimed)
                {
                    // The new path: the node's prefix of decisions, replayed, then the claimed entry.
                    var chain = new List<Node>();
                    for (var below = node; below.Parent is not null; below = below.Parent)
                    {
                        chain.Add(below);
                    }
                    for (var i = chain.Count - 1; i >= 0; i--)
                    {
                        _path.Add(new Step(chain[i].Parent!, chain[i].Via, 0));
                    }
                    _path.Add(claimed);
                    return true;
                }
                _search.Withdraw(node);
            }
            if (!_search.WaitForWork())
            {
                return false;
            }
        }
        return false;
    }

    private Node NewNode(NodeKind kind, List<(int Thread, Access Access)> sleep)
    {
        var parent = _depth == 0 ? null : _path[_depth - 1];
        return new Node(kind)
        {
            Parent = parent?.Node,
            Via = parent?.Chosen ?? 0,
            Depth = _depth,
            Serial = _search.NextSerial(),
            Sleep = sleep,
        };
    }

    private Step EnterThreadNode(in SchedulingPoint point)
    {
        var fingerprint = point.Fingerprint();
        Step step;
        Node node;
        if (_depth < _path.Count)
        {
            step = _path[_depth];
            node = step.Node;
            if (node.Kind != NodeKind.Thread || node.Fingerprint != fingerprint)
            {
                throw Diverged();
            }
        }
        else
        {
            node = NewNode(NodeKind.Thread, SleepForChild());
            node.Fingerprint = fingerprint;
            node.Enabled = [.. point.Enabled];
            node.Pending = [.. point.Pending];
            node.Current = point.Current;
            node.IsYield = point.IsYield;
            node.PreemptionsBefore = _preemptions;
            var chosen = FirstChoice(node);
            if (chosen >= 0)
            {
                node.Backtrack = Bit(chosen);
                node.Done = Bit(chosen);
            }
            if (shardCount > 1 && !_split && node.Enabled.Length > 1)
            {
                if (Contested(node) && _branchings == SplitDepth)
                {
                    if (!OwnNextPart())
                    {
                        chosen = -1; // the subtree below belongs to another shard
                    }
                }
                else
                {
                    // Above the split: every thread, in every shard (a race found in another shard's part would
                    // otherwise be the only reason to run an alternative here).
                    node.Backtrack = Mask(node.Enabled);
                }
            }
            step = new Step(node, chosen, 0);
            _path.Add(step);
        }
        if (Contested(node) && _branchings++ == SplitDepth)
        {
            _split = true;
        }
        _depth++;
        return step;
    }

    // The choice that costs no preemption (see Cost) when it is awake, else the lowest enabled thread not asleep.
    private static int FirstChoice(Node node)
    {
        if (node.IsYield)
        {
            var awake = node.Enabled.Where(id => (node.SleepMask & Bit(id)) == 0).ToList();
            if (awake.Count > 1)
            {
                return awake.FirstOrDefault(id => id > node.Current, awake[0]);
            }
        }
        if (node.Current >= 0 && (node.SleepMask & Bit(node.Current)) == 0)
        {
            return node.Current;
        }
        foreach (var id in node.Enabled)
        {
            if ((node.SleepMask & Bit(id)) == 0)
            {
                return id;
            }
        }
        return -1;
    }

    // A decision where the order can matter: two or more enabled threads about to touch shared objects (a thread's first
    // run or a yield touches none, and sleep sets cut such alternatives short, so splitting there divides nothing).
    private static bool Contested(Node node) =>
        node.Pending.Count(access => access.Kind != AccessKind.None) > 1;

    // Deals the next part of the tree, in the order every shard meets them, to shard (part mod count).
    private bool OwnNextPart() => _parts++ % shardCount == shardIndex;

    private int? NextAlternative(Node node)
    {
        var open = node.Backtrack & ~node.Done & ~node.SleepMask;
        while (open != 0)
        {
            var id = BitOperations.TrailingZeroCount(open);
            open &= open - 1;
            if (WithinBound(node, id))
            {
                return id;
            }
            node.Done |= Bit(id); // beyond the bound: never run from here
        }
        return null;
    }

    private bool WithinBound(Node node, int id) =>
        preemptionBound is not { } bound || Cost(node, id) == 0 || node.PreemptionsBefore < bound;

    /// <summary>
    /// 1 when choosing <paramref name="id"/> at <paramref name="node"/> is a preemption: switching away from a thread
    /// that could go on; at a yield or spin the reverse, staying on the spinning thread while another could run (it
    /// waits for another thread, so letting it spin on is the unfair choice). Without the second rule a bound would
    /// not bound spin loops: every number of turns a spinner takes is another schedule.
    /// </summary>
    private static int Cost(Node node, int id)
    {
        if (node.Current < 0)
        {
            return 0;
        }
        if (node.IsYield)
        {
            return id == node.Current && node.Enabled.Length > 1 ? 1 : 0;
        }
        return id == node.Current ? 0 : 1;
    }

    /// <summary>
    /// The sleep set of the node about to be created: the parent's sleepers and the alternatives it already explored,
    /// minus those whose pending operation depends on the one the parent ran.
    /// </summary>
    private List<(int Thread, Access Access)> SleepForChild()
    {
        if (!_useSleepSets || _depth == 0)
        {
            return [];
        }
        var (parent, chosen, claimedBefore) = _path[_depth - 1];
        if (parent.Kind == NodeKind.Value)
        {
            return parent.Sleep;
        }
        var ran = parent.Pending[Array.IndexOf(parent.Enabled, chosen)];
        var sleep = new List<(int, Access)>();
        foreach (var (thread, access) in parent.Sleep)
        {
            if (!access.DependsOn(ran))
            {
                sleep.Add((thread, access));
            }
        }
        // The siblings claimed before this one (explored, or being explored by another worker).
        var explored = claimedBefore;
        for (var i = 0; i < parent.Enabled.Length; i++)
        {
            var id = parent.Enabled[i];
            if ((explored & Bit(id)) != 0 && !parent.Pending[i].DependsOn(ran))
            {
                sleep.Add((id, parent.Pending[i]));
            }
        }
        return sleep;
    }

    /// <summary>Records the event run at path node <paramref name="nodeIndex"/> and schedules the reversal of its races.</summary>
    private void Execute(int nodeIndex, int thread, Access access)
    {
        var clock = _threadClocks[thread];
        clock[thread]++;
        var index = _events.Count;
        if (access.Kind == AccessKind.Join)
        {
            Join(clock, _threadClocks[access.Target]);
        }
        else if (access.Kind != AccessKind.None)
        {
            if (!_accessesByObject.TryGetValue(access.Target, out var earlier))
            {
                earlier = [];
                _accessesByObject[access.Target] = earlier;
            }
            // Races first, against the clock before this access synchronises with the object.
            foreach (var other in earlier)
            {
                var before = _events[other];
                if (
                    before.Thread != thread
                    && before.Access.DependsOn(access)
                    && before.Clock[before.Thread] > clock[before.Thread]
                )
                {
                    Reverse(other, index, thread, clock);
                }
            }
            foreach (var other in earlier)
            {
                var before = _events[other];
                if (before.Access.DependsOn(access))
                {
                    Join(clock, before.Clock);
                }
            }
            earlier.Add(index);
        }
        _events.Add(new Event(thread, access, nodeIndex, (int[])clock.Clone()));
    }

    /// <summary>
    /// Event <paramref name="first"/> races with the event about to be recorded at <paramref name="second"/> (thread
    /// <paramref name="thread"/>, clock <paramref name="clock"/> before synchronising): at the state before
    /// <paramref name="first"/>, schedule a thread that can start the reversed order.
    /// </summary>
    private void Reverse(int first, int second, int thread, int[] clock)
    {
        var race = _events[first];
        var node = _path[race.Node].Node;
        var candidates = Initials(node, race, first, second, thread, clock);
        if (candidates == 0)
        {
            return; // not reversible: the later thread cannot run before the earlier operation (a held lock)
        }
        lock (_search.Gate)
        {
            Schedule(node, candidates, thread);
            if (preemptionBound is not null)
            {
                ScheduleAtRunStart(race, candidates, thread);
            }
        }
    }

    // Where the racing thread's run began, another thread costs no extra preemption.
    private void ScheduleAtRunStart(Event race, ulong candidates, int thread)
    {
        var start = race.Node;
        while (
            start > 0
            && (
                _path[start - 1].Node.Kind == NodeKind.Value
                || _path[start - 1].Chosen == race.Thread
            )
        )
        {
            start--;
        }
        while (_path[start].Node.Kind == NodeKind.Value)
        {
            start++;
        }
        if (start != race.Node && _path[start].Node.Kind == NodeKind.Thread)
        {
            var enabledThere = Mask(_path[start].Node.Enabled);
            var there = candidates & enabledThere;
            if (there == 0 && (enabledThere & Bit(thread)) != 0)
            {
                there = Bit(thread);
            }
            if (there != 0)
            {
                Schedule(_path[start].Node, there, thread);
            }
        }
    }

    // The source-set rule: nothing to add when a candidate is already scheduled, explored or asleep there; else one
    // candidate, the racing thread itself when it is one.
    private void Schedule(Node node, ulong candidates, int preferred)
    {
        if ((candidates & (node.Backtrack | node.SleepMask)) != 0)
        {
            return;
        }
        ulong allowed = 0;
        for (var open = candidates; open != 0; open &= open - 1)
        {
            var id = BitOperations.TrailingZeroCount(open);
            if (WithinBound(node, id))
            {
                allowed |= Bit(id);
            }
        }
        if ((allowed & Bit(preferred)) != 0)
        {
            node.Backtrack |= Bit(preferred);
        }
        else if (allowed != 0)
        {
            node.Backtrack |= Bit(BitOperations.TrailingZeroCount(allowed));
        }
        else
        {
            return;
        }
        _search.Offer(node);
    }

    /// <summary>
    /// The initials of the reversed order (source-set DPOR): the events after <paramref name="first"/> that do not
    /// happen after it, followed by the second event, form a schedule that reverses the race; a thread can start it
    /// when its first event there has no happens-before predecessor among them. Returns those threads that are
    /// enabled at <paramref name="node"/>.
    /// </summary>
    private ulong Initials(Node node, Event race, int first, int second, int thread, int[] clock)
    {
        var enabled = Mask(node.Enabled);
        ulong seen = 0;
        ulong initials = 0;
        var inReversal = new List<int>();
        for (var k = first + 1; k < second; k++)
        {
            var e = _events[k];
            if (race.Clock[race.Thread] <= e.Clock[race.Thread])
            {
                continue; // happens after the first event: not part of the reversed order
            }
            if ((seen & Bit(e.Thread)) == 0)
            {
                seen |= Bit(e.Thread);
                if (!HasPredecessor(inReversal, e.Thread, e.Clock))
                {
                    initials |= Bit(e.Thread);
                }
            }
            inReversal.Add(k);
        }
        if ((seen & Bit(thread)) == 0 && !HasPredecessor(inReversal, thread, clock))
        {
            initials |= Bit(thread);
        }
        return initials & enabled;
    }

    // True when an event of another thread among those listed happens before an event with this clock.
    private bool HasPredecessor(List<int> events, int thread, int[] clock)
    {
        foreach (var k in events)
        {
            var e = _events[k];
            if (e.Thread != thread && e.Clock[e.Thread] <= clock[e.Thread])
            {
                return true;
            }
        }
        return false;
    }

    private static void Join(int[] into, int[] other)
    {
        for (var i = 0; i < into.Length; i++)
        {
            if (other[i] > into[i])
            {
                into[i] = other[i];
            }
        }
    }

    private static int Position(in SchedulingPoint point, int thread)
    {
        for (var i = 0; i < point.Enabled.Count; i++)
        {
            if (point.Enabled[i] == thread)
            {
                return i;
            }
        }
        throw new InvalidOperationException($"dpor chose thread {thread}, which is not enabled.");
    }

    private static ulong Bit(int id) => 1UL << id;

    private static ulong Mask(int[] ids)
    {
        ulong mask = 0;
        foreach (var id in ids)
        {
            mask |= Bit(id);
        }
        return mask;
    }

    private NondeterminismException Diverged() =>
        new(
            $"dpor: at step {_depth} the enabled threads differ from an earlier run of the same prefix; "
                + "the test depends on something the explorer does not control (real time, randomness, "
                + "uncontrolled threads or static state left from an earlier iteration)."
        );

    internal enum NodeKind
    {
        Thread,
        Value,
    }

    /// <summary>A worker's decision at a node: the node, the entry it runs there, and the entries claimed before it.</summary>
    private sealed record Step(Node Node, int Chosen, ulong ClaimedBefore);

    /// <summary>
    /// One decision of the search tree, kept while its subtree is explored. Its description is written once, by the
    /// worker that creates it; what remains to explore there (<see cref="Backtrack"/>, <see cref="Done"/>,
    /// <see cref="NextValue"/>) is shared by the workers and changed only under the search's lock.
    /// </summary>
    internal sealed class Node(NodeKind kind)
    {
        internal NodeKind Kind { get; } = kind;

        // Where it hangs: the parent node and the entry chosen there, and its depth (the root's is 0).
        internal Node? Parent { get; init; }
        internal int Via { get; init; }
        internal int Depth { get; init; }
        internal long Serial { get; init; }

        // Value nodes: the number of values, and the lowest one no worker has claimed.
        internal int Options { get; set; }
        internal int NextValue { get; set; }

        // Thread nodes.
        internal long Fingerprint { get; set; }
        internal int[] Enabled { get; set; } = [];
        internal Access[] Pending { get; set; } = [];
        internal int Current { get; set; } = -1;
        internal bool IsYield { get; set; }
        internal int PreemptionsBefore { get; set; }
        internal ulong Backtrack { get; set; }
        internal ulong Done { get; set; }
        internal List<(int Thread, Access Access)> Sleep { get; init; } = [];
        internal ulong SleepMask
        {
            get
            {
                ulong mask = 0;
                foreach (var (thread, _) in Sleep)
                {
                    mask |= Bit(thread);
                }
                return mask;
            }
        }
    }

    /// <summary>One decision's operation: who ran it, what it touched, where in the path, and its vector clock.</summary>
    private readonly record struct Event(int Thread, Access Access, int Node, int[] Clock);
}
