namespace Pool.Systematic.Strategies;

/// <summary>
/// Exhaustive depth-first search over schedules (stateless, as CHESS and shuttle do): each iteration
/// replays the previous path up to its deepest decision with an untried alternative, takes that
/// alternative, and goes on with first choices. No schedule is visited twice; when every alternative is
/// used, <see cref="Exhausted"/> is set. First choice at each point: the current thread, so that
/// schedules with few preemptions come first. With a preemption bound, alternatives that would exceed it
/// are skipped (and <see cref="Exhausted"/> then means: every schedule within the bound).
/// </summary>
internal sealed class DfsStrategy(int? preemptionBound) : ISchedulingStrategy
{
    private readonly List<Frame> _path = [];
    private int _depth;
    private int _preemptions;

    public string Name => preemptionBound is { } bound ? $"dfs(preemptions<={bound})" : "dfs";

    /// <summary>True once every schedule has been run.</summary>
    internal bool Exhausted { get; private set; }

    public void BeginIteration(long index)
    {
        _depth = 0;
        _preemptions = 0;
    }

    public void ThreadCreated(int id) { }

    public int PickThread(in SchedulingPoint point)
    {
        var frame = Enter(point.Enabled.Count, point.Current >= 0, Fingerprint(point));
        var chosen = OptionAt(point, frame.Chosen);
        if (frame.CurrentEnabled && frame.Chosen > 0)
        {
            _preemptions++;
        }
        return chosen;
    }

    public int PickValue(int count, int step) =>
        Enter(count, currentEnabled: false, fingerprint: -count).Chosen;

    public bool EndIteration(int steps)
    {
        _path.RemoveRange(_depth, _path.Count - _depth);
        while (_path.Count > 0)
        {
            var top = _path[^1];
            for (var next = top.Chosen + 1; next < top.Options; next++)
            {
                if (Allowed(top, next))
                {
                    _path[^1] = top with { Chosen = next };
                    return true;
                }
            }
            _path.RemoveAt(_path.Count - 1);
        }
        Exhausted = true;
        return false;
    }

    private Frame Enter(int options, bool currentEnabled, long fingerprint)
    {
        Frame frame;
        if (_depth < _path.Count)
        {
            frame = _path[_depth];
            if (frame.Fingerprint != fingerprint)
            {
                throw new NondeterminismException(
                    $"dfs: at step {_depth} the enabled threads differ from an earlier run of the same prefix; "
                        + "the test depends on something the explorer does not control (real time, randomness, "
                        + "uncontrolled threads or static state left from an earlier iteration)."
                );
            }
        }
        else
        {
            frame = new Frame(options, 0, _preemptions, currentEnabled, fingerprint);
            _path.Add(frame);
        }
        _depth++;
        return frame;
    }

    private bool Allowed(Frame frame, int option) =>
        preemptionBound is not { } bound
        || !frame.CurrentEnabled
        || option == 0
        || frame.PreemptionsBefore < bound;

    /// <summary>Option 0 is the current thread when it is enabled; the rest follow in id order.</summary>
    private static int OptionAt(in SchedulingPoint point, int option)
    {
        if (point.Current < 0)
        {
            return point.Enabled[option];
        }
        if (option == 0)
        {
            return point.Current;
        }
        var skipped = 0;
        foreach (var id in point.Enabled)
        {
            if (id == point.Current)
            {
                continue;
            }
            if (++skipped == option)
            {
                return id;
            }
        }
        throw new ArgumentOutOfRangeException(nameof(option));
    }

    private static long Fingerprint(in SchedulingPoint point)
    {
        long hash = point.Current + 1;
        foreach (var id in point.Enabled)
        {
            hash = (hash * 31) + id + 1;
        }
        return hash;
    }

    private readonly record struct Frame(
        int Options,
        int Chosen,
        int PreemptionsBefore,
        bool CurrentEnabled,
        long Fingerprint
    );
}
