using Pool.Systematic.Runtime;

namespace Pool.Systematic.Coverage;

/// <summary>
/// Counts, over the iterations of one exploration, the scheduling points the code under test reached and the
/// switches made at each. Used by one iteration at a time: only the controlled thread that runs calls it.
/// </summary>
internal sealed class CoverageRecorder
{
    private readonly Dictionary<(string Operation, CallerFrame Frame), Counts> _points = [];
    private ControlledThread? _pendingThread;
    private Counts? _pending;

    /// <summary><paramref name="thread"/> reached a scheduling point announcing <paramref name="operation"/>.</summary>
    internal void Reached(ControlledThread thread, string operation)
    {
        _pending = Count(operation);
        _pendingThread = thread;
    }

    /// <summary>A thread was started (not a scheduling point: counted, never switched).</summary>
    internal void Started() => Count("Start");

    /// <summary>
    /// The scheduler picked thread <paramref name="picked"/> after <paramref name="me"/> announced an operation: a
    /// switch at the point <paramref name="me"/> reached when it could go on and another thread was picked.
    /// </summary>
    internal void Picked(ControlledThread? me, int current, int picked)
    {
        if (me is null || !ReferenceEquals(me, _pendingThread))
        {
            return;
        }
        if (current == me.Id && picked != current)
        {
            _pending!.Switches++;
        }
        _pendingThread = null;
        _pending = null;
    }

    /// <summary>The points reached so far, by file, line and operation.</summary>
    internal IReadOnlyList<PointCoverage> Points() =>
        PointCoverage.Merge([
            [
                .. _points.Select(p => new PointCoverage
                {
                    Operation = p.Key.Operation,
                    File = p.Key.Frame.File,
                    Line = p.Key.Frame.Line,
                    Method = p.Key.Frame.Method,
                    Count = p.Value.Reached,
                    Switches = p.Value.Switches,
                }),
            ],
        ]);

    private Counts Count(string operation)
    {
        var name = operation.IndexOf('(', StringComparison.Ordinal) is var open and > 0
            ? operation[..open]
            : operation;
        var frame = CallerFrame.Find(name) ?? new CallerFrame(null, 0, "?");
        if (!_points.TryGetValue((name, frame), out var counts))
        {
            counts = new Counts();
            _points.Add((name, frame), counts);
        }
        counts.Reached++;
        return counts;
    }

    private sealed class Counts
    {
        internal long Reached;
        internal long Switches;
    }
}
