using Pool.Threading;

namespace Pool;

/// <summary>
/// Every worker's <see cref="ClaimedTasks"/> slot, owned or left behind by a worker that left. Not
/// thread-safe: <see cref="TaskQueue"/> calls every member with its get lock held. The slots themselves are
/// thread-safe; this only keeps the list of them.
/// </summary>
internal sealed class ClaimedTaskSlots(IThreading threading)
{
    private readonly List<ClaimedTasks> _slots = [];

    /// <summary>A slot for a starting worker: one left behind, with any tasks still in it, or a new one.</summary>
    public ClaimedTasks Join()
    {
        foreach (var slot in _slots)
        {
            if (slot.TryAdopt())
            {
                return slot;
            }
        }
        var fresh = new ClaimedTasks(threading);
        _slots.Add(fresh);
        return fresh;
    }

    /// <summary>Whether any slot holds a task; a snapshot.</summary>
    public bool AnyTasks() => _slots.Exists(slot => slot.Count != 0);

    /// <summary>For an idle worker: takes the oldest task of the first slot that has one (busy owner or gone).</summary>
    public bool TrySteal(out PoolTask task)
    {
        foreach (var slot in _slots)
        {
            if (slot.TryTake(out task))
            {
                return true;
            }
        }
        task = default;
        return false;
    }

    /// <summary>
    /// For the drain, when no other worker takes tasks any more: the oldest task of all slots. Each slot is a
    /// run of consecutive tasks, so taking the oldest each time hands them over in queue order.
    /// </summary>
    public bool TryTakeOldest(out PoolTask task)
    {
        ClaimedTasks? oldest = null;
        foreach (var slot in _slots)
        {
            if (
                slot.Count != 0
                && (oldest is null || slot.OldestPosition.CompareTo(oldest.OldestPosition) < 0)
            )
            {
                oldest = slot;
            }
        }
        task = default;
        return oldest is not null && oldest.TryTake(out task);
    }
}
