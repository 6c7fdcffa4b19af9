namespace Pool;

/// <summary>What a worker got from <see cref="TaskQueue.Dequeue"/>.</summary>
internal enum DequeueResult
{
    /// <summary>A task to run.</summary>
    Task,

    /// <summary>An exit entry put by <see cref="ThreadPool.Decrease"/>: the worker must leave.</summary>
    Exit,

    /// <summary>The pool is terminating: the worker must leave without taking more tasks.</summary>
    Closed,
}
