using System.Text.Json;
using System.Text.Json.Serialization;
using Pool.Systematic;
using Pool.Systematic.Timelines;

namespace Pool.Explorer;

/// <summary>One test's exploration result, as printed and as written to (and merged from) report files.</summary>
internal sealed record TestOutcome : ITimelineSubject
{
    public required string Test { get; init; }
    public required string Strategy { get; init; }
    public required string Shard { get; init; }
    public int Iterations { get; init; }
    public int DistinctSchedules { get; init; }
    public int MinSteps { get; init; }
    public int MaxSteps { get; init; }
    public long TotalSteps { get; init; }
    public double Seconds { get; init; }
    public bool Exhausted { get; init; }

    /// <summary>
    /// How the search ended (<see cref="SearchEnd"/>'s name), and so what it proves; <c>Incomplete</c> for a merge of
    /// shards that are not every shard of one split (see <see cref="MissingShards"/>).
    /// </summary>
    public string End { get; init; } = nameof(SearchEnd.Sampled);

    /// <summary>
    /// A merge of shards that are not every shard of one split: the shards missing (e.g. <c>1/2</c>), or what is wrong
    /// with the set (shards of different splits, a shard twice); null otherwise.
    /// </summary>
    public string? MissingShards { get; init; }

    /// <summary>Schedules run to their end (iterations minus those dpor pruned or dealt to another shard).</summary>
    public int Schedules { get; init; }

    /// <summary>dpor with <c>--parallel N</c>: the schedules each of the N workers of the one search ran; else null.</summary>
    public IReadOnlyList<int>? SchedulesPerWorker { get; init; }

    /// <summary>dpor: iterations ended early (covered by another schedule, or another shard's part).</summary>
    public int Pruned { get; init; }

    /// <summary>The preemption bound of the search (dfs, dpor), or null.</summary>
    public int? PreemptionBound { get; init; }

    /// <summary>Iterations cut at the step bound.</summary>
    public int MaxStepsHits { get; init; }

    /// <summary>One line saying what the run proved (see <see cref="ExplorationReport.Verdict"/>).</summary>
    public string Verdict =>
        End == Incomplete
            ? $"incomplete: {MissingShards}; {Schedules:N0} schedules in the shards merged"
            : ExplorationReport.Describe(
                Enum.TryParse<SearchEnd>(End, out var end) ? end : SearchEnd.Sampled,
                Schedules,
                PreemptionBound,
                MaxStepsHits
            );
    public string? BugKind { get; init; }
    public int? BugIteration { get; init; }
    public string? BugMessage { get; init; }
    public string? BugThread { get; init; }
    public string? BugStrategy { get; init; }
    public string? Trace { get; init; }
    public string? TraceFile { get; init; }
    public int? Preemptions { get; init; }
    public int? Steps { get; init; }
    public int? OriginalPreemptions { get; init; }
    public int? OriginalSteps { get; init; }

    public string? TimelineFile { get; init; }

    public IReadOnlyList<TraceStep> Interleaving { get; init; } = [];

    public IReadOnlyList<ThreadWait> FinalWaits { get; init; } = [];

    public IReadOnlyList<Pool.Systematic.Coverage.PointCoverage> Coverage { get; init; } = [];

    [JsonIgnore]
    public bool BugFound => BugKind is not null;

    internal static TestOutcome From(
        string test,
        string strategy,
        ShardSpec shard,
        ExplorationReport report,
        string? traceFile
    ) =>
        new()
        {
            Test = test,
            Strategy = strategy,
            Shard = shard.ToString(),
            Iterations = report.Iterations,
            DistinctSchedules = report.DistinctSchedules,
            MinSteps = report.MinSteps,
            MaxSteps = report.MaxSteps,
            TotalSteps = report.TotalSteps,
            Seconds = report.Elapsed.TotalSeconds,
            Exhausted = report.Exhausted,
            End = report.End.ToString(),
            Schedules = report.Schedules,
            Pruned = report.Pruned,
            SchedulesPerWorker =
                report.SchedulesPerWorker.Count > 1 ? report.SchedulesPerWorker : null,
            PreemptionBound = report.PreemptionBound,
            MaxStepsHits = report.MaxStepsHits,
            BugKind = report.BugKind?.ToString(),
            BugIteration = report.BugIteration,
            BugMessage = report.BugMessage,
            BugThread = report.BugThread,
            BugStrategy = report.BugStrategy,
            Trace = report.Trace,
            TraceFile = traceFile,
            Preemptions = report.Preemptions,
            Steps = report.Steps,
            OriginalPreemptions = report.OriginalPreemptions,
            OriginalSteps = report.OriginalSteps,
            Interleaving = report.Interleaving,
            FinalWaits = report.FinalWaits,
            Coverage = report.Coverage,
        };

    /// <summary>A test whose body never reached a scheduling point: a failure, since nothing was tested.</summary>
    internal static TestOutcome NothingExplored(string test, TestSettings settings) =>
        new()
        {
            Test = test,
            Strategy = OptionNames.Of(settings.Strategy),
            Shard = settings.Shard.ToString(),
            End = nameof(SearchEnd.BugFound),
            BugKind = "NothingExplored",
            BugMessage =
                "Nothing was explored: the test body never reached a scheduling point. Its threads, locks, "
                + "conditions and atomics must come from the IThreading it receives.",
        };

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    internal static void Write(string path, IReadOnlyList<TestOutcome> outcomes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(outcomes, Json));
    }

    /// <exception cref="UsageException">The file is missing or is not a report.</exception>
    internal static List<TestOutcome> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"Report not found: {Path.GetFullPath(path)}");
        }
        try
        {
            return JsonSerializer.Deserialize<List<TestOutcome>>(File.ReadAllText(path), Json)
                ?? throw new UsageException($"{path} is empty.");
        }
        catch (JsonException exception)
        {
            throw new UsageException($"{path} is not a pool-explore report: {exception.Message}");
        }
    }

    /// <summary>
    /// Combines the shards of one test: sums, extremes, and the bug of the earliest failing iteration. Exhaustive only
    /// when every shard of the same split is present and each finished.
    /// </summary>
    internal static TestOutcome Merge(IReadOnlyList<TestOutcome> shards)
    {
        var counts = shards.Select(s => ShardSpec.Parse(s.Shard)).ToList();
        var missing = MissingFrom(counts);
        var complete = missing is null;
        var exhausted = complete && shards.All(s => s.Exhausted);
        var bug = shards.Where(s => s.BugFound).OrderBy(s => s.BugIteration).FirstOrDefault();
        var withIterations = shards.Where(s => s.Iterations > 0).ToList();
        var merged = (bug ?? shards[0]) with
        {
            Shard = string.Join(",", shards.Select(s => s.Shard)),
            Iterations = shards.Sum(s => s.Iterations),
            DistinctSchedules = shards.Sum(s => s.DistinctSchedules),
            MinSteps = withIterations.Count == 0 ? 0 : withIterations.Min(s => s.MinSteps),
            MaxSteps = shards.Max(s => s.MaxSteps),
            TotalSteps = shards.Sum(s => s.TotalSteps),
            Seconds = shards.Max(s => s.Seconds),
            Exhausted = exhausted,
            End =
                bug is not null ? nameof(SearchEnd.BugFound)
                : missing is not null ? Incomplete
                : exhausted ? nameof(SearchEnd.Exhaustive)
                : shards.First(s => !s.Exhausted).End,
            MissingShards = missing,
            Schedules = shards.Sum(s => s.Schedules),
            Pruned = shards.Sum(s => s.Pruned),
            MaxStepsHits = shards.Sum(s => s.MaxStepsHits),
            Coverage = Pool.Systematic.Coverage.PointCoverage.Merge(shards.Select(s => s.Coverage)),
        };
        return merged;
    }

    private const string Incomplete = "Incomplete";

    // Null when the shards are every shard of one split, each once; else what is missing or wrong.
    private static string? MissingFrom(IReadOnlyList<ShardSpec> shards)
    {
        var splits = shards.Select(s => s.Count).Distinct().ToList();
        if (splits.Count > 1)
        {
            return $"shards of different splits ({string.Join(", ", shards)})";
        }
        var twice = shards
            .GroupBy(s => s.Index)
            .Where(g => g.Count() > 1)
            .Select(g => g.Key)
            .ToList();
        if (twice.Count > 0)
        {
            return $"shard {string.Join(", ", twice.Select(i => new ShardSpec(i, splits[0])))} merged twice";
        }
        var absent = Enumerable
            .Range(0, splits[0])
            .Except(shards.Select(s => s.Index))
            .Select(i => new ShardSpec(i, splits[0]).ToString())
            .ToList();
        return absent.Count == 0
            ? null
            : $"shard{(absent.Count == 1 ? "" : "s")} {string.Join(", ", absent)} missing";
    }
}
