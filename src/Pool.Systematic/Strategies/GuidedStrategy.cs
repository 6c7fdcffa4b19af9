namespace Pool.Systematic.Strategies;

/// <summary>
/// Runs a schedule given as segments (thread, steps), used by minimisation to try edited schedules. At
/// each point it runs the earliest segment with steps left whose thread is enabled; when none is, the
/// current thread goes on (or the lowest enabled id). The segments of a recorded run reproduce it exactly.
/// Data choices replay the recorded values in order (clamped; 0 once they run out).
/// </summary>
internal sealed class GuidedStrategy(
    IReadOnlyList<Segment> segments,
    IReadOnlyList<int> values,
    bool guardsBlocking = false
) : ISchedulingStrategy
{
    public bool GuardsBlocking => guardsBlocking;

    private readonly int[] _left = new int[segments.Count];
    private int _firstOpen;
    private int _nextValue;

    public string Name => "guided";

    public void BeginIteration(long index)
    {
        for (var i = 0; i < segments.Count; i++)
        {
            _left[i] = segments[i].Steps;
        }
        _firstOpen = 0;
        _nextValue = 0;
    }

    public void ThreadCreated(int id) { }

    public int PickThread(in SchedulingPoint point)
    {
        while (_firstOpen < segments.Count && _left[_firstOpen] == 0)
        {
            _firstOpen++;
        }
        for (var i = _firstOpen; i < segments.Count; i++)
        {
            if (_left[i] > 0 && Contains(point.Enabled, segments[i].Thread))
            {
                _left[i]--;
                return segments[i].Thread;
            }
        }
        return point.Current >= 0 ? point.Current : point.Enabled[0];
    }

    public int PickValue(int count, int step) =>
        _nextValue < values.Count ? Math.Min(values[_nextValue++], count - 1) : 0;

    public bool EndIteration(int steps) => true;

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

/// <summary>A run of consecutive steps of one thread.</summary>
internal readonly record struct Segment(int Thread, int Steps);
