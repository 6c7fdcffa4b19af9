namespace Coyote.Binding;

/// <summary>What the binding knows of one thread of a test iteration: enough to tell whether it can run.</summary>
internal sealed class ThreadRecord
{
    /// <summary>Where the thread sleeps while it waits on a condition or for a timeout (a Coyote-controlled semaphore).</summary>
    internal SemaphoreSlim Wakeup { get; } = new(0);

    /// <summary>Set when the thread's body has returned or thrown.</summary>
    internal bool Finished { get; set; }

    /// <summary>The lock it is entering, while it enters one.</summary>
    internal CoyoteLock? Entering { get; set; }

    /// <summary>Set while it waits, untimed, on a condition and has not been signalled.</summary>
    internal bool WaitingForSignal { get; set; }

    /// <summary>The thread it joins, while it joins one.</summary>
    internal ThreadRecord? Joining { get; set; }

    /// <summary>The end of its timed block (a timed wait or a sleep), while it is in one.</summary>
    internal TimeSpan? Deadline { get; set; }

    /// <summary>Undoes what a timed wait registered (its place among a condition's waiters) when it times out.</summary>
    internal Action? OnTimeout { get; set; }

    /// <summary>Set when its last timed block ended by timeout rather than by a signal.</summary>
    internal bool TimedOut { get; set; }

    /// <summary>Whether it cannot run until another thread acts (a timed block is not counted here).</summary>
    internal bool IsBlocked =>
        Finished
        || WaitingForSignal
        || Entering is { Owner: not null }
        || Joining is { Finished: false };
}
