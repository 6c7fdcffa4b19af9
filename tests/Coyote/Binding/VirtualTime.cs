namespace Coyote.Binding;

/// <summary>
/// The threads and the virtual time of one Coyote test iteration, with the explorer's rule for time: a timed block
/// (a timed wait, a sleep) ends by timeout only when no thread of the test can run and no other timed block ends
/// earlier; then the clock jumps to its deadline. Coyote itself does not time out a timed
/// <see cref="Monitor.Wait(object, TimeSpan)"/> (it waits as if untimed), so the binding keeps that rule itself: every
/// thread that is about to block calls <see cref="BeforeBlocking"/>, which ends the earliest timed block when nothing
/// else can run.
/// </summary>
/// <remarks>
/// Coyote runs one controlled thread at a time and hands over with full fences, so these plain fields need no lock:
/// only the controlled threads of one iteration touch them, and touching them is no scheduling point.
/// </remarks>
internal sealed class VirtualTime
{
    private readonly List<ThreadRecord> _threads = [];
    private readonly ThreadLocal<ThreadRecord?> _current = new();

    internal TimeSpan Now { get; private set; }

    /// <summary>The calling thread's record (made on first use: the thread that runs the test).</summary>
    internal ThreadRecord Current => _current.Value ??= Add();

    /// <summary>A record for a thread about to start: it counts as able to run from now on.</summary>
    internal ThreadRecord Add()
    {
        var record = new ThreadRecord();
        _threads.Add(record);
        return record;
    }

    /// <summary>Runs on the new thread first: binds its record.</summary>
    internal void Bind(ThreadRecord record) => _current.Value = record;

    /// <summary>
    /// Called by a thread that has marked itself blocked, finished or timed, just before it blocks in Coyote: when no
    /// thread can run any more, the earliest timed block times out, and the clock jumps to its deadline.
    /// </summary>
    internal void BeforeBlocking()
    {
        ThreadRecord? earliest = null;
        foreach (var thread in _threads)
        {
            if (thread.Deadline is { } deadline)
            {
                if (earliest is null || deadline < earliest.Deadline)
                {
                    earliest = thread;
                }
            }
            else if (!thread.IsBlocked)
            {
                return; // it can run: time stands still
            }
        }
        if (earliest is null)
        {
            return; // every thread blocked and none timed: a deadlock, which Coyote reports
        }
        if (earliest.Deadline > Now)
        {
            Now = earliest.Deadline.Value;
        }
        earliest.Deadline = null;
        earliest.TimedOut = true;
        earliest.OnTimeout?.Invoke();
        earliest.OnTimeout = null;
        earliest.Wakeup.Release();
    }

    /// <summary>Blocks the calling thread until <paramref name="deadline"/> (virtual): true if it timed out.</summary>
    internal void BlockUntil(
        ThreadRecord me,
        TimeSpan deadline,
        Action? onTimeout,
        Action? beforeSleep = null
    )
    {
        me.Deadline = deadline;
        me.TimedOut = false;
        me.OnTimeout = onTimeout;
        BeforeBlocking();
        beforeSleep?.Invoke();
        me.Wakeup.Wait();
    }
}
