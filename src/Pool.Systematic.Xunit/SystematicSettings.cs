using System.Globalization;

namespace Pool.Systematic.Xunit;

/// <summary>
/// How one systematic test explores: the options of <c>pool-explore test</c>, with its names and defaults, as
/// <see cref="SystematicFactAttribute"/> gives them or as code passes them to <see cref="SystematicExploration.Run"/>.
/// </summary>
public sealed record SystematicSettings
{
    /// <summary><see cref="PreemptionBound"/> when the schedules' preemptions are not bounded.</summary>
    public const int Unbounded = -1;

    /// <summary>
    /// The environment variable that scales every budget of a run (iterations and time limit), a positive number:
    /// <c>0.1</c> for a quick local run, <c>10</c> for a deep nightly one. A run settings file sets it too
    /// (<c>RunConfiguration/EnvironmentVariables</c>).
    /// </summary>
    public const string ScaleVariable = "POOL_EXPLORE_SCALE";

    /// <summary>
    /// The environment variable naming a <c>.trace</c> file to replay: the test the file is named after (the name a
    /// failing test gives its trace) replays it instead of exploring; every other test explores as usual.
    /// </summary>
    public const string ReplayVariable = "POOL_EXPLORE_REPLAY";

    /// <summary>The environment variable naming the folder for traces and timelines; default <c>explore-out</c> in the working directory.</summary>
    public const string OutputVariable = "POOL_EXPLORE_OUTPUT";

    /// <summary>Iterations to run (<c>--iterations</c>); default 10000, as on the command line.</summary>
    public int Iterations { get; init; } = 10_000;

    /// <summary>The strategy's name (<see cref="OptionNames.Strategies"/>); default <c>portfolio</c>.</summary>
    public string Strategy { get; init; } = OptionNames.Of(new ExplorationOptions().Strategy);

    /// <summary>PCT bug depth; default 3.</summary>
    public int PctDepth { get; init; } = new ExplorationOptions().PctDepth;

    /// <summary>The memory model's name (<see cref="OptionNames.MemoryModels"/>); default <c>sc</c>.</summary>
    public string MemoryModel { get; init; } = OptionNames.Of(new ExplorationOptions().MemoryModel);

    /// <summary>Seed of every random choice; default 0.</summary>
    public ulong Seed { get; init; }

    /// <summary>Scheduling steps per iteration before it is cut off; default 10000.</summary>
    public int MaxSteps { get; init; } = new ExplorationOptions().MaxSteps;

    /// <summary>Report an iteration that reaches <see cref="MaxSteps"/> as a livelock; default false.</summary>
    public bool FailOnMaxSteps { get; init; }

    /// <summary>The most preemptions a schedule may contain (strategies that bound them); <see cref="Unbounded"/> by default.</summary>
    public int PreemptionBound { get; init; } = Unbounded;

    /// <summary>Stop starting iterations after this many seconds; 0 for no limit.</summary>
    public int TimeLimitSeconds { get; init; }

    /// <summary>A trace to replay instead of exploring: a <c>.trace</c> file's path or the trace text (<c>pool-trace/1:...</c>).</summary>
    public string? Replay { get; init; }

    /// <summary>What is wrong with these settings, one sentence each; empty when they are valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Iterations < 1)
        {
            problems.Add($"Iterations must be positive (got {Iterations}).");
        }
        if (!OptionNames.TryParse(Strategy, out Strategy _))
        {
            problems.Add(
                $"Unknown strategy '{Strategy}'; use one of: {string.Join(", ", OptionNames.Strategies)}."
            );
        }
        if (PctDepth < 1)
        {
            problems.Add($"PctDepth must be at least 1 (got {PctDepth}).");
        }
        if (!OptionNames.TryParse(MemoryModel, out MemoryModel _))
        {
            problems.Add(
                $"Unknown memory model '{MemoryModel}'; use one of: {string.Join(", ", OptionNames.MemoryModels)}."
            );
        }
        if (MaxSteps < 1)
        {
            problems.Add($"MaxSteps must be positive (got {MaxSteps}).");
        }
        if (PreemptionBound < Unbounded)
        {
            problems.Add(
                $"PreemptionBound must be 0 or more, or {Unbounded} for no bound (got {PreemptionBound})."
            );
        }
        if (TimeLimitSeconds < 0)
        {
            problems.Add(
                $"TimeLimitSeconds must be 0 (no limit) or more (got {TimeLimitSeconds})."
            );
        }
        return problems;
    }

    /// <summary>
    /// The scale of <see cref="ScaleVariable"/>'s value: 1 when it is unset or empty.
    /// </summary>
    /// <exception cref="ArgumentException">The value is not a positive number.</exception>
    public static double ScaleOf(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return 1;
        }
        if (
            double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var scale)
            && scale > 0
            && double.IsFinite(scale)
        )
        {
            return scale;
        }
        throw new ArgumentException(
            $"{ScaleVariable} must be a positive number, such as 0.1 or 10 (got '{value}')."
        );
    }

    /// <summary>The engine's options for these (valid) settings with every budget multiplied by <paramref name="scale"/>.</summary>
    internal ExplorationOptions ToOptions(double scale, Action<int>? progress)
    {
        OptionNames.TryParse(Strategy, out Strategy strategy);
        OptionNames.TryParse(MemoryModel, out MemoryModel memoryModel);
        return new ExplorationOptions
        {
            Iterations = Scaled(Iterations, scale),
            Strategy = strategy,
            PctDepth = PctDepth,
            MemoryModel = memoryModel,
            Seed = Seed,
            MaxSteps = MaxSteps,
            FailOnMaxSteps = FailOnMaxSteps,
            PreemptionBound = PreemptionBound == Unbounded ? null : PreemptionBound,
            TimeLimit =
                TimeLimitSeconds > 0 ? TimeSpan.FromSeconds(TimeLimitSeconds * scale) : null,
            Progress = progress,
        };
    }

    /// <summary><paramref name="budget"/> times <paramref name="scale"/>, rounded, at least 1 and at most <see cref="int.MaxValue"/>.</summary>
    internal static int Scaled(int budget, double scale) =>
        (int)Math.Clamp(Math.Round(budget * scale), 1, int.MaxValue);
}
