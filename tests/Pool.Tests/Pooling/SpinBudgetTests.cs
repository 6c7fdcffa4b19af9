namespace Pool.Tests.Pooling;

/// <summary>
/// How an idle consumer's re-checks before it parks adapt: long parks (one task at a time, run by another worker)
/// shrink them to one, short parks (the waiter leaves soon) grow them up to the ceiling, never past it. Pure
/// arithmetic on the durations given, so every outcome is exact.
/// </summary>
public class SpinBudgetTests
{
    private static readonly TimeSpan OneMicrosecond = TimeSpan.FromTicks(10);

    // The consumer re-checks as often as its budget says, 1 µs each, all in vain, then parks for `parked`.
    private static int ParkFor(SpinBudget budget, TimeSpan parked)
    {
        budget.SpunInVain(budget.Limit, OneMicrosecond * budget.Limit);
        budget.Blocked(parked);
        return budget.Limit;
    }

    [Fact]
    public void Parks_longer_than_the_rechecks_up_to_the_ceiling_could_cover_halve_the_budget_down_to_one()
    {
        var budget = new SpinBudget(40, 200);
        var limits = Enumerable
            .Range(0, 7)
            .Select(_ => ParkFor(budget, TimeSpan.FromMicroseconds(250))) // 200 re-checks take 200 µs
            .ToList();
        Assert.Equal([20, 10, 5, 2, 1, 1, 1], limits);
    }

    [Fact]
    public void Parks_that_end_within_the_ceilings_rechecks_double_the_budget_up_to_the_ceiling()
    {
        var budget = new SpinBudget(40, 200);
        var limits = Enumerable
            .Range(0, 5)
            .Select(_ => ParkFor(budget, TimeSpan.FromMicroseconds(30)))
            .ToList();
        Assert.Equal([80, 160, 200, 100, 200], limits); // at the ceiling no longer spin could have covered a park
    }

    [Fact]
    public void Whether_a_park_was_short_is_judged_against_the_rechecks_left_below_the_ceiling()
    {
        var budget = new SpinBudget(40, 200);
        Assert.Equal(20, ParkFor(budget, TimeSpan.FromMicroseconds(161))); // 160 more re-checks would not have covered it
        Assert.Equal(40, ParkFor(budget, TimeSpan.FromMicroseconds(180))); // 180 more would have
    }

    [Theory]
    [InlineData(0)] // one processor: never re-checks
    [InlineData(1)] // the explorer's default: always one re-check
    public void A_ceiling_of_zero_or_one_never_changes(int ceiling)
    {
        var budget = new SpinBudget(ceiling, ceiling);
        Assert.Equal(ceiling, ParkFor(budget, TimeSpan.FromMilliseconds(1)));
        Assert.Equal(ceiling, ParkFor(budget, TimeSpan.Zero));
    }

    [Fact]
    public void A_negative_budget_or_a_ceiling_below_it_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpinBudget(-1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpinBudget(40, 39));
    }
}
