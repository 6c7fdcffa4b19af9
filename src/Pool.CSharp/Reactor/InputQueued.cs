namespace Pool.Reactor;

/// <summary>What the loop must do after it queued a message for a connection's handler (<see cref="ConnectionInput.Queue"/>).</summary>
internal enum InputQueued
{
    /// <summary>Nothing: the task already queued or running takes the message.</summary>
    Waits,

    /// <summary>
    /// Count a task in flight: the running task is writing its reply and submits the next task, for this message, once
    /// that reply is out.
    /// </summary>
    CountNext,

    /// <summary>Count a task in flight and submit it: none was queued or running.</summary>
    Submit,
}
