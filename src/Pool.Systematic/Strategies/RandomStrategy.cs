namespace Pool.Systematic.Strategies;

/// <summary>Uniformly random choice among the enabled threads at every point.</summary>
internal sealed class RandomStrategy(ulong seed) : ISchedulingStrategy
{
    private SplitMix _random = new(seed);

    public string Name => "random";

    public void BeginIteration(long index) => _random = new SplitMix(SplitMix.Derive(seed, index));

    public void ThreadCreated(int id) { }

    public int PickThread(in SchedulingPoint point) =>
        point.Enabled[_random.Below(point.Enabled.Count)];

    public int PickValue(int count, int step) => _random.Below(count);

    public bool EndIteration(int steps) => true;
}
