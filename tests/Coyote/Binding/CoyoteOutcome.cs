namespace Coyote.Binding;

/// <summary>What one in-process Coyote run of a scenario found.</summary>
/// <param name="BugFound">Coyote reported a bug (assertion, unhandled exception, deadlock).</param>
/// <param name="Iterations">Iterations run (up to and including the buggy one).</param>
/// <param name="BugMessage">Coyote's bug report, when it found one.</param>
/// <param name="Trace">Coyote's reproducible trace of the bug (for <c>coyote replay</c>), when it found one.</param>
/// <param name="Elapsed">Wall-clock time of the run.</param>
/// <param name="Uncontrolled">Invocations Coyote could not control (must be empty for a faithful run).</param>
/// <param name="InternalErrors">Errors of Coyote itself, or of the setup (not bugs of the code under test).</param>
public sealed record CoyoteOutcome(
    bool BugFound,
    int Iterations,
    string? BugMessage,
    string? Trace,
    TimeSpan Elapsed,
    IReadOnlyCollection<string> Uncontrolled,
    IReadOnlyCollection<string> InternalErrors
)
{
    /// <summary>
    /// Iterations that reached the step bound (<see cref="CoyoteEngine.MaxSteps"/>): a livelock. The first one ends
    /// the run as a bug whose report starts with <see cref="CoyoteEngine.StepBoundMessage"/>; a clean run has none.
    /// </summary>
    public int StepBoundHits { get; init; }

    /// <summary>The most scheduling steps any iteration took (how far below the bound a clean run stays).</summary>
    public int LongestIteration { get; init; }
}
