namespace Pool.Threading;

/// <summary>An <see cref="IThreadLocal{T}"/> over <see cref="ThreadLocal{T}"/>.</summary>
internal sealed class OsThreadLocal<T> : IThreadLocal<T>
{
    private readonly ThreadLocal<T?> _local = new();

    public T? Value
    {
        get => _local.Value;
        set => _local.Value = value;
    }
}
