namespace Pool;

/// <summary>
/// A growable array of <see cref="PoolTask"/> values, filled from index 0. Not thread-safe: producers
/// append to it under the put lock of <see cref="TaskQueue"/>; once swapped into the get list it is
/// frozen and consumers only read it (<see cref="At"/>), claiming indexes through an atomic counter.
/// It never shrinks, so a queue in steady state allocates nothing.
/// </summary>
internal sealed class TaskRing
{
    private PoolTask[] _items = new PoolTask[64];
    private int _count;

    public int Count => _count;

    public void Enqueue(in PoolTask task)
    {
        var items = _items;
        var count = _count;
        if ((uint)count < (uint)items.Length)
        {
            items[count] = task;
            _count = count + 1;
            return;
        }
        EnqueueGrowing(task);
    }

    /// <summary>The task at <paramref name="index"/>. A reader racing with a writer may read a torn or stale
    /// value (never out of bounds); it must then discard it.</summary>
    public PoolTask At(int index)
    {
        var items = _items;
        return items[index & (items.Length - 1)];
    }

    /// <summary>Empties the array and drops its references, keeping the capacity.</summary>
    public void Clear()
    {
        Array.Clear(_items, 0, _count);
        _count = 0;
    }

    private void EnqueueGrowing(in PoolTask task)
    {
        var larger = new PoolTask[_items.Length * 2];
        Array.Copy(_items, larger, _count);
        _items = larger;
        larger[_count] = task;
        _count++;
    }
}
