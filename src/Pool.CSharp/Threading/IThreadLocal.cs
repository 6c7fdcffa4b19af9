namespace Pool.Threading;

/// <summary>A variable with one value per thread, created by <see cref="IThreading.CreateThreadLocal{T}"/>.</summary>
/// <typeparam name="T">The value's type.</typeparam>
public interface IThreadLocal<T>
{
    /// <summary>The calling thread's value; <c>default</c> on a thread that never set it.</summary>
    T? Value { get; set; }
}
