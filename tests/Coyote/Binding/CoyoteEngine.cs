using System.Diagnostics;
using Microsoft.Coyote;
using Microsoft.Coyote.Logging;
using Microsoft.Coyote.SystematicTesting;

namespace Coyote.Binding;

/// <summary>
/// Runs a Coyote entry point (a generated <c>[Test]</c> method of a scenario) in this process under Coyote's
/// <see cref="TestingEngine"/>. The assemblies under test must have been rewritten by <c>coyote rewrite</c> first.
/// </summary>
public static class CoyoteEngine
{
    /// <summary>The strategies this runner accepts: Coyote's default portfolio and three of its members.</summary>
    public static IReadOnlyList<string> Strategies { get; } =
    ["portfolio", "random", "prioritization", "probabilistic"];

    /// <summary>
    /// The step bound of a fair iteration: one that reaches it is a bug (a livelock, such as a worker that spins
    /// instead of sleeping), as the explorer's <c>FailOnMaxSteps</c> makes it. The longest clean iteration of the
    /// built-in scenarios takes about 2,200 scheduling steps (an unfair prefix of <see cref="MaxUnfairSteps"/> that
    /// starved a thread, then a few hundred fair steps); the bound is nine times that.
    /// </summary>
    public const int MaxSteps = 20000;

    /// <summary>
    /// The step bound of an unfair schedule, or of the unfair prefix of a fair one (Coyote's fair strategies
    /// schedule unfairly up to this bound, then fairly): a tenth of <see cref="MaxSteps"/>, Coyote's own ratio, so
    /// a thread starved by the unfair prefix runs again well before the fair bound.
    /// </summary>
    public const int MaxUnfairSteps = MaxSteps / 10;

    /// <summary>The start of Coyote's bug report for an iteration that reached <see cref="MaxSteps"/>.</summary>
    public const string StepBoundMessage = "Scheduling steps bound of";

    /// <summary>
    /// Explores <paramref name="entryPoint"/> for up to <paramref name="iterations"/> iterations and stops at the
    /// first bug. Same seed and strategy, same run (as far as Coyote is deterministic).
    /// </summary>
    /// <param name="entryPoint">The rewritten entry point.</param>
    /// <param name="iterations">The budget.</param>
    /// <param name="seed">Coyote's random seed.</param>
    /// <param name="strategy">One of <see cref="Strategies"/>.</param>
    /// <param name="allowPartialControl">False (the default): an invocation Coyote cannot control ends the run as a
    /// failure. True: Coyote only lists it in <see cref="CoyoteOutcome.Uncontrolled"/> and goes on; for scenarios that
    /// state which such invocations are harmless (tests/Coyote/Scenarios/CoyoteTolerances.cs), and whose callers check that
    /// nothing else was listed.</param>
    /// <param name="iterationEnded">Called at the end of every iteration (the failing one too, before Coyote builds its
    /// report and trace) with the iteration's number, or null.</param>
    /// <exception cref="ArgumentException">An unknown strategy, or fewer than one iteration.</exception>
    public static CoyoteOutcome Run(
        Action entryPoint,
        int iterations,
        uint seed,
        string strategy = "portfolio",
        bool allowPartialControl = false,
        Action<uint>? iterationEnded = null
    )
    {
        ArgumentNullException.ThrowIfNull(entryPoint);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        var configuration = Configuration
            .Create()
            .WithTestingIterations((uint)iterations)
            .WithRandomGeneratorSeed(seed)
            .WithTelemetryEnabled(false)
            .WithMaxSchedulingSteps(MaxUnfairSteps, MaxSteps)
            .WithFailureOnMaxStepsBoundEnabled(true)
            .WithPartiallyControlledConcurrencyAllowed(allowPartialControl);
        configuration = strategy switch
        {
            "portfolio" => configuration,
            "random" => configuration.WithRandomStrategy(),
            "prioritization" => configuration.WithPrioritizationStrategy(),
            "probabilistic" => configuration.WithProbabilisticStrategy(),
            _ => throw new ArgumentException(
                $"Unknown Coyote strategy '{strategy}'; use one of {string.Join(", ", Strategies)}.",
                nameof(strategy)
            ),
        };
        var clock = Stopwatch.StartNew();
        using var engine = TestingEngine.Create(configuration, entryPoint);
        engine.SetLogger(new TextWriterLogger(TextWriter.Null, VerbosityLevel.None)); // the outcome carries what matters
        if (iterationEnded is not null)
        {
            engine.RegisterEndIterationCallBack(iterationEnded);
        }
        engine.Run();
        clock.Stop();
        var report = engine.TestReport;
        var found = report.NumOfFoundBugs > 0;
        var message = found ? string.Join(Environment.NewLine, report.BugReports) : null;
        return new CoyoteOutcome(
            found,
            report.NumOfExploredFairPaths + report.NumOfExploredUnfairPaths,
            message,
            found ? engine.ReproducibleTrace : null,
            clock.Elapsed,
            [.. report.UncontrolledInvocations],
            [.. report.InternalErrors]
        )
        {
            StepBoundHits = Math.Max(
                report.MaxFairStepsHitInFairTests + report.MaxUnfairStepsHitInUnfairTests,
                message?.Contains(StepBoundMessage, StringComparison.Ordinal) == true ? 1 : 0
            ),
            LongestIteration = Math.Max(report.MaxExploredFairSteps, report.MaxExploredUnfairSteps),
        };
    }
}
