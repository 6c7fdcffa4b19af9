namespace Pool.Systematic.Strategies;

/// <summary>
/// Exhaustive depth-first search over schedules (stateless, as CHESS and shuttle do): each iteration
/// replays the previous path up to its deepest decision with an untried alternative, takes that
/// alternative, and goes on with first choices. No schedule is visited twice; when every alternative is
/// used, <see cref="Exhausted"/> is set. First choice at each point: the current thread, so that
/// schedules with few preemptions come first. With a preemption bound, alternatives that would exceed it
/// are skipped (and <see cref="Exhausted"/> then means: every schedule within the bound). At a yield or
/// spin the preemption is the reverse: staying on the spinning thread while another could run.
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
        var frame = Enter(
            point.Enabled.Count,
            point.Current >= 0,
            point.Fingerprint(),
            point.IsYield
        );
        _preemptions += Cost(frame, frame.Chosen);
        return OptionAt(point, OptionOf(frame, frame.Chosen));
    }

    public int PickValue(int count, int step) =>
        Enter(count, currentEnabled: false, fingerprint: -count, isYield: false).Chosen;

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

    private Frame Enter(int options, bool currentEnabled, long fingerprint, bool isYield)
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
            frame = new Frame(options, 0, _preemptions, currentEnabled, fingerprint, isYield);
            _path.Add(frame);
        }
        _depth++;
        return frame;
    }

    private bool Allowed(Frame frame, int ordinal) =>
        preemptionBound is not { } bound
        || Cost(frame, ordinal) == 0
        || frame.PreemptionsBefore < bound;

    /// <summary>
    /// Alternatives are tried in order of cost: at an ordinary point the current thread (option 0) first; at a yield or
    /// spin the others first and the current thread last.
    /// </summary>
    private static int OptionOf(Frame frame, int ordinal) =>
        frame.IsYield && frame.CurrentEnabled && frame.Options > 1
            ? (ordinal + 1) % frame.Options
            : ordinal;

    /// <summary>
    /// 1 when the alternative is a preemption: switching away from a thread that could go on; at a yield or spin the
    /// reverse, staying on the spinning thread while another could run (it waits for another thread, so letting it spin
    /// on is the unfair choice; without this rule a bound would not bound spin loops).
    /// </summary>
    private static int Cost(Frame frame, int ordinal)
    {
        if (!frame.CurrentEnabled)
        {
            return 0;
        }
        var option = OptionOf(frame, ordinal);
        return frame.IsYield ? (option == 0 && frame.Options > 1 ? 1 : 0) : (option > 0 ? 1 : 0);
    }

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

    private readonly record struct Frame(
        int Options,
        int Chosen,
        int PreemptionsBefore,
        bool CurrentEnabled,
        long Fingerprint,
        bool IsYield
    );
}
