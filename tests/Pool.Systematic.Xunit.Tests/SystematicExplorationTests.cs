using System.Reflection;
using Pool.Threading;

namespace Pool.Systematic.Xunit.Tests;

/// <summary>
/// What a failing systematic test reports, and the tests that cannot run as written: through
/// <see cref="SystematicExploration.Run"/>, the code a [SystematicFact] runs, so that a failure is an exception to look at
/// rather than a failed test in the suite.
/// </summary>
public class SystematicExplorationTests
{
    private static readonly SystematicSettings Pct = new()
    {
        Iterations = 500,
        Strategy = "pct",
        Seed = 1,
    };

    [Fact]
    public void ALostUpdateFailsWithItsGridSeedStrategyReplayLineAndTwoAttachments()
    {
        const string name = "Tests.LostUpdate.Report";
        var failure = Assert.Throws<SystematicTestFailure>(() =>
            SystematicExploration.Run(name, Buggy, Pct)
        );
        var message = failure.Message;
        Assert.StartsWith($"Bug in {name} (Exception): ", message);
        Assert.Contains("lost update: the counter is 1", message);
        Assert.Contains("strategy pct, seed 1, memory model sc", message);
        Assert.Matches(@"found at iteration \d+ by pct\(3\)", message);
        // The grid: a header with a column per thread, then one row per step.
        var header = message
            .Split('\n')
            .Single(l => l.TrimStart().StartsWith("step ", StringComparison.Ordinal));
        Assert.Contains(" a", header);
        Assert.Contains(" b", header);
        Assert.Contains("Atomic.Write", message);
        var traceFile = Path.GetFullPath(Path.Combine("explore-out", name + ".trace"));
        Assert.Contains(
            $"replay: {SystematicSettings.ReplayVariable}={traceFile} dotnet test --filter \"FullyQualifiedName={typeof(SystematicExplorationTests).FullName}.{nameof(ALostUpdateFailsWithItsGridSeedStrategyReplayLineAndTwoAttachments)}\"",
            message
        );
        Assert.StartsWith("pool-trace/1:", File.ReadAllText(traceFile));
        Assert.Contains("lost update", File.ReadAllText(Path.ChangeExtension(traceFile, ".html")));
        var attachments = TestContext.Current.Attachments!;
        var (trace, traceType) = attachments[name + ".trace"].AsByteArray();
        Assert.Equal("text/plain", traceType);
        Assert.Equal(File.ReadAllBytes(traceFile), trace);
        var (html, htmlType) = attachments[name].AsByteArray();
        Assert.Equal("text/html", htmlType);
        Assert.Contains("lost update", System.Text.Encoding.UTF8.GetString(html));
    }

    [Fact]
    public void TheTraceOfAFailureReplaysTheSameBugAndAFixedBodyNoLongerFollowsIt()
    {
        const string name = "Tests.LostUpdate.Replay";
        var found = Assert.Throws<SystematicTestFailure>(() =>
            SystematicExploration.Run(name, Buggy, Pct)
        );
        var traceFile = Path.GetFullPath(Path.Combine("explore-out", name + ".trace"));
        var steps = StepsOf(found.Message);

        var replayed = Assert.Throws<SystematicTestFailure>(() =>
            SystematicExploration.Run(name, Buggy, Pct with { Replay = traceFile })
        );
        Assert.Contains("replayed from a trace", replayed.Message);
        Assert.Contains("lost update: the counter is 1", replayed.Message);
        Assert.Equal(steps, StepsOf(replayed.Message));

        var trace = File.ReadAllText(traceFile).Trim();
        var fixedBody = Assert.Throws<SystematicTestFailure>(() =>
            SystematicExploration.Run(name, Fixed, Pct with { Replay = trace })
        );
        Assert.Contains($"{name} no longer follows the trace", fixedBody.Message);
    }

    [Fact]
    public void ALivelockReplaysAsALivelock()
    {
        const string name = "Tests.Livelock";
        var settings = new SystematicSettings
        {
            Iterations = 5,
            MaxSteps = 50,
            FailOnMaxSteps = true,
        };
        void Spin(IThreading threading)
        {
            while (true)
            {
                threading.Yield();
            }
        }
        var found = Assert.Throws<SystematicTestFailure>(() =>
            SystematicExploration.Run(name, Spin, settings)
        );
        Assert.StartsWith($"Bug in {name} (Livelock): ", found.Message);
        var replayed = Assert.Throws<SystematicTestFailure>(() =>
            SystematicExploration.Run(
                name,
                Spin,
                settings with
                {
                    Replay = Path.Combine("explore-out", name + ".trace"),
                }
            )
        );
        Assert.StartsWith($"Bug in {name} (Livelock): ", replayed.Message);
        Assert.Contains("replayed from a trace", replayed.Message);
    }

    /// <summary>
    /// The replay variable names a trace downloaded from a test result (its attachment is <c>NAME.trace.txt</c>): the test
    /// of that name replays it, every other test explores as usual.
    /// </summary>
    [Fact]
    public void TheReplayVariableReplaysTheTestItsTraceIsNamedAfterAndNoOther()
    {
        const string name = "Tests.LostUpdate.Variable";
        Assert.Throws<SystematicTestFailure>(() => SystematicExploration.Run(name, Buggy, Pct));
        var downloaded = Path.Combine(
            Directory.CreateTempSubdirectory("replay-").FullName,
            name + ".trace.txt"
        );
        File.Copy(Path.Combine("explore-out", name + ".trace"), downloaded);
        Environment.SetEnvironmentVariable(SystematicSettings.ReplayVariable, downloaded);
        try
        {
            var replayed = Assert.Throws<SystematicTestFailure>(() =>
                SystematicExploration.Run(name, Buggy, Pct)
            );
            Assert.Contains("replayed from a trace", replayed.Message);
            // Another test explores: the fixed counter passes where the trace would have diverged.
            SystematicExploration.Run("Tests.LostUpdate.Other", Fixed, Pct);
        }
        finally
        {
            Environment.SetEnvironmentVariable(SystematicSettings.ReplayVariable, null);
            Directory.Delete(Path.GetDirectoryName(downloaded)!, recursive: true);
        }
    }

    [Fact]
    public void ABodyThatNeverReachesASchedulingPointFailsWithNothingExplored()
    {
        var failure = Assert.Throws<SystematicTestFailure>(() =>
            SystematicExploration.Run("Tests.Idle", _ => { }, Pct with { Iterations = 10 })
        );
        Assert.StartsWith(
            "Tests.Idle: nothing was explored: no iteration reached",
            failure.Message
        );
    }

    [Theory]
    // The list of strategies grows with the engine: checked below against OptionNames.
    [InlineData("Strategy", "nope", "Unknown strategy 'nope'; use one of: portfolio, random, pct")]
    [InlineData("MemoryModel", "arm", "Unknown memory model 'arm'; use one of: sc, tso, pso")]
    [InlineData("Iterations", -5, "Iterations must be positive (got -5).")]
    [InlineData("MaxSteps", 0, "MaxSteps must be positive (got 0).")]
    [InlineData("PctDepth", 0, "PctDepth must be at least 1 (got 0).")]
    [InlineData(
        "PreemptionBound",
        -2,
        "PreemptionBound must be 0 or more, or -1 for no bound (got -2)."
    )]
    [InlineData("TimeLimitSeconds", -1, "TimeLimitSeconds must be 0 (no limit) or more (got -1).")]
    public void AnInvalidOptionFailsNamingTheTestAndTheProblem(
        string option,
        object value,
        string problem
    )
    {
        var attribute = new SystematicFactAttribute();
        typeof(SystematicFactAttribute).GetProperty(option)!.SetValue(attribute, value);
        var ran = 0;
        var failure = Assert.Throws<SystematicTestFailure>(() =>
            SystematicExploration.Run("Tests.Invalid", _ => ran++, attribute.ToSettings())
        );
        Assert.StartsWith("Tests.Invalid: ", failure.Message);
        Assert.Contains(problem, failure.Message);
        if (option == "Strategy")
        {
            Assert.Contains(
                $"use one of: {string.Join(", ", OptionNames.Strategies)}.",
                failure.Message
            );
        }
        Assert.Equal(0, ran);
    }

    [Theory]
    [InlineData(nameof(WrongParameter), "void WrongParameter(int count)")]
    [InlineData(nameof(WrongReturn), "int WrongReturn(IThreading threading)")]
    [InlineData(nameof(NoParameter), "void NoParameter()")]
    public void AMethodOfTheWrongSignatureIsAFailureNamingIt(string method, string signature)
    {
        var info = typeof(SystematicExplorationTests).GetMethod(
            method,
            BindingFlags.NonPublic | BindingFlags.Static
        )!;
        var problems = SystematicFactDiscoverer.ProblemsOf(info, new SystematicSettings());
        var problem = Assert.Single(problems);
        Assert.Equal(
            $"the method has the wrong signature ({signature}); expected void Method(Pool.Threading.IThreading threading).",
            problem
        );
        Assert.Equal(
            "Pool.Systematic.Xunit.Tests.SystematicExplorationTests." + method,
            SystematicFactDiscoverer.NameOf(info)
        );
    }

    [Fact]
    public void TheRightSignatureWithValidOptionsHasNoProblem()
    {
        var info = typeof(SystematicFactTests).GetMethod(
            nameof(SystematicFactTests.LockedIncrementsAreNeverLost)
        )!;
        Assert.False(info.IsStatic);
        Assert.Empty(
            SystematicFactDiscoverer.ProblemsOf(
                info,
                info.GetCustomAttribute<SystematicFactAttribute>()!.ToSettings()
            )
        );
    }

    [Theory]
    [InlineData(null, 1.0)]
    [InlineData("", 1.0)]
    [InlineData("0.1", 0.1)]
    [InlineData("10", 10.0)]
    public void TheScaleVariableIsAPositiveNumber(string? value, double scale) =>
        Assert.Equal(scale, SystematicSettings.ScaleOf(value));

    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    [InlineData("ten")]
    [InlineData("Infinity")]
    public void AScaleThatIsNotAPositiveNumberIsRejectedNamingTheVariable(string value)
    {
        var error = Assert.Throws<ArgumentException>(() => SystematicSettings.ScaleOf(value));
        Assert.Equal(
            $"POOL_EXPLORE_SCALE must be a positive number, such as 0.1 or 10 (got '{value}').",
            error.Message
        );
    }

    [Fact]
    public void TheScaleMultipliesTheIterationsAndTheTimeLimitAndKeepsTheRest()
    {
        var settings = new SystematicSettings
        {
            Iterations = 300,
            TimeLimitSeconds = 20,
            Seed = 5,
            MaxSteps = 700,
            PreemptionBound = 2,
        };
        var deep = settings.ToOptions(10, null);
        Assert.Equal(3000, deep.Iterations);
        Assert.Equal(TimeSpan.FromSeconds(200), deep.TimeLimit);
        Assert.Equal(5UL, deep.Seed);
        Assert.Equal(700, deep.MaxSteps);
        Assert.Equal(2, deep.PreemptionBound);
        Assert.Equal(1, settings.ToOptions(0.0001, null).Iterations);
        Assert.Null(new SystematicSettings().ToOptions(1, null).PreemptionBound);
    }

    [Fact]
    public void TheAttributesDefaultsAreTheCommandLines()
    {
        var settings = new SystematicFactAttribute().ToSettings();
        Assert.Equal(10_000, settings.Iterations);
        Assert.Equal("portfolio", settings.Strategy);
        Assert.Equal(3, settings.PctDepth);
        Assert.Equal("sc", settings.MemoryModel);
        Assert.Equal(0UL, settings.Seed);
        Assert.Equal(10_000, settings.MaxSteps);
        Assert.False(settings.FailOnMaxSteps);
        Assert.Equal(SystematicSettings.Unbounded, settings.PreemptionBound);
        Assert.Null(settings.Replay);
    }

    [Fact]
    public void TheStepGridHasAColumnPerThreadAndARowPerStep()
    {
        TraceStep[] steps =
        [
            new(0, 0, "main", "Thread.Start", "T.cs:1"),
            new(1, 1, "a", "Atomic.Read", "T.cs:2"),
            new(2, 2, "b", "Atomic.Read", "T.cs:2"),
            new(3, 1, "a", "Atomic.Write", "T.cs:3"),
        ];
        var lines = SystematicExploration.StepGrid(steps).TrimEnd().Split(Environment.NewLine);
        Assert.Equal(2 + steps.Length, lines.Length);
        Assert.Matches(@"^\s+step\s+main\s+a\s+b$", lines[0]);
        Assert.Matches(@"^\s+-+\s+-+\s+-+\s+-+$", lines[1]);
        // Step 3 is a's: its text starts in a's column.
        Assert.Equal(
            lines[0].IndexOf(" a ", StringComparison.Ordinal) + 1,
            lines[5].IndexOf("Atomic.Write", StringComparison.Ordinal)
        );
        Assert.DoesNotContain("Atomic", lines[2]);
    }

    private static int StepsOf(string message) =>
        int.Parse(
            System
                .Text.RegularExpressions.Regex.Match(message, @"trace: (\d+) steps")
                .Groups[1]
                .Value,
            System.Globalization.CultureInfo.InvariantCulture
        );

    private static void Buggy(IThreading threading) => Counters.Increment(threading, locked: false);

    private static void Fixed(IThreading threading) => Counters.Increment(threading, locked: true);

    private static void WrongParameter(int count) => _ = count;

    private static int WrongReturn(IThreading threading) => threading.GetHashCode();

    private static void NoParameter() { }
}
