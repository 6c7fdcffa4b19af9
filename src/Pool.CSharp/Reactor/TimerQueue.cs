namespace Pool.Reactor;

/// <summary>
/// The loop's timers, ordered by deadline then by creation. Loop thread only: adds and cancels from other
/// threads reach it as functors, so they are processed in the order they were made.
/// </summary>
internal sealed class TimerQueue
{
    private readonly PriorityQueue<Timer, (TimeSpan Due, long Id)> _byDeadline = new();
    private readonly Dictionary<long, Timer> _active = [];
    private long _runningId = -1;
    private bool _runningCancelled;

    internal int Count => _active.Count;

    internal void Add(TimerId id, TimeSpan due, TimeSpan? interval, Action callback)
    {
        var timer = new Timer(id.Value, due, interval, callback);
        _active.Add(id.Value, timer);
        _byDeadline.Enqueue(timer, (due, id.Value));
    }

    /// <summary>Cancels a timer: it never fires again, even when cancelled from inside its own callback.</summary>
    internal void Cancel(TimerId id)
    {
        _active.Remove(id.Value);
        if (id.Value == _runningId)
        {
            _runningCancelled = true;
        }
    }

    /// <summary>The earliest deadline of an active timer, or null.</summary>
    internal TimeSpan? NextDue()
    {
        DropStale();
        return _byDeadline.TryPeek(out _, out var key) ? key.Due : null;
    }

    /// <summary>Runs every timer due at <paramref name="now"/>, in deadline order; re-arms repeating ones. Returns how many ran.</summary>
    internal int RunExpired(TimeSpan now)
    {
        for (var fired = 0; ; fired++)
        {
            DropStale();
            if (!_byDeadline.TryPeek(out var timer, out var key) || key.Due > now)
            {
                return fired;
            }
            _byDeadline.Dequeue();
            _runningId = timer.Id;
            _runningCancelled = false;
            try
            {
                timer.Callback();
            }
            finally
            {
                _runningId = -1;
            }
            if (timer.Interval is not null && !_runningCancelled)
            {
                var next = timer with { Due = timer.Due + timer.Interval!.Value };
                _active[timer.Id] = next;
                _byDeadline.Enqueue(next, (next.Due, next.Id));
            }
            else
            {
                _active.Remove(timer.Id);
            }
        }
    }

    /// <summary>Heap entries of cancelled timers (or of a timer's earlier deadline) are skipped lazily.</summary>
    private void DropStale()
    {
        while (
            _byDeadline.TryPeek(out var timer, out _)
            && (!_active.TryGetValue(timer.Id, out var current) || current != timer)
        )
        {
            _byDeadline.Dequeue();
        }
    }

    private sealed record Timer(long Id, TimeSpan Due, TimeSpan? Interval, Action Callback);
}
