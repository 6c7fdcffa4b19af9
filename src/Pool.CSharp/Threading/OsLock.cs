namespace Pool.Threading;

/// <summary>An <see cref="ILock"/> over <see cref="System.Threading.Lock"/>, refusing recursion.</summary>
internal sealed class OsLock : ILock
{
    private readonly Lock _lock = new();

    internal bool IsHeldByCurrentThread => _lock.IsHeldByCurrentThread;

    public void Enter()
    {
        if (_lock.IsHeldByCurrentThread)
        {
            throw new LockRecursionException("The lock is already held by this thread.");
        }
        _lock.Enter();
    }

    public void Exit() => _lock.Exit();
}
