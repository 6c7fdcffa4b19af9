namespace Pool.Systematic.Strategies;

/// <summary>
/// Keeps running the current thread and switches to a random enabled thread with a small probability at
/// each point: long uninterrupted runs with a few random preemptions (the "probabilistic random" member of
/// Coyote's portfolio).
/// </summary>
internal sealed class ProbabilisticStrategy(ulong seed, int switchOneIn) : ISchedulingStrategy
{
    private SplitMix _random = new(seed);

    public string Name => $"prob(1/{switchOneIn})";

    public void BeginIteration(long index) => _random = new SplitMix(SplitMix.Derive(seed, index));

    public void ThreadCreated(int id) { }

    public int PickThread(in SchedulingPoint point) =>
        point.Current >= 0 && !point.IsYield && _random.Below(switchOneIn) != 0
            ? point.Current
            : point.Enabled[_random.Below(point.Enabled.Count)];

    public int PickValue(int count, int step) => _random.Below(count);

    public bool EndIteration(int steps) => true;
}
