namespace Pool;

/// <summary>
/// How many times an idle consumer re-checks for what it waits for before it blocks, adapted after each block: the
/// budget doubles when the block ended within what re-checks up to the ceiling would have covered (spinning longer would
/// have saved the block and the wake-up), and halves otherwise, down to one. The waiter spins on one before it sleeps
/// (<see cref="TaskQueue"/>, under the get lock); each other consumer has its own for the re-checks before it parks
/// (<see cref="IdleConsumers.WaiterLeavesSoon"/>). So spinning goes on where work comes within microseconds, and stops
/// costing a processor where a block lasts as long as a task another worker runs.
/// </summary>
/// <remarks>
/// One thread at a time uses a budget (its owner, or whoever holds the lock that guards it), so it needs no lock of
/// its own. It starts at <see cref="Threading.IThreading.SpinCountBeforeBlocking"/> and grows to at most
/// <see cref="Threading.IThreading.SpinCountCeiling"/>: with both 1 (the explorer's default) the budget never changes,
/// and with 0 (one processor) the consumer never spins.
/// </remarks>
internal sealed class SpinBudget
{
    private readonly int _ceiling;
    private readonly int _floor; // 0 where the budget starts at 0: a consumer that never spins never starts
    private int _spins; // the re-checks before the last block
    private TimeSpan _spun; // how long they lasted

    /// <summary>A budget of <paramref name="initial"/> re-checks at first, and at most <paramref name="ceiling"/>.</summary>
    public SpinBudget(int initial, int ceiling)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initial);
        ArgumentOutOfRangeException.ThrowIfLessThan(ceiling, initial);
        _ceiling = ceiling;
        _floor = Math.Min(1, initial);
        Limit = initial;
    }

    /// <summary>The re-checks the consumer makes next time.</summary>
    public int Limit { get; private set; }

    /// <summary>The consumer re-checked <paramref name="spins"/> times, for <paramref name="spun"/>, in vain: it blocks.</summary>
    public void SpunInVain(int spins, TimeSpan spun) => (_spins, _spun) = (spins, spun);

    /// <summary>The block that followed the last re-checks lasted <paramref name="blocked"/>.</summary>
    public void Blocked(TimeSpan blocked)
    {
        var perSpin = _spins == 0 ? TimeSpan.Zero : _spun / _spins;
        Limit =
            blocked <= perSpin * (_ceiling - _spins)
                ? Math.Min(_ceiling, Math.Max(1, Limit * 2))
                : Math.Max(_floor, Limit / 2);
    }
}
