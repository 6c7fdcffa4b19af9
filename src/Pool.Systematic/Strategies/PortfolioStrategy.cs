namespace Pool.Systematic.Strategies;

/// <summary>
/// Rotates member strategies across iterations (iteration i uses member i mod n), as Coyote's fair
/// portfolio does: no single strategy's blind spot is shared by the whole run.
/// </summary>
internal sealed class PortfolioStrategy(IReadOnlyList<ISchedulingStrategy> members)
    : ISchedulingStrategy
{
    private ISchedulingStrategy _current = members[0];

    public string Name => "portfolio";

    /// <summary>The member running the current iteration.</summary>
    internal ISchedulingStrategy Current => _current;

    public void BeginIteration(long index)
    {
        _current = members[(int)(index % members.Count)];
        _current.BeginIteration(index);
    }

    public void ThreadCreated(int id) => _current.ThreadCreated(id);

    public int PickThread(in SchedulingPoint point) => _current.PickThread(point);

    public int PickValue(int count, int step) => _current.PickValue(count, step);

    public bool EndIteration(int steps)
    {
        _current.EndIteration(steps);
        return true;
    }
}
