using Coyote.Scenarios.Pool;
using Coyote.Scenarios.Reactor;
using Pool;
using Pool.Threading;

namespace Coyote.Scenarios.Mutation;

/// <summary>One deliberate defect and the scenario expected to kill it (docs/verification.md).</summary>
/// <param name="Mutant">The defect, switched on through <see cref="Mutants.Active"/>.</param>
/// <param name="Scenario">The scenario's name, as <c>pool-explore list</c> shows it.</param>
/// <param name="Test">The scenario itself.</param>
internal sealed record MutantKill(Mutant Mutant, string Scenario, Action<IThreading> Test)
{
    /// <summary>Runs <paramref name="body"/> with the mutant active; always switches it off again.</summary>
    internal T With<T>(Func<T> body)
    {
        Mutants.Active = Mutant;
        try
        {
            return body();
        }
        finally
        {
            Mutants.Active = global::Pool.Mutant.None;
        }
    }
}

/// <summary>Every product mutant and the scenario that must kill it within its CI budget.</summary>
internal static class MutantCatalogue
{
    internal static IReadOnlyList<MutantKill> All { get; } =
    [
        new(
            Mutant.DestroyWaitsWithIf,
            $"{nameof(PoolScenarios)}.{nameof(PoolScenarios.DestroyFromTaskWhileOthersWork)}",
            PoolScenarios.DestroyFromTaskWhileOthersWork
        ),
        new(
            Mutant.UnlockedThreadCount,
            $"{nameof(PoolScenarios)}.{nameof(PoolScenarios.CountStaysExact)}",
            PoolScenarios.CountStaysExact
        ),
        new(
            Mutant.DestroyForgetsLateTasks,
            $"{nameof(PoolScenarios)}.{nameof(PoolScenarios.DestroyFromOutsideWithPending)}",
            PoolScenarios.DestroyFromOutsideWithPending
        ),
        new(
            Mutant.ClaimPublishedWithoutWake,
            $"{nameof(PoolScenarios)}.{nameof(PoolScenarios.TaskWaitsForATaskClaimedWithIt)}",
            PoolScenarios.TaskWaitsForATaskClaimedWithIt
        ),
        new(
            Mutant.CancelTimerNeverMatches,
            $"{nameof(TimerScenarios)}.{nameof(TimerScenarios.TimerCancelFromAnotherThreadWhileItFires)}",
            TimerScenarios.TimerCancelFromAnotherThreadWhileItFires
        ),
        new(
            Mutant.TimerRearmedAfterSelfCancel,
            $"{nameof(TimerScenarios)}.{nameof(TimerScenarios.TimerCancelFromItsOwnCallback)}",
            TimerScenarios.TimerCancelFromItsOwnCallback
        ),
        new(
            Mutant.InFlightCountedAfterDispatch,
            $"{nameof(ConnectionScenarios)}.{nameof(ConnectionScenarios.PeerClosesWithRepliesInFlight)}",
            ConnectionScenarios.PeerClosesWithRepliesInFlight
        ),
        new(
            Mutant.ReleaseIgnoringInFlight,
            $"{nameof(ConnectionScenarios)}.{nameof(ConnectionScenarios.PeerClosesWithRepliesInFlight)}",
            ConnectionScenarios.PeerClosesWithRepliesInFlight
        ),
    ];
}
