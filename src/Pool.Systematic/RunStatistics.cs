using Pool.Systematic.Runtime;
using Pool.Systematic.Traces;

namespace Pool.Systematic;

/// <summary>Accumulates per-iteration numbers of one exploration and builds its report.</summary>
internal sealed class RunStatistics
{
    private readonly HashSet<ulong> _schedules = [];
    private int _minSteps = int.MaxValue;
    private int _maxSteps;
    private long _totalSteps;
    private int _maxStepsHits;
    private int _pruned;

    internal int Iterations { get; private set; }

    internal int? BugIteration { get; set; }

    internal int MaxStepsHits => _maxStepsHits;

    /// <summary>Iterations that ran to their end (not pruned).</summary>
    internal int Schedules => Iterations - _pruned;

    /// <summary>Adds the numbers of another worker of the same search.</summary>
    internal void Merge(RunStatistics other)
    {
        Iterations += other.Iterations;
        _pruned += other._pruned;
        _schedules.UnionWith(other._schedules);
        _minSteps = Math.Min(_minSteps, other._minSteps);
        _maxSteps = Math.Max(_maxSteps, other._maxSteps);
        _totalSteps += other._totalSteps;
        _maxStepsHits += other._maxStepsHits;
    }

    internal void Add(IterationResult result)
    {
        Iterations++;
        if (result.Pruned)
        {
            _pruned++;
            return;
        }
        _schedules.Add(result.ScheduleHash);
        _minSteps = Math.Min(_minSteps, result.Steps);
        _maxSteps = Math.Max(_maxSteps, result.Steps);
        _totalSteps += result.Steps;
        if (result.MaxStepsHit)
        {
            _maxStepsHits++;
        }
    }

    internal ExplorationReport Report(
        TimeSpan elapsed,
        SearchEnd end,
        IterationResult? original = null,
        IterationResult? reported = null,
        string? strategy = null,
        int? bound = null,
        IReadOnlyList<int>? workers = null
    ) =>
        new()
        {
            BugKind = reported?.Bug?.Kind,
            Iterations = Iterations,
            BugIteration = BugIteration,
            BugMessage = reported?.Bug?.Message,
            BugThread = reported?.Bug?.Thread,
            BugStrategy = strategy,
            Trace = reported is null
                ? null
                : TraceCodec.Encode(
                    reported.Decisions,
                    reported.MemoryModel,
                    reported.GuardsBlocking
                ),
            Preemptions = reported?.Preemptions,
            Steps = reported?.Steps,
            OriginalPreemptions = original?.Preemptions,
            OriginalSteps = original?.Steps,
            Interleaving = reported?.Interleaving ?? [],
            FinalWaits = reported?.FinalWaits ?? [],
            End = end,
            PreemptionBound = bound,
            SchedulesPerWorker = workers ?? [Iterations - _pruned],
            Pruned = _pruned,
            DistinctSchedules = _schedules.Count,
            MinSteps = _minSteps == int.MaxValue ? 0 : _minSteps,
            MaxSteps = _maxSteps,
            TotalSteps = _totalSteps,
            MaxStepsHits = _maxStepsHits,
            Elapsed = elapsed,
            Diverged = reported?.Bug?.Kind == BugKind.Divergence,
        };
}
