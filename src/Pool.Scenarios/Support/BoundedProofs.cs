namespace Pool.Scenarios.Support;

/// <summary>
/// One small configuration that the <c>dpor</c> search explores to the end: every schedule up to
/// <paramref name="PreemptionBound"/> preemptions (every schedule when null), one of each class of equivalent ones.
/// </summary>
/// <param name="Part">The part of the product whose races the configuration holds.</param>
/// <param name="Scenario">The scenario (class and method, as <see cref="ScenarioCatalogue"/> names it).</param>
/// <param name="PreemptionBound">The highest bound whose search finishes within the CI budget, or null: unbounded.</param>
public sealed record BoundedProof(string Part, string Scenario, int? PreemptionBound);

/// <summary>
/// The configurations explored to the end in CI (tests/Coyote/Tests/Engine/BoundedProofTests.cs), one or more for
/// each part of the product, and the bound each finishes with (docs/verification.md).
/// </summary>
public static class BoundedProofs
{
    /// <summary>Every bounded proof, by part.</summary>
    public static IReadOnlyList<BoundedProof> All { get; } =
    [
        new("pool: exit entries, decrease and destroy", "PoolScenarios.CountStaysExact", 2),
        new(
            "pool: a decrease reaching an idle worker",
            "PoolScenarios.DecreaseReachesAnIdleWorker",
            2
        ),
        new("pool: decrease racing destroy", "PoolScenarios.DecreaseRacingDestroy", 2),
        new(
            "executor: destroy from a serial queue's session",
            "ExecutorScenarios.DestroyFromExecutorQueueTask",
            2
        ),
    ];

    /// <summary>The proof of this scenario, or null when none explores it to the end.</summary>
    public static BoundedProof? Of(string scenario) =>
        All.FirstOrDefault(p => p.Scenario == scenario);
}
