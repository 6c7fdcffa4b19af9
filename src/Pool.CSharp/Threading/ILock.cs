namespace Pool.Threading;

/// <summary>A non-reentrant mutual-exclusion lock created by <see cref="IThreading.CreateLock"/>.</summary>
public interface ILock
{
    /// <summary>Blocks until the calling thread holds the lock. Entering a lock the caller already holds is a bug
    /// (the OS implementation throws <see cref="LockRecursionException"/>; the explorer reports a deadlock).</summary>
    void Enter();

    /// <summary>Releases the lock.</summary>
    /// <exception cref="SynchronizationLockException">The caller does not hold the lock.</exception>
    void Exit();
}
