using Pool.Threading;

namespace Pool.Systematic;

/// <summary>
/// Data choices for test doubles (a simulated network choosing a partial read, say): under the explorer the
/// strategy picks the value, the trace records it and replay repeats it, so a choice is explored like an
/// interleaving.
/// </summary>
public static class Nondeterminism
{
    /// <summary>
    /// A value in [0, <paramref name="count"/>): chosen by the engine when <paramref name="threading"/> is a
    /// controlled implementation that is an <see cref="IChoiceSource"/> (call it from a controlled thread), otherwise
    /// always 0.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    public static int Choose(IThreading threading, int count)
    {
        ArgumentNullException.ThrowIfNull(threading);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return threading is IChoiceSource controlled && count > 1 ? controlled.Choose(count) : 0;
    }
}
