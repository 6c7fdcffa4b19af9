namespace Pool.Systematic.Strategies;

/// <summary>
/// Probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010).
/// </summary>
/// <remarks>
/// Each iteration gives every thread a distinct random priority when it is created and picks
/// <c>depth - 1</c> change points uniformly among the first <c>k</c> steps, where <c>k</c> is the largest
/// step count seen so far in this exploration (at least 16). At every point the highest-priority enabled
/// thread runs; at a change point the thread that would run drops below every other thread.
/// Guarantee (for programs whose scheduling points are exactly ours, with <c>n</c> threads and at most
/// <c>k</c> steps): each iteration finds a given bug of depth <c>d</c> with probability at least
/// <c>1 / (n * k^(d-1))</c>. One deviation from the paper keeps spin loops finite: a thread that yields
/// (<see cref="SchedulingPoint.IsYield"/>) while it has the top priority drops to the bottom, as if a
/// change point fell there; this can only add schedules, never remove the ones the guarantee counts.
/// </remarks>
internal sealed class PctStrategy(ulong seed, int depth) : ISchedulingStrategy
{
    private const int MinimumStepEstimate = 16;
    private readonly List<int> _priorities = []; // highest first
    private readonly HashSet<int> _changePoints = [];
    private SplitMix _random = new(seed);
    private int _stepEstimate = MinimumStepEstimate;

    public string Name => $"pct({depth})";

    public void BeginIteration(long index)
    {
        _random = new SplitMix(SplitMix.Derive(seed, index));
        _priorities.Clear();
        _changePoints.Clear();
        var wanted = Math.Min(depth - 1, _stepEstimate);
        while (_changePoints.Count < wanted)
        {
            _changePoints.Add(_random.Below(_stepEstimate));
        }
    }

    public void ThreadCreated(int id) =>
        _priorities.Insert(_random.Below(_priorities.Count + 1), id);

    public int PickThread(in SchedulingPoint point)
    {
        var top = Highest(point.Enabled);
        if (_changePoints.Contains(point.Step) || (point.IsYield && top == point.Current))
        {
            _priorities.Remove(top);
            _priorities.Add(top);
            top = Highest(point.Enabled);
        }
        return top;
    }

    public int PickValue(int count, int step) => _random.Below(count);

    public bool EndIteration(int steps)
    {
        _stepEstimate = Math.Max(_stepEstimate, steps);
        return true;
    }

    private int Highest(IReadOnlyList<int> enabled)
    {
        foreach (var id in _priorities)
        {
            if (Contains(enabled, id))
            {
                return id;
            }
        }
        throw new InvalidOperationException("PCT: no enabled thread has a priority.");
    }

    private static bool Contains(IReadOnlyList<int> ids, int id)
    {
        for (var i = 0; i < ids.Count; i++)
        {
            if (ids[i] == id)
            {
                return true;
            }
        }
        return false;
    }
}
