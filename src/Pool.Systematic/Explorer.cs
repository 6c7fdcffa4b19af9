using Pool.Threading;

namespace Pool.Systematic;

/// <summary>
/// Runs a concurrent test many times under a controlled scheduler, one reproducible interleaving per
/// iteration, and reports the first failing one as a replayable, minimised trace.
/// </summary>
/// <remarks>
/// Call from any ordinary thread (not from a controlled one). The test receives an <see cref="IThreading"/>
/// it must use for every thread, lock, condition, atomic, thread-local and clock; code that blocks behind
/// its back is reported as uncontrolled blocking by the watchdog.
/// </remarks>
public static class Explorer
{
    /// <summary>Explores <paramref name="test"/> and reports the first bug, if any.</summary>
    /// <exception cref="ArgumentException">The options are invalid (unknown strategy, non-positive iterations, bad shard).</exception>
    public static ExplorationReport Run(Action<IThreading> test, ExplorationOptions? options = null) =>
        throw new NotImplementedException("in progress");

    /// <summary>
    /// Runs <paramref name="test"/> once, following <paramref name="trace"/> exactly. The report has
    /// <see cref="ExplorationReport.BugFound"/> set when the bug reproduces, and
    /// <see cref="ExplorationReport.Diverged"/> set (kind <see cref="BugKind.Divergence"/>) when the code no
    /// longer follows the trace.
    /// </summary>
    /// <exception cref="FormatException"><paramref name="trace"/> is not a trace this explorer wrote.</exception>
    public static ExplorationReport Replay(Action<IThreading> test, string trace, ExplorationOptions? options = null) =>
        throw new NotImplementedException("in progress");
}
