using System.Text.Json;
using System.Text.Json.Serialization;
using Pool.Systematic;

namespace Pool.Explorer;

/// <summary>One test's exploration result, as printed and as written to (and merged from) report files.</summary>
internal sealed record TestOutcome
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

    /// <summary>Combines the shards of one test: sums, extremes, and the bug of the earliest failing iteration.</summary>
    internal static TestOutcome Merge(IReadOnlyList<TestOutcome> shards)
    {
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
            Exhausted = shards.All(s => s.Exhausted),
            Coverage = Pool.Systematic.Coverage.PointCoverage.Merge(shards.Select(s => s.Coverage)),
        };
        return merged;
    }
}
