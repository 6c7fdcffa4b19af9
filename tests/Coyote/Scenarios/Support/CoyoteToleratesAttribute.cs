namespace Coyote.Scenarios.Support;

/// <summary>
/// On a scenario class: invocations that Microsoft Coyote's rewriter reports as uncontrolled although, in these
/// scenarios, they order no thread, and why. Coyote then runs the class's scenarios with partially controlled
/// concurrency allowed (it lists such an invocation instead of failing), and the suite checks that it listed
/// nothing else. Every other scenario runs with it disallowed: any uncontrolled invocation fails the run.
/// </summary>
/// <param name="invocationPrefix">The start of the invocation's name as Coyote reports it, e.g.
/// <c>System.Threading.SynchronizationContext.</c> for every member of that type.</param>
/// <param name="reason">Why the invocation is harmless here (shown by the suite).</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class CoyoteToleratesAttribute(string invocationPrefix, string reason) : Attribute
{
    /// <summary>The start of the tolerated invocations' names.</summary>
    public string InvocationPrefix { get; } = invocationPrefix;

    /// <summary>Why they are harmless here.</summary>
    public string Reason { get; } = reason;
}
