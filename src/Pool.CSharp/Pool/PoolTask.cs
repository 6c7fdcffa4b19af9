namespace Pool;

/// <summary>
/// One unit of work for a <see cref="ThreadPool"/>: a routine and the context it is called with,
/// as in the reference's <c>struct thrdpool_task</c>. A value type, so scheduling it allocates nothing.
/// </summary>
/// <param name="Routine">The code to run; <see cref="ThreadPool.Schedule(PoolTask)"/> rejects null.</param>
/// <param name="Context">The argument passed to <paramref name="Routine"/>.</param>
public readonly record struct PoolTask(Action<object?> Routine, object? Context);
