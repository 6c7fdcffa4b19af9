using System.Diagnostics;

namespace Pool.Reactor.Linux;

/// <summary>
/// How long <see cref="EpollPoller"/> polls without blocking before it blocks. Sleeping in epoll_wait and being woken
/// costs the loop and the thread that wakes it microseconds (tens on a virtual machine, where an idle processor halts
/// and must be woken with an interrupt), while a poll that finds nothing costs a fraction of one. So a loop whose last
/// wait found events polls again, yielding the processor between polls, for up to its budget before it sleeps.
/// </summary>
/// <remarks>
/// The budget adapts as the thread pool's spin does: after a spin that ran out, it doubles when the event came within
/// what a spin up to the ceiling (100 µs) would have covered, and halves otherwise, down to a floor. A loop whose last
/// wait found nothing (it timed out) does not spin, so an idle loop uses no processor time; nor does a loop on a
/// machine with one processor, where nothing can arrive while it spins. Loop thread only.
/// </remarks>
internal sealed class BusyPoll
{
    /// <summary>The longest spin before a blocking wait, in <see cref="Stopwatch"/> ticks: 100 µs, or zero with one processor.</summary>
    internal static readonly long DefaultCeilingTicks =
        Environment.ProcessorCount > 1 ? Stopwatch.Frequency / 10_000 : 0;

    private readonly long _ceiling; // Stopwatch ticks
    private readonly long _floor;
    private long _budget; // Stopwatch ticks
    private bool _lastFound;

    /// <summary>A poller's spin, of at most <paramref name="ceilingTicks"/> (0: never spins).</summary>
    internal BusyPoll(long ceilingTicks)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ceilingTicks);
        _ceiling = ceilingTicks;
        _floor = ceilingTicks / 32;
        _budget = ceilingTicks;
    }

    /// <summary>
    /// How long the next wait may spin, in <see cref="Stopwatch"/> ticks: zero when <paramref name="timeoutMilliseconds"/>
    /// is zero (a poll) or the last blocking wait found nothing. A spin that finds events changes nothing: the budget
    /// stands, and the next wait spins again.
    /// </summary>
    internal long SpinTicks(int timeoutMilliseconds) =>
        timeoutMilliseconds == 0 || !_lastFound ? 0 : _budget;

    /// <summary>
    /// A blocking wait returned after <paramref name="sleptTicks"/>, following a spin of <paramref name="spunTicks"/>
    /// (zero: it did not spin), with events or a wake-up (<paramref name="found"/>) or timed out.
    /// </summary>
    internal void Blocked(long spunTicks, long sleptTicks, bool found)
    {
        if (spunTicks > 0)
        {
            _budget =
                sleptTicks <= _ceiling - spunTicks
                    ? Math.Min(_ceiling, _budget * 2)
                    : Math.Max(_floor, _budget / 2);
        }
        _lastFound = found;
    }
}
