namespace Coyote.Scenarios.Mutation;

/// <summary>
/// One deliberate defect, kept as a patch of the product (tests/Coyote/Mutants/<c>Mutant</c>.patch), and what must
/// kill it: a scenario under each engine, and, where one catches it, an F# conformance fact of tests/Properties.
/// </summary>
/// <param name="Mutant">The patch's name.</param>
/// <param name="Scenario">The killing scenario, as <c>pool-explore list</c> shows it.</param>
/// <param name="Property">A substring of the name of the F# fact that fails on the mutant, or null.</param>
/// <param name="MemoryModel">The explorer's memory model that exposes it ("sc", or "tso" for a missing fence).</param>
internal sealed record MutantKill(
    string Mutant,
    string Scenario,
    string? Property = null,
    string MemoryModel = "sc"
)
{
    /// <summary>The patch, relative to the repository root.</summary>
    internal string PatchPath => $"tests/Coyote/Mutants/{Mutant}.patch";

    /// <summary>
    /// The engines that must kill it: both, except for a missing fence, which only the explorer's "tso" model can
    /// expose (Coyote explores sequentially consistent interleavings only).
    /// </summary>
    internal IReadOnlyList<string> Engines =>
        MemoryModel == "sc" ? ["explorer", "coyote"] : ["explorer"];
}

/// <summary>Every mutant and what must kill it within its CI budget (docs/verification.md).</summary>
internal static class MutantCatalogue
{
    internal static IReadOnlyList<MutantKill> All { get; } =
    [
        new("DestroyWaitsWithIf", "PoolScenarios.DestroyFromTaskWhileOthersWork"),
        new("UnlockedThreadCount", "PoolScenarios.CountStaysExact"),
        new(
            "DestroyForgetsLateTasks",
            "PoolScenarios.DestroyFromOutsideWithPending",
            "tasks are scheduled during the destroy drain"
        ),
        new("ClaimPublishedWithoutWake", "PoolScenarios.TaskWaitsForATaskClaimedWithIt"),
        new(
            "CancelTimerNeverMatches",
            "TimerScenarios.TimerCancelFromAnotherThreadWhileItFires",
            "every fire sequence of the real timer queue"
        ),
        new(
            "SleeperFlagWithoutFence",
            "PoolScenarios.ScheduleWakesASleepingWorker",
            MemoryModel: "tso"
        ),
        new("TimerRearmedAfterSelfCancel", "TimerScenarios.TimerCancelFromItsOwnCallback"),
        new(
            "InFlightCountedAfterDispatch",
            "ConnectionScenarios.PeerClosesWithRepliesInFlight",
            "replies in flight when the peer half-closes"
        ),
        new(
            "ReleaseIgnoringInFlight",
            "ConnectionScenarios.PeerClosesWithRepliesInFlight",
            "replies in flight when the peer half-closes"
        ),
    ];

    /// <summary>The mutant of this name.</summary>
    /// <exception cref="ArgumentException">No mutant has that name.</exception>
    internal static MutantKill Named(string mutant) =>
        All.SingleOrDefault(k => k.Mutant == mutant)
        ?? throw new ArgumentException(
            $"No mutant is named '{mutant}'; the mutants are: {string.Join(", ", All.Select(k => k.Mutant))}.",
            nameof(mutant)
        );
}
