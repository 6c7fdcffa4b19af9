using Pool.Systematic.Runtime;

namespace Pool.Systematic.Strategies;

/// <summary>Follows a recorded list of decisions exactly; reports the first point where that is impossible.</summary>
internal sealed class ReplayStrategy(IReadOnlyList<Decision> decisions, bool guardsBlocking = false)
    : ISchedulingStrategy
{
    public bool GuardsBlocking => guardsBlocking;

    private int _next;

    public string Name => "replay";

    public void BeginIteration(long index) => _next = 0;

    public void ThreadCreated(int id) { }

    public int PickThread(in SchedulingPoint point)
    {
        var wanted = Next(point.Step, isValue: false);
        foreach (var id in point.Enabled)
        {
            if (id == wanted)
            {
                return id;
            }
        }
        throw new NondeterminismException(
            $"replay diverged at step {point.Step}: the trace runs thread {wanted}, but the enabled threads are "
                + $"[{string.Join(", ", point.Enabled)}]. The code under test no longer follows this trace."
        );
    }

    public int PickValue(int count, int step)
    {
        var wanted = Next(step, isValue: true);
        return wanted < count
            ? wanted
            : throw new NondeterminismException(
                $"replay diverged at step {step}: the trace chooses value {wanted} of a choice with {count} options."
            );
    }

    public bool EndIteration(int steps) => true;

    private int Next(int step, bool isValue)
    {
        if (_next >= decisions.Count)
        {
            throw new NondeterminismException(
                $"replay diverged at step {step}: the trace ended, but the code under test goes on."
            );
        }
        var decision = decisions[_next++];
        return decision.IsValue == isValue
            ? decision.Choice
            : throw new NondeterminismException(
                $"replay diverged at step {step}: the trace has a {(decision.IsValue ? "data choice" : "thread choice")} "
                    + $"there, the code under test asks for a {(isValue ? "data choice" : "thread choice")}."
            );
    }
}
