using Microsoft.Coyote.Runtime;

namespace Coyote.Binding;

/// <summary>
/// A lock on a <see cref="Monitor"/>. Enter is a Coyote scheduling point after rewriting; exit is made one
/// explicitly (Coyote's <see cref="Monitor.Exit"/> is not), as both are under the explorer.
/// </summary>
internal sealed class CoyoteLock(VirtualTime time) : Pool.Threading.ILock
{
    private readonly object _sync = new();

    /// <summary>The holder, or null. Written only by the thread that holds the monitor.</summary>
    internal ThreadRecord? Owner { get; private set; }

    internal VirtualTime Time { get; } = time;

    internal bool IsHeldByCurrentThread => Owner == Time.Current;

    public void Enter()
    {
        var me = Time.Current;
        if (Owner == me)
        {
            throw new LockRecursionException("The lock is already held by this thread.");
        }
        Acquire(me);
    }

    public void Exit()
    {
        if (!IsHeldByCurrentThread)
        {
            throw new SynchronizationLockException("The calling thread does not hold the lock.");
        }
        SchedulingPoint.Interleave();
        Disown();
        ExitMonitor();
    }

    internal void Acquire(ThreadRecord me)
    {
        me.Entering = this;
        if (Owner is not null)
        {
            Time.BeforeBlocking();
        }
        Monitor.Enter(_sync);
        me.Entering = null;
        Owner = me;
    }

    /// <summary>
    /// The first half of a release: from now on the lock counts as free for <see cref="VirtualTime"/>, so a thread
    /// that blocks in between (on a condition of this lock) sees the threads entering it as able to run.
    /// </summary>
    internal void Disown() => Owner = null;

    /// <summary>The second half of a release.</summary>
    internal void ExitMonitor() => Monitor.Exit(_sync);
}
