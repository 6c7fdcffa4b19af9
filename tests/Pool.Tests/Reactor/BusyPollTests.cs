using Pool.Reactor.Linux;

namespace Pool.Tests.Reactor;

/// <summary>
/// The epoll poller's spin budget: none after a wait that found nothing or for a zero timeout, the whole ceiling after
/// a wait that found events, doubled or halved (down to a 32nd of the ceiling) by when the event came after a spin ran out.
/// </summary>
public class BusyPollTests
{
    private const long Ceiling = 3_200;

    [Fact]
    public void A_poller_that_has_found_nothing_yet_does_not_spin()
    {
        var spin = new BusyPoll(Ceiling);
        Assert.Equal(0, spin.SpinTicks(-1));
        Assert.Equal(0, spin.SpinTicks(5));
    }

    [Fact]
    public void After_a_wait_that_found_events_the_next_blocking_wait_spins_the_whole_ceiling_but_a_zero_timeout_never_spins()
    {
        var spin = new BusyPoll(Ceiling);
        spin.Blocked(spunTicks: 0, sleptTicks: 1_000_000, found: true);
        Assert.Equal(Ceiling, spin.SpinTicks(-1));
        Assert.Equal(Ceiling, spin.SpinTicks(5));
        Assert.Equal(0, spin.SpinTicks(0));
    }

    [Fact]
    public void A_wait_that_timed_out_ends_the_spinning_until_a_wait_finds_events_again()
    {
        var spin = new BusyPoll(Ceiling);
        spin.Blocked(0, 10, found: true);
        spin.Blocked(spunTicks: Ceiling, sleptTicks: 1_000_000, found: false);
        Assert.Equal(0, spin.SpinTicks(-1));
        spin.Blocked(0, 1_000_000, found: true);
        Assert.Equal(Ceiling / 2, spin.SpinTicks(-1)); // the budget halved by the spin that ran out
    }

    [Fact]
    public void Events_that_come_long_after_each_spin_halve_the_budget_down_to_the_floor_and_no_further()
    {
        var spin = new BusyPoll(Ceiling);
        spin.Blocked(0, 10, found: true);
        var expected = new[] { 1_600L, 800, 400, 200, 100, 100, 100 };
        foreach (var budget in expected)
        {
            spin.Blocked(spunTicks: spin.SpinTicks(-1), sleptTicks: Ceiling, found: true);
            Assert.Equal(budget, spin.SpinTicks(-1));
        }
    }

    [Fact]
    public void An_event_that_a_longer_spin_would_have_caught_doubles_the_budget_up_to_the_ceiling()
    {
        var spin = new BusyPoll(Ceiling);
        spin.Blocked(0, 10, found: true);
        spin.Blocked(Ceiling, sleptTicks: Ceiling, found: true); // came too late even for the ceiling: halves
        spin.Blocked(Ceiling / 2, sleptTicks: Ceiling / 4, found: true); // within the ceiling's reach: doubles
        Assert.Equal(Ceiling, spin.SpinTicks(-1));
        spin.Blocked(Ceiling, sleptTicks: 0, found: true); // at the ceiling already: stays
        Assert.Equal(Ceiling, spin.SpinTicks(-1));
    }

    [Fact]
    public void A_ceiling_of_zero_never_spins()
    {
        var spin = new BusyPoll(0);
        spin.Blocked(0, 10, found: true);
        Assert.Equal(0, spin.SpinTicks(-1));
    }

    [Fact]
    public void A_negative_ceiling_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BusyPoll(-1));
    }
}
