namespace Pool;

/// <summary>
/// A growable array of <see cref="PoolTask"/> values, filled from index 0. Not thread-safe: producers
/// append to it under the <see cref="PutGate"/> of <see cref="TaskQueue"/>; once swapped into the get list it is
/// frozen and consumers only read it (<see cref="Items"/>), claiming indexes through the <see cref="ClaimWord"/>.
/// It never shrinks, so a queue in steady state allocates nothing.
/// </summary>
internal sealed class TaskRing
{
    private PoolTask[] _items = new PoolTask[64];
    private int _count;

    public int Count => _count;

    /// <summary>The backing array; valid up to <see cref="Count"/>, and replaced when the ring grows.</summary>
    public PoolTask[] Items => _items;

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
