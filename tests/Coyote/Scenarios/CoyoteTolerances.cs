namespace Coyote.Scenarios;

/// <summary>
/// Per scenario class: invocations that Microsoft Coyote's rewriter reports as uncontrolled although, in these
/// scenarios, they order no thread, and why. Coyote then runs the class's scenarios with partially controlled
/// concurrency allowed (it lists such an invocation instead of failing), and the suite checks that it listed
/// nothing else. Every other scenario runs with it disallowed: any uncontrolled invocation fails the run.
/// </summary>
internal static class CoyoteTolerances
{
    /// <summary>One tolerated kind of invocation.</summary>
    /// <param name="InvocationPrefix">The start of the invocation's name as Coyote reports it, e.g.
    /// <c>System.Threading.SynchronizationContext.</c> for every member of that type.</param>
    /// <param name="Reason">Why the invocation is harmless here.</param>
    internal sealed record Tolerance(string InvocationPrefix, string Reason);

    /// <summary>The tolerances, by the simple name of the scenario class (every scenario of the class has them).</summary>
    internal static IReadOnlyDictionary<string, IReadOnlyList<Tolerance>> ByClass { get; } =
        new Dictionary<string, IReadOnlyList<Tolerance>>
        {
            ["TaskSchedulerScenarios"] =
            [
                new(
                    "System.Threading.SynchronizationContext.",
                    "the scheduler only reads and sets the thread's current context (a thread-local value) and constructs its own "
                        + "context, whose Post and Send queue to the pool: its controlled workers, through the seam"
                ),
                new(
                    "System.Threading.Tasks.Task.ContinueWith",
                    "a continuation on the pool's scheduler is queued by its antecedent's thread (a controlled worker or the "
                        + "destroyer) into the pool through the scheduler's QueueTask: no other thread runs it"
                ),
            ],
        };
}
