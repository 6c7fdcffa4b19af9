namespace Pool;

/// <summary>
/// Deliberate concurrency defects that the verification suite must catch (see docs/verification.md).
/// Test-only: selected through <see cref="Mutants.Active"/>, which is <see cref="None"/> unless a test sets it.
/// </summary>
internal enum Mutant
{
    /// <summary>The product as shipped.</summary>
    None,

    /// <summary>Destroy waits for the workers with <c>if</c> instead of <c>while</c> around the condition wait.</summary>
    DestroyWaitsWithIf,

    /// <summary>The worker count is decremented outside the pool lock (a read-modify-write race).</summary>
    UnlockedThreadCount,

    /// <summary>Destroy drains only the tasks queued when the drain began; tasks scheduled during the drain are lost.</summary>
    DestroyForgetsLateTasks,

    /// <summary>
    /// A worker publishes the tasks it claimed without waking a consumer that went to sleep just before (having
    /// seen neither unclaimed nor claimed tasks): the claimed tasks wait for their owner even if it blocks on them.
    /// </summary>
    ClaimPublishedWithoutWake,

    /// <summary>The seed's defect: cancelling a timer compares against the wrong key, so it never cancels.</summary>
    CancelTimerNeverMatches,

    /// <summary>A repeating timer cancelled from inside its own callback is re-armed anyway.</summary>
    TimerRearmedAfterSelfCancel,

    /// <summary>
    /// The seed's defect: a message's in-flight count is raised after it is handed to a worker, and the worker
    /// lowers it before its reply is written, so a half-closed connection can be closed with a reply still owed.
    /// </summary>
    InFlightCountedAfterDispatch,

    /// <summary>A connection closes on the peer's end of stream and is released without waiting for its in-flight replies.</summary>
    ReleaseIgnoringInFlight,
}
