using Pool.Threading;

namespace Pool.Systematic.Runtime;

/// <summary>A per-controlled-thread value; reading and writing it are not scheduling points.</summary>
internal sealed class ControlledThreadLocal<T>(Iteration iteration) : IThreadLocal<T>
{
    public T? Value
    {
        get => iteration.Current.Locals.TryGetValue(this, out var value) ? (T?)value : default;
        set => iteration.Current.Locals[this] = value;
    }
}
