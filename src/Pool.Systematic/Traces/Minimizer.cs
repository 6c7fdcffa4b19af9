using System.Diagnostics;
using Pool.Systematic.Runtime;
using Pool.Systematic.Strategies;

namespace Pool.Systematic.Traces;

/// <summary>
/// Shrinks a failing schedule while it still fails the same way (same bug kind, exception type and
/// message): first fewer preemptions, then fewer steps. A schedule is seen as segments of one thread's
/// consecutive steps; each candidate removes one segment boundary, either by postponing a segment to
/// its thread's next segment or by pulling that next segment forward, and is run under
/// <see cref="GuidedStrategy"/>. Greedy: the first improvement is kept and the search restarts from it,
/// until no candidate improves or the budget (runs and real time) is spent.
/// </summary>
internal sealed class Minimizer(
    Func<ISchedulingStrategy, IterationResult> run,
    int maxRuns,
    TimeSpan maxTime
)
{
    /// <summary>Returns the smallest failing run found (the input itself if nothing smaller fails the same way).</summary>
    internal IterationResult Minimize(IterationResult failing)
    {
        var signature = failing.Bug!.Signature;
        var clock = Stopwatch.StartNew();
        var runs = 0;
        var best = failing;
        while (true)
        {
            var values = best.Decisions.Where(d => d.IsValue).Select(d => d.Choice).ToList();
            IterationResult? better = null;
            foreach (var candidate in Candidates(Segments(best.Decisions)))
            {
                if (runs++ >= maxRuns || clock.Elapsed > maxTime)
                {
                    return best;
                }
                var result = run(new GuidedStrategy(candidate, values, failing.GuardsBlocking));
                if (result.Bug?.Signature == signature && IsBetter(result, best))
                {
                    better = result;
                    break;
                }
            }
            if (better is null)
            {
                return best;
            }
            best = better;
        }
    }

    private static bool IsBetter(IterationResult candidate, IterationResult best) =>
        candidate.Preemptions < best.Preemptions
        || (candidate.Preemptions == best.Preemptions && candidate.Steps < best.Steps);

    internal static List<Segment> Segments(IReadOnlyList<Decision> decisions)
    {
        var segments = new List<Segment>();
        foreach (var decision in decisions)
        {
            if (decision.IsValue)
            {
                continue;
            }
            if (segments.Count > 0 && segments[^1].Thread == decision.Choice)
            {
                segments[^1] = segments[^1] with { Steps = segments[^1].Steps + 1 };
            }
            else
            {
                segments.Add(new Segment(decision.Choice, 1));
            }
        }
        return segments;
    }

    private static IEnumerable<List<Segment>> Candidates(List<Segment> segments)
    {
        for (var j = 1; j < segments.Count; j++)
        {
            var thread = segments[j].Thread;
            var later = segments.FindIndex(j + 1, s => s.Thread == thread);

            var postponed = new List<Segment>(segments);
            postponed.RemoveAt(j);
            if (later < 0)
            {
                postponed.Add(segments[j]);
            }
            else
            {
                postponed[later - 1] = segments[later] with
                {
                    Steps = segments[later].Steps + segments[j].Steps,
                };
            }
            yield return postponed;

            if (later >= 0)
            {
                var advanced = new List<Segment>(segments);
                advanced[j] = segments[j] with
                {
                    Steps = segments[j].Steps + segments[later].Steps,
                };
                advanced.RemoveAt(later);
                yield return advanced;
            }
        }
    }
}
