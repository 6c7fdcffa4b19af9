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
    string MemoryModel
);
