using Pool.Explorer;
using Spectre.Console;

namespace Coyote.Tests.CommandLine;

/// <summary>pool-explore run in-process: exit codes, messages, shards, reports, replay.</summary>
public class CommandLineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pool-explore-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static (int Exit, string Output) Run(params string[] args)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(
            new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(writer),
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
            }
        );
        console.Profile.Width = 250;
        var exit = Pool.Explorer.CommandLine.Run(args, console);
        return (exit, writer.ToString());
    }

    // The classic lost update, explored until it fails: exit 1, a trace and a timeline in the output folder.
    private (int Exit, string Output) ExploreLostUpdate() =>
        Run("test", TeethAssembly, "-m", "ClassicBugs.LostUpdate", "-i", "500", "-o", _directory);

    private static string TeethAssembly => typeof(Coyote.Teeth.ClassicBugs).Assembly.Location;

    [Fact]
    public void ListShowsTheBuiltInScenarios()
    {
        var (exit, output) = Run("list");
        Assert.Equal(ExitCodes.NoBug, exit);
        Assert.Contains("PoolScenarios.DestroyFromTaskWhileOthersWork", output);
    }

    [Fact]
    public void CorrectTestExitsZeroAndPrintsTheTable()
    {
        var (exit, output) = Run(
            "test",
            TeethAssembly,
            "-m",
            "LostUpdateFixed",
            "-i",
            "50",
            "-o",
            _directory
        );
        Assert.Equal(ExitCodes.NoBug, exit);
        Assert.Contains("ClassicBugs.LostUpdateFixed", output);
        Assert.Contains("iterations/s", output);
    }

    [Fact]
    public void BugExitsOneWritesATraceThatReplays()
    {
        var (exit, output) = ExploreLostUpdate();
        Assert.Equal(ExitCodes.BugFound, exit);
        Assert.Contains("lost update", output);
        var trace = Path.Combine(_directory, "ClassicBugs.LostUpdate.trace");
        Assert.True(File.Exists(trace));

        var (replayExit, replayOutput) = Run(
            "replay",
            TeethAssembly,
            "-m",
            "ClassicBugs.LostUpdate",
            trace
        );
        Assert.Equal(ExitCodes.BugFound, replayExit);
        Assert.Contains("Atomic.Write", replayOutput);
    }

    [Fact]
    public void BugWritesATimelineAndReplayDrawsOneOnRequest()
    {
        var (exit, output) = ExploreLostUpdate();
        Assert.Equal(ExitCodes.BugFound, exit);
        var timeline = Path.Combine(_directory, "ClassicBugs.LostUpdate.html");
        Assert.True(File.Exists(timeline));
        Assert.Contains($"timeline:   {timeline}", output);
        var page = File.ReadAllText(timeline);
        Assert.Contains("class=\"step failing\" id=\"failing\"", page);
        Assert.Contains("lost update", page);
        // Local functions read as the code names them, in the page and in the text grid alike.
        Assert.Contains("ClassicBugs.Counter.Increment", page);
        Assert.Contains("ClassicBugs.Counter.Increment", output);
        Assert.DoesNotContain("g__", output);
        Assert.DoesNotContain("<>c", output);

        var replayed = Path.Combine(_directory, "replayed", "lost-update.html");
        var (replayExit, replayOutput) = Run(
            "replay",
            TeethAssembly,
            "-m",
            "ClassicBugs.LostUpdate",
            Path.Combine(_directory, "ClassicBugs.LostUpdate.trace"),
            "--html",
            replayed
        );
        Assert.Equal(ExitCodes.BugFound, replayExit);
        Assert.True(File.Exists(replayed));
        Assert.Contains($"timeline:   {replayed}", replayOutput);
        Assert.Contains("lost update", File.ReadAllText(replayed));
    }

    [Fact]
    public void ReplayOfAnotherTestsTraceReportsDivergence()
    {
        Run("test", TeethAssembly, "-m", "ClassicBugs.LostUpdate", "-i", "500", "-o", _directory);
        var trace = Path.Combine(_directory, "ClassicBugs.LostUpdate.trace");
        var (exit, output) = Run(
            "replay",
            TeethAssembly,
            "-m",
            "ClassicBugs.LockOrderFixed",
            trace
        );
        Assert.Equal(ExitCodes.UsageError, exit);
        Assert.Contains("no longer follows this trace", output);
    }

    [Fact]
    public void ShardsAreDisjointAndMergeToTheWhole()
    {
        var reports = new List<string>();
        for (var shard = 0; shard < 2; shard++)
        {
            var report = Path.Combine(_directory, $"s{shard}.json");
            var (exit, _) = Run(
                "test",
                TeethAssembly,
                "-m",
                "LostUpdateFixed",
                "-i",
                "101",
                "--shard",
                $"{shard}/2",
                "-o",
                _directory,
                "--report-json",
                report
            );
            Assert.Equal(ExitCodes.NoBug, exit);
            reports.Add(report);
        }
        Assert.Equal(51, TestOutcomeIterations(reports[0]));
        Assert.Equal(50, TestOutcomeIterations(reports[1]));
        var merged = Path.Combine(_directory, "merged.json");
        var (mergeExit, _) = Run(["merge", .. reports, "-o", merged]);
        Assert.Equal(ExitCodes.NoBug, mergeExit);
        Assert.Equal(101, TestOutcomeIterations(merged));
    }

    [Theory]
    [InlineData("missing assembly", "Assembly not found", "test", "/no/such.dll")]
    [InlineData("missing method", "No [SystematicTest] method matches", "test", "-m", "NoSuchTest")]
    [InlineData("bad shard", "is not I/N", "test", "--shard", "2/2")]
    [InlineData(
        "unknown strategy",
        "Unknown strategy 'bfs'; use one of: portfolio, random, pct, dfs",
        "test",
        "-s",
        "bfs"
    )]
    [InlineData("a strategy in capitals", "Unknown strategy 'PCT'", "test", "-s", "PCT")]
    [InlineData(
        "unknown memory model",
        "Unknown memory model 'arm'; use one of: sc, tso, pso",
        "test",
        "--memory-model",
        "arm"
    )]
    [InlineData("unknown option", "Unknown option", "test", "--bogus")]
    [InlineData(
        "coverage on a replay",
        "--coverage applies to 'test' only",
        "replay",
        "-m",
        "CountStaysExact",
        "any.trace",
        "--coverage"
    )]
    [InlineData("dfs sharded", "dfs is one ordered search", "test", "-s", "dfs", "--shard", "0/2")]
    [InlineData("negative bound", "--preemption-bound must be 0 or more", "test", "-k", "-1")]
    [InlineData("bound not a number", "Cannot parse argument 'x'", "test", "-s", "dpor", "-k", "x")]
    [InlineData(
        "dpor under store buffers",
        "dpor explores sequential consistency only",
        "test",
        "-s",
        "dpor",
        "--memory-model",
        "tso"
    )]
    [InlineData(
        "a bound on a sampling strategy",
        "applies to dfs and dpor only",
        "test",
        "-s",
        "random",
        "-k",
        "2"
    )]
    [InlineData(
        "a search order on a sampling strategy",
        "A search order is for dpor",
        "test",
        "-s",
        "random",
        "--order",
        "shallowestfirst"
    )]
    [InlineData(
        "shallowest first on a shard",
        "a shard cannot run shallowest first",
        "test",
        "-s",
        "dpor",
        "--order",
        "shallowestfirst",
        "--shard",
        "0/2"
    )]
    [InlineData(
        "unknown search order",
        "Unknown search order 'sideways'",
        "test",
        "-s",
        "dpor",
        "--order",
        "sideways"
    )]
    [InlineData(
        "missing trace",
        "Trace file not found",
        "replay",
        "-m",
        "CountStaysExact",
        "/no/such.trace"
    )]
    public void UsageErrorsExitTwoWithAMessage(string because, string message, params string[] args)
    {
        var (exit, output) = Run(args);
        Assert.True(exit == ExitCodes.UsageError, because);
        Assert.Contains(message, output);
    }

    [Fact]
    public void ADporSearchSaysWhatItProved()
    {
        var (exit, output) = Run(
            "test",
            TeethAssembly,
            "-m",
            "LostUpdateFixed",
            "-s",
            "dpor",
            "-k",
            "2",
            "-i",
            "100000",
            "--coverage",
            "-o",
            _directory
        );
        Assert.Equal(ExitCodes.NoBug, exit);
        Assert.Contains("exhaustive: every schedule up to 2 preemptions (", output);
        var report = File.ReadAllText(Path.Combine(_directory, "report.json"));
        Assert.Contains("\"End\": \"Exhaustive\"", report);
        Assert.Contains("\"PreemptionBound\": 2", report);
        var page = File.ReadAllText(Path.Combine(_directory, "coverage.html"));
        Assert.Contains("exhaustive: every schedule up to 2 preemptions (", page);
        var (cutExit, cut) = Run(
            "test",
            TeethAssembly,
            "-m",
            "LostUpdateFixed",
            "-s",
            "dpor",
            "-i",
            "2",
            "-o",
            _directory
        );
        Assert.Equal(ExitCodes.NoBug, cutExit);
        Assert.Contains("cut by the iteration budget after", cut);
    }

    [Fact]
    public void CoverageListsThePointsOfEachTestAndThePagesUnreachedSites()
    {
        var (exit, output) = Run(
            "test",
            TeethAssembly,
            "-m",
            "LostUpdateFixed",
            "-i",
            "20",
            "--coverage",
            "-o",
            _directory
        );
        Assert.Equal(ExitCodes.NoBug, exit);
        Assert.Contains("coverage of ClassicBugs.LostUpdateFixed:", output);
        Assert.Contains("Lock.Enter", output);
        // The teeth never run the product: every product site is unreached, and the page lists them.
        var page = File.ReadAllText(Path.Combine(_directory, "coverage.html"));
        var unreached = page[
            page.IndexOf("id=\"unreached\"", StringComparison.Ordinal)..page.IndexOf(
                "id=\"sites\"",
                StringComparison.Ordinal
            )
        ];
        Assert.Contains("ThreadPool.StartWorker", unreached);
        Assert.Contains("unreached: Start", output);
        var report = File.ReadAllText(Path.Combine(_directory, "report.json"));
        Assert.Contains("\"Coverage\"", report);
        Assert.Contains("\"Switches\"", report);
    }

    [Fact]
    public void ParallelDporSharesOneSearchAndSaysWhatEachWorkerRan()
    {
        var (exit, output) = Run(
            "test",
            TeethAssembly,
            "-m",
            "LostUpdateFixed",
            "-s",
            "dpor",
            "--parallel",
            "2",
            "-i",
            "100000",
            "-o",
            _directory
        );
        Assert.Equal(ExitCodes.NoBug, exit);
        Assert.Contains("exhaustive (", output);
        Assert.Contains("ClassicBugs.LostUpdateFixed: 2 workers ran ", output);
        var outcome = System
            .Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(_directory, "report.json")))
            .RootElement[0];
        Assert.Equal("Exhaustive", outcome.GetProperty("End").GetString());
        Assert.Equal("0/1", outcome.GetProperty("Shard").GetString()); // one search, not shards
        var perWorker = outcome
            .GetProperty("SchedulesPerWorker")
            .EnumerateArray()
            .Select(n => n.GetInt32())
            .ToList();
        Assert.Equal(2, perWorker.Count);
        Assert.Equal(outcome.GetProperty("Schedules").GetInt32(), perWorker.Sum());
    }

    [Fact]
    public void ParallelDporStopsAtTheFirstBugAndItsTraceReplays()
    {
        var (exit, output) = Run(
            "test",
            TeethAssembly,
            "-m",
            "ClassicBugs.LostUpdate",
            "-s",
            "dpor",
            "--parallel",
            "2",
            "-i",
            "100000",
            "-o",
            _directory
        );
        Assert.Equal(ExitCodes.BugFound, exit);
        Assert.Contains("lost update", output);
        var (replayExit, replayOutput) = Run(
            "replay",
            TeethAssembly,
            "-m",
            "ClassicBugs.LostUpdate",
            Path.Combine(_directory, "ClassicBugs.LostUpdate.trace")
        );
        Assert.Equal(ExitCodes.BugFound, replayExit);
        Assert.Contains("lost update", replayOutput);
    }

    [Fact]
    public void WrongShapesAreRejectedWithTheExpectedShape()
    {
        var (exit, output) = Run("list", typeof(WrongShapes).Assembly.Location);
        Assert.Equal(ExitCodes.UsageError, exit);
        Assert.Contains("WrongShapes.ReturnsAValue", output);
        Assert.Contains("WrongShapes.TakesNothing", output);
        Assert.Contains("public static void Method(Pool.Threading.IThreading threading)", output);
    }

    private static int TestOutcomeIterations(string report) =>
        System
            .Text.Json.JsonDocument.Parse(File.ReadAllText(report))
            .RootElement[0]
            .GetProperty("Iterations")
            .GetInt32();
}
