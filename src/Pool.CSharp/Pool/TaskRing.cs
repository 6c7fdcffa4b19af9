namespace Pool;

/// <summary>
/// A growable FIFO ring of <see cref="PoolTask"/> values. Not thread-safe: each instance is guarded by
/// one lock of <see cref="TaskQueue"/>. It never shrinks, so a queue in steady state allocates nothing.
/// </summary>
internal sealed class TaskRing
{
    private PoolTask[] _items = new PoolTask[64];
    private int _head;
    private int _count;

    public int Count => _count;

    public void Enqueue(in PoolTask task)
    {
        if (_count == _items.Length)
        {
            Grow();
        }
        _items[(_head + _count) & (_items.Length - 1)] = task;
        _count++;
    }

    public bool TryDequeue(out PoolTask task)
    {
        if (_count == 0)
        {
            task = default;
            return false;
        }
        task = _items[_head];
        _items[_head] = default;
        _head = (_head + 1) & (_items.Length - 1);
        _count--;
        return true;
    }

    private void Grow()
    {
        var larger = new PoolTask[_items.Length * 2];
        for (var i = 0; i < _count; i++)
        {
            larger[i] = _items[(_head + i) & (_items.Length - 1)];
        }
        _items = larger;
        _head = 0;
    }
}
