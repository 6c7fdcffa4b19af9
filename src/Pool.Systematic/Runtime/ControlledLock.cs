using Pool.Threading;

namespace Pool.Systematic.Runtime;

/// <summary>A non-reentrant lock whose acquisition and release are scheduling points.</summary>
internal sealed class ControlledLock(Iteration iteration) : ILock
{
    internal Iteration Iteration { get; } = iteration;

    /// <summary>1-based, in creation order within the iteration.</summary>
    internal int Number { get; } = iteration.NumberLock();

    /// <summary>The lock's object number for partial-order reduction (its conditions share it).</summary>
    internal int ObjectNumber { get; } = iteration.NumberObject();

    /// <summary>While rendering: the file and line that created this lock; otherwise null.</summary>
    internal string? Origin { get; } = iteration.CreationSite();

    /// <summary><c>lock #N</c>, with <see cref="Origin"/> when known (for readable waits).</summary>
    internal string Name => Origin is null ? $"lock #{Number}" : $"lock #{Number} ({Origin})";

    /// <summary>The holder, or null when free.</summary>
    internal ControlledThread? Owner { get; set; }

    public void Enter()
    {
        var me = Iteration.Current;
        if (Owner == me)
        {
            throw new LockRecursionException("The lock is already held by this thread.");
        }
        if (Iteration.GuardsBlocking && !Iteration.Stopped)
        {
            // Not offered to the strategy until the lock is free (see Iteration.GuardsBlocking).
            me.Block = BlockReason.Lock;
            me.WaitingLock = this;
        }
        Iteration.Point("Lock.Enter", Access.Writing(ObjectNumber));
        Iteration.Drain(me); // a locked operation: a full fence
        Acquire(me);
    }

    public void Exit()
    {
        var me = Iteration.Current;
        if (Owner != me)
        {
            throw new SynchronizationLockException("The calling thread does not hold the lock.");
        }
        if (Iteration.Stopped)
        {
            Owner = null; // unwinding: release without scheduling so finally blocks can run
            return;
        }
        Iteration.Drain(Iteration.Point("Lock.Exit", Access.Writing(ObjectNumber)));
        Owner = null;
    }

    /// <summary>Blocks <paramref name="me"/> (forced switches, no preemption) until the lock is free, then takes it.</summary>
    internal void Acquire(ControlledThread me)
    {
        while (Owner is not null)
        {
            me.Block = BlockReason.Lock;
            me.WaitingLock = this;
            Iteration.Reschedule(me);
        }
        me.Block = BlockReason.None;
        me.WaitingLock = null;
        Owner = me;
    }
}
