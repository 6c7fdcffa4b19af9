namespace Pool.Systematic.Runtime;

/// <summary>What one iteration did.</summary>
internal sealed record IterationResult(
    IReadOnlyList<Decision> Decisions,
    int Steps,
    int Preemptions,
    ulong ScheduleHash,
    bool MaxStepsHit,
    Bug? Bug,
    IReadOnlyList<TraceStep> Interleaving,
    MemoryModel MemoryModel
)
{
    /// <summary>Rendering runs only: what each blocked thread waited for when the iteration stopped on a bug.</summary>
    internal IReadOnlyList<ThreadWait> FinalWaits { get; init; } = [];

    /// <summary>The iteration ran under <see cref="Iteration.GuardsBlocking"/>: its decisions replay only so.</summary>
    internal bool GuardsBlocking { get; init; }

    /// <summary>The strategy cut the iteration short: every schedule it leads to was already covered (dpor's sleep sets).</summary>
    internal bool Pruned { get; init; }
}
