namespace Pool.Systematic.Strategies;

/// <summary>A small, fast, seedable random generator (SplitMix64): the explorer's only source of randomness.</summary>
internal sealed class SplitMix(ulong seed)
{
    private ulong _state = seed;

    /// <summary>Mixes a base seed with an index into an independent seed (used per iteration and per shard).</summary>
    internal static ulong Derive(ulong seed, long index) =>
        new SplitMix(seed ^ (0x9E3779B97F4A7C15UL * (ulong)(index + 1))).Next();

    internal ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform integer in [0, bound).</summary>
    internal int Below(int bound) => (int)(Next() % (ulong)bound);
}
