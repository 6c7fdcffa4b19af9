using Pool.Threading;

namespace Pool.Systematic.Runtime;

/// <summary>A 64-bit atomic whose every operation is one scheduling point followed by the operation.</summary>
internal sealed class ControlledAtomic(Iteration iteration, long initialValue) : IAtomicInt64
{
    private long _value = initialValue;

    public long Read()
    {
        At("Atomic.Read");
        return _value;
    }

    public void Write(long value)
    {
        At("Atomic.Write");
        _value = value;
    }

    public long Add(long delta)
    {
        At("Atomic.Add");
        return _value += delta;
    }

    public long Exchange(long value)
    {
        At("Atomic.Exchange");
        var old = _value;
        _value = value;
        return old;
    }

    public long CompareExchange(long value, long comparand)
    {
        At("Atomic.CompareExchange");
        var old = _value;
        if (old == comparand)
        {
            _value = value;
        }
        return old;
    }

    private void At(string operation)
    {
        _ = iteration.Current;
        if (!iteration.Stopped)
        {
            iteration.Point(operation);
        }
    }
}
