namespace Pool.Threading;

/// <summary>
/// A condition variable bound to one <see cref="ILock"/> (see <see cref="IThreading.CreateCondition"/>).
/// Waits may wake spuriously: always wait in a loop that re-checks the predicate.
/// </summary>
public interface ICondition
{
    /// <summary>Releases the lock, waits for a signal, re-acquires the lock.</summary>
    /// <exception cref="SynchronizationLockException">The caller does not hold the lock.</exception>
    void Wait();

    /// <summary>As <see cref="Wait()"/>, but gives up after <paramref name="timeout"/>.</summary>
    /// <returns>false if the timeout elapsed; the lock is held again either way.</returns>
    bool Wait(TimeSpan timeout);

    /// <summary>Wakes one waiter, if any. A waiter is guaranteed to be woken only if the signaller holds the lock.</summary>
    void Signal();

    /// <summary>Wakes every waiter. The same guarantee as <see cref="Signal"/>.</summary>
    void Broadcast();
}
