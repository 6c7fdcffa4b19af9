namespace Pool;

/// <summary>The life cycle of a <see cref="ThreadPool"/>; it only moves forward.</summary>
internal enum PoolState
{
    /// <summary>Accepting everything.</summary>
    Running,

    /// <summary><see cref="ThreadPool.Destroy"/> has started: workers leave, the queue drains to pending.</summary>
    Destroying,

    /// <summary><see cref="ThreadPool.Destroy"/> has returned.</summary>
    Destroyed,
}
