using Pool.Threading;

namespace Pool.Systematic.Runtime;

/// <summary>
/// An atomic under the explorer: every operation is a scheduling point. Under the "tso" and "pso" memory models a
/// write waits in the writing thread's store buffer (its own reads see it, others read memory) and read-modify-writes
/// are full fences: they drain the buffer first.
/// </summary>
internal sealed class ControlledAtomic(Iteration iteration, long initialValue) : IAtomicInt64
{
    private long _memory = initialValue;
    private readonly int _number = iteration.NumberObject();

    public long Read()
    {
        var me = At("Atomic.Read", writes: false);
        if (me is not null && iteration.StoreBuffering)
        {
            for (var i = me.StoreBuffer.Count - 1; i >= 0; i--)
            {
                if (me.StoreBuffer[i].Atomic == this)
                {
                    return me.StoreBuffer[i].Value; // a thread sees its own writes first
                }
            }
            iteration.ObserveStores(this, me);
        }
        return _memory;
    }

    public void Write(long value) => Store(At("Atomic.Write", writes: true), value, relaxed: false);

    public long ReadRelaxed() => Read(); // load reordering is not modelled: a relaxed read is a read

    public void WriteRelaxed(long value) =>
        Store(At("Atomic.WriteRelaxed", writes: true), value, relaxed: true);

    private void Store(ControlledThread? me, long value, bool relaxed)
    {
        if (me is not null && iteration.StoreBuffering)
        {
            me.StoreBuffer.Add(new StoreBufferEntry(this, value, relaxed));
            return;
        }
        _memory = value;
    }

    public long Add(long delta)
    {
        Fence(At("Atomic.Add", writes: true));
        return _memory += delta;
    }

    public long Exchange(long value)
    {
        Fence(At("Atomic.Exchange", writes: true));
        var old = _memory;
        _memory = value;
        return old;
    }

    public long CompareExchange(long value, long comparand)
    {
        Fence(At("Atomic.CompareExchange", writes: true));
        var old = _memory;
        if (old == comparand)
        {
            _memory = value;
        }
        return old;
    }

    /// <summary>A buffered write reaches memory (chosen at another thread's read, or a fence of its thread).</summary>
    internal void Publish(long value) => _memory = value;

    // A read-modify-write drains its own buffer, then reads memory like any read.
    private void Fence(ControlledThread? me)
    {
        if (me is not null && iteration.StoreBuffering)
        {
            iteration.Drain(me);
            iteration.ObserveStores(this, me);
        }
    }

    // The calling thread, or null while the iteration unwinds (no scheduling, no buffering then).
    private ControlledThread? At(string operation, bool writes)
    {
        var me = iteration.Current;
        if (iteration.Stopped)
        {
            return null;
        }
        iteration.Point(operation, writes ? Access.Writing(_number) : Access.Reading(_number));
        return me;
    }
}
