using Pool.Systematic;

namespace Pool.Systematic.Timelines;

/// <summary>
/// What the HTML timeline of a failing schedule draws, worked out from its readable interleaving: one lane per
/// thread, one row per step (and a last row for the state the bug left), the blocked stretches of each lane, and
/// the failing step.
/// </summary>
internal sealed class Timeline
{
    /// <summary>A thread's lane: its column among the lanes and the rows in which it appears.</summary>
    /// <param name="ThreadId">Controlled thread number.</param>
    /// <param name="Name">The thread's name, as the test gave it.</param>
    /// <param name="Index">0-based position among the lanes (by thread number).</param>
    /// <param name="FirstRow">First row with a step or a wait of this thread.</param>
    /// <param name="LastRow">Last such row.</param>
    internal sealed record Lane(int ThreadId, string Name, int Index, int FirstRow, int LastRow);

    /// <summary>Consecutive rows in which a thread waited for the same thing.</summary>
    /// <param name="ThreadId">The waiting thread.</param>
    /// <param name="FirstRow">First row of the stretch.</param>
    /// <param name="LastRow">Last row of the stretch (inclusive).</param>
    /// <param name="Kind"><c>lock</c>, <c>condition</c>, <c>join</c> or <c>sleep</c>.</param>
    /// <param name="WaitsFor">What the thread waited for.</param>
    internal sealed record Stretch(
        int ThreadId,
        int FirstRow,
        int LastRow,
        string Kind,
        string WaitsFor
    );

    private Timeline(
        IReadOnlyList<TraceStep> steps,
        IReadOnlyList<Lane> lanes,
        IReadOnlyList<Stretch> stretches,
        int? failingRow,
        bool hasEndRow
    )
    {
        Steps = steps;
        Lanes = lanes;
        Stretches = stretches;
        FailingRow = failingRow;
        HasEndRow = hasEndRow;
    }

    /// <summary>The steps, one row each, in schedule order.</summary>
    internal IReadOnlyList<TraceStep> Steps { get; }

    /// <summary>The lanes, by thread number.</summary>
    internal IReadOnlyList<Lane> Lanes { get; }

    /// <summary>Every blocked stretch of every lane.</summary>
    internal IReadOnlyList<Stretch> Stretches { get; }

    /// <summary>The row of the step after which the bug struck (the failing thread's last step), or null.</summary>
    internal int? FailingRow { get; }

    /// <summary>True when a last row (number <c>Steps.Count</c>) shows what each thread waited for when the bug struck.</summary>
    internal bool HasEndRow { get; }

    /// <summary>True for the steps in which a buffered write reaches memory (the <c>tso</c> and <c>pso</c> models).</summary>
    internal static bool IsFlush(TraceStep step) =>
        step.Operation.StartsWith("(store buffer", StringComparison.Ordinal);

    /// <summary>Lays out the interleaving of a bug found on <paramref name="bugThread"/> (or of a run without a bug).</summary>
    internal static Timeline Of(
        IReadOnlyList<TraceStep> steps,
        IReadOnlyList<ThreadWait> finalWaits,
        bool bugFound,
        string? bugThread
    )
    {
        var hasEndRow = bugFound && steps.Count > 0;
        var rows = steps.Count + (hasEndRow ? 1 : 0);
        var waitsByRow = new IReadOnlyList<ThreadWait>[rows];
        IReadOnlyList<ThreadWait> enclosing = [];
        for (var row = 0; row < steps.Count; row++)
        {
            // A flush happens inside the step before it: the other threads wait as they did then.
            if (!IsFlush(steps[row]))
            {
                enclosing = steps[row].Waits;
            }
            waitsByRow[row] = enclosing;
        }
        if (hasEndRow)
        {
            waitsByRow[^1] = finalWaits;
        }

        var names = new SortedDictionary<int, string>();
        var first = new Dictionary<int, int>();
        var last = new Dictionary<int, int>();
        void Seen(int thread, string name, int row)
        {
            names.TryAdd(thread, name);
            first.TryAdd(thread, row);
            last[thread] = row;
        }
        var stretches = new List<Stretch>();
        var open = new Dictionary<int, Stretch>();
        for (var row = 0; row < rows; row++)
        {
            var running = row < steps.Count ? steps[row].ThreadId : -1;
            if (running >= 0)
            {
                Seen(running, steps[row].ThreadName, row);
            }
            var waiting = new HashSet<int>();
            foreach (var wait in waitsByRow[row])
            {
                if (wait.ThreadId == running || !waiting.Add(wait.ThreadId))
                {
                    continue;
                }
                Seen(wait.ThreadId, wait.ThreadName, row);
                if (
                    open.TryGetValue(wait.ThreadId, out var stretch)
                    && stretch.LastRow == row - 1
                    && stretch.Kind == wait.Kind
                    && stretch.WaitsFor == wait.WaitsFor
                )
                {
                    open[wait.ThreadId] = stretch with { LastRow = row };
                    continue;
                }
                if (open.Remove(wait.ThreadId, out var ended))
                {
                    stretches.Add(ended);
                }
                open[wait.ThreadId] = new Stretch(
                    wait.ThreadId,
                    row,
                    row,
                    wait.Kind,
                    wait.WaitsFor
                );
            }
            foreach (var thread in open.Keys.Where(t => !waiting.Contains(t)).ToList())
            {
                stretches.Add(open[thread]);
                open.Remove(thread);
            }
        }
        stretches.AddRange(open.Values);

        var lanes = names
            .Select(
                (pair, index) =>
                    new Lane(pair.Key, pair.Value, index, first[pair.Key], last[pair.Key])
            )
            .ToList();
        return new Timeline(
            steps,
            lanes,
            [.. stretches.OrderBy(s => s.FirstRow).ThenBy(s => s.ThreadId)],
            bugFound ? FailingRowOf(steps, bugThread) : null,
            hasEndRow
        );
    }

    private static int? FailingRowOf(IReadOnlyList<TraceStep> steps, string? bugThread)
    {
        int? lastStep = null;
        for (var row = steps.Count - 1; row >= 0; row--)
        {
            if (IsFlush(steps[row]))
            {
                continue;
            }
            lastStep ??= row;
            if (steps[row].ThreadName == bugThread)
            {
                return row;
            }
        }
        return lastStep;
    }
}
