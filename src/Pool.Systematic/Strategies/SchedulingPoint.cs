using Pool.Systematic.Runtime;

namespace Pool.Systematic.Strategies;

/// <summary>What a strategy sees when it must choose the next thread.</summary>
/// <param name="Enabled">Ids of the threads that can run, in increasing order; never empty.</param>
/// <param name="Current">Id of the thread that reached the point if it can go on, else -1 (a forced switch).</param>
/// <param name="Step">0-based index of this decision in the iteration.</param>
/// <param name="IsYield">The current thread reached the point by yielding or spinning (it waits for another thread).</param>
internal readonly record struct SchedulingPoint(
    IReadOnlyList<int> Enabled,
    int Current,
    int Step,
    bool IsYield
)
{
    /// <summary>What the next operation of each thread of <see cref="Enabled"/> touches, in the same order.</summary>
    internal IReadOnlyList<Access> Pending { get; init; } = [];

    /// <summary>
    /// A hash of <see cref="Current"/> and <see cref="Enabled"/>: a search that replays a prefix compares it with the
    /// earlier run's to detect a test that no longer does the same thing (nondeterminism).
    /// </summary>
    internal long Fingerprint()
    {
        long hash = Current + 1;
        foreach (var id in Enabled)
        {
            hash = (hash * 31) + id + 1;
        }
        return hash;
    }
}
