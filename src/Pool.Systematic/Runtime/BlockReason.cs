namespace Pool.Systematic.Runtime;

/// <summary>Why a controlled thread cannot run now.</summary>
internal enum BlockReason
{
    /// <summary>Runnable (or not started yet).</summary>
    None,

    /// <summary>Waiting to acquire <see cref="ControlledThread.WaitingLock"/>.</summary>
    Lock,

    /// <summary>Waiting on a condition for a signal (or for its deadline, when it has one).</summary>
    Condition,

    /// <summary>Waiting for <see cref="ControlledThread.JoinTarget"/> to finish.</summary>
    Join,

    /// <summary>Sleeping until its deadline.</summary>
    Sleep,

    /// <summary>Its body has returned or thrown.</summary>
    Finished,
}
