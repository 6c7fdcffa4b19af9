namespace Pool.Systematic.Strategies;

/// <summary>
/// The state one dpor search shares between the workers that explore it together (<see cref="DporStrategy"/>, one per
/// worker): the lock under which they change what remains to explore at a node, the nodes that gained an unexplored
/// entry (offered to an idle worker), and whether the search is over.
/// </summary>
/// <remarks>
/// Depth-first, a worker backtracks along its own path first; an entry added to a node is always added by a worker whose
/// path holds that node, so that worker meets it when it backtracks, and the offered nodes only let an idle worker take
/// the entry sooner. Shallowest first, every node that gains an entry is offered and every worker takes the shallowest
/// offered entry after each schedule. The search is exhausted when every worker is idle with nothing offered; a worker that stops early (a bug,
/// a budget) stops the others.
/// </remarks>
internal sealed class DporSearch(int workers, SearchOrder order = SearchOrder.DeepestFirst)
{
    /// <summary>
    /// Every worker takes the shallowest offered entry at the end of each iteration, instead of backtracking along its
    /// own path first (<see cref="SearchOrder.ShallowestFirst"/>): every node with an unexplored entry is offered.
    /// </summary>
    internal bool TakesShallowestFirst => order == SearchOrder.ShallowestFirst;

    private readonly SortedSet<DporStrategy.Node> _offered = new(ShallowestFirst.Instance);
    private long _serial;
    private int _idle;

    /// <summary>Held while a node's entries are read or changed.</summary>
    internal object Gate { get; } = new();

    /// <summary>True once a worker has started at the root (the others start with entries it offers).</summary>
    internal bool RootTaken { get; set; }

    /// <summary>True once the search is over: exhausted, or stopped by a worker.</summary>
    internal bool Stopped { get; private set; }

    /// <summary>True when the search ended because every worker was idle and no entry remained.</summary>
    internal bool Exhausted { get; private set; }

    /// <summary>A number for a new node, unique in the search (orders nodes of equal depth).</summary>
    internal long NextSerial() => Interlocked.Increment(ref _serial);

    /// <summary><paramref name="node"/> has an unexplored entry another worker may take.</summary>
    internal void Offer(DporStrategy.Node node)
    {
        if (workers == 1 && !TakesShallowestFirst)
        {
            return; // the one worker meets every entry on its own path
        }
        lock (Gate)
        {
            _offered.Add(node);
            if (_idle > 0)
            {
                Monitor.PulseAll(Gate);
            }
        }
    }

    /// <summary>The shallowest offered node (the root of the largest subtree), or null. The caller holds <see cref="Gate"/>.</summary>
    internal DporStrategy.Node? Shallowest() => _offered.Count == 0 ? null : _offered.Min;

    /// <summary>Nothing is left to take at <paramref name="node"/>. The caller holds <see cref="Gate"/>.</summary>
    internal void Withdraw(DporStrategy.Node node)
    {
        if (_offered.Count > 0)
        {
            _offered.Remove(node);
        }
    }

    /// <summary>
    /// The calling worker is idle: waits until an entry is offered or the search stops, and returns false when it is
    /// over (the last worker to go idle ends it as exhausted). The caller holds <see cref="Gate"/>.
    /// </summary>
    internal bool WaitForWork()
    {
        if (_idle + 1 == workers)
        {
            Exhausted = !Stopped;
            Stopped = true;
            Monitor.PulseAll(Gate);
            return false;
        }
        _idle++;
        Monitor.Wait(Gate);
        _idle--;
        return !Stopped;
    }

    /// <summary>Ends the search for every worker (a bug, or the budget of iterations or time is spent).</summary>
    internal void Stop()
    {
        lock (Gate)
        {
            Stopped = true;
            Monitor.PulseAll(Gate);
        }
    }

    private sealed class ShallowestFirst : IComparer<DporStrategy.Node>
    {
        internal static readonly ShallowestFirst Instance = new();

        public int Compare(DporStrategy.Node? x, DporStrategy.Node? y) =>
            (x!.Depth, x.Serial).CompareTo((y!.Depth, y.Serial));
    }
}
