using Pool.Threading;

namespace Coyote.Binding;

/// <summary>A thread-local value: Coyote runs each controlled thread on an operating-system thread of its own.</summary>
internal sealed class CoyoteThreadLocal<T> : IThreadLocal<T>
{
    private readonly ThreadLocal<T?> _local = new();

    public T? Value
    {
        get => _local.Value;
        set => _local.Value = value;
    }
}
