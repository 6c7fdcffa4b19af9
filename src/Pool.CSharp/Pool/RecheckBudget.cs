namespace Pool;

/// <summary>
/// How many times one idle consumer that sees the waiter re-checks before it parks
/// (<see cref="IdleConsumers.WaiterLeavesSoon"/>), adapted as the waiter's own spin is: after a park, the budget doubles
/// when the park ended within what re-checks up to the ceiling would have covered, and halves otherwise, down to one.
/// So the re-checks go on where the waiter leaves within microseconds (work from several producers at once), and stop
/// costing a processor where one task comes at a time and a park lasts as long as the task another worker runs.
/// </summary>
/// <remarks>
/// Each consumer has its own, used by its thread only, so it needs no lock. It starts at
/// <see cref="Threading.IThreading.SpinCountBeforeBlocking"/> and grows to at most
/// <see cref="Threading.IThreading.SpinCountCeiling"/>: with both 1 (the explorer's default) the budget never changes,
/// and with 0 (one processor) the consumer never re-checks.
/// </remarks>
internal sealed class RecheckBudget
{
    private readonly int _ceiling;
    private TimeSpan _spun; // how long the last re-checks lasted, when none found the waiter gone

    /// <summary>A budget of <paramref name="initial"/> re-checks at first, and at most <paramref name="ceiling"/>.</summary>
    public RecheckBudget(int initial, int ceiling)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initial);
        ArgumentOutOfRangeException.ThrowIfLessThan(ceiling, initial);
        _ceiling = ceiling;
        Limit = initial;
    }

    /// <summary>The re-checks the consumer makes next time.</summary>
    public int Limit { get; private set; }

    /// <summary>The consumer's <see cref="Limit"/> re-checks, which took <paramref name="spun"/>, all saw the waiter: it parks.</summary>
    public void RecheckedInVain(TimeSpan spun) => _spun = spun;

    /// <summary>The park that followed the last re-checks lasted <paramref name="parked"/>.</summary>
    public void Parked(TimeSpan parked)
    {
        if (Limit == 0)
        {
            return;
        }
        var perRecheck = _spun / Limit;
        Limit =
            parked <= perRecheck * (_ceiling - Limit)
                ? Math.Min(_ceiling, Limit * 2)
                : Math.Max(1, Limit / 2);
    }
}
