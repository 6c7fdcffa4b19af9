using System.Diagnostics;
using Pool.Systematic;
using Pool.Systematic.Timelines;

namespace Pool.Explorer;

/// <summary><c>pool-explore test</c>: explores every selected test and reports what it found.</summary>
internal sealed class TestCommand(ConsoleView view)
{
    internal int Run(TestSettings settings)
    {
        if (settings.Parallel < 1)
        {
            throw new UsageException("--parallel must be at least 1.");
        }
        if (settings.Parallel > 1 && settings.Shard.Count > 1)
        {
            throw new UsageException(
                "--parallel and --shard cannot be combined: --parallel shares one dpor search among its workers (other strategies: makes its own shards)."
            );
        }
        if (
            settings.Strategy == Strategy.Dfs
            && (settings.Parallel > 1 || settings.Shard.Count > 1)
        )
        {
            throw new UsageException(
                "dfs is one ordered search: it cannot run with --parallel or --shard (dpor can)."
            );
        }
        try
        {
            (
                settings.SharesOneSearch
                    ? settings
                    : settings with
                    {
                        Shard = new ShardSpec(0, Math.Max(settings.Parallel, settings.Shard.Count)),
                    }
            )
                .OptionsFor(new DiscoveredTest("", "", _ => { }, 1))
                .Validate();
        }
        catch (ArgumentException exception)
        {
            throw new UsageException(exception.Message.Split(" (Parameter")[0]);
        }
        Directory.CreateDirectory(settings.OutputDirectory);
        var catalog = TestCatalog.Load(settings.Assembly);
        var tests = catalog.Select(settings.Method);
        var outcomes =
            (settings.Parallel > 1 && !settings.SharesOneSearch)
            || CoverageRuntime.NeedsChild(settings)
                ? RunInChildren(settings)
                : RunHere(settings, tests);
        if (settings.ReportJson is null || (settings.Parallel > 1 && !settings.SharesOneSearch))
        {
            TestOutcome.Write(Path.Combine(settings.OutputDirectory, "report.json"), outcomes);
        }
        view.Results(outcomes);
        foreach (var outcome in outcomes.Where(o => o.SchedulesPerWorker is not null))
        {
            view.Line(
                $"{outcome.Test}: {outcome.SchedulesPerWorker!.Count} workers ran {string.Join(" + ", outcome.SchedulesPerWorker.Select(n => n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))} schedules"
            );
        }
        foreach (var outcome in outcomes.Where(o => o.BugFound))
        {
            view.Bug(outcome);
        }
        if (settings.Coverage && settings.ReportJson is null)
        {
            new CoverageReport(view).Show(outcomes, settings.OutputDirectory);
        }
        view.Line(
            $"report: {Path.GetFullPath(Path.Combine(settings.OutputDirectory, "report.json"))}"
        );
        return outcomes.Any(o => o.BugFound) ? ExitCodes.BugFound : ExitCodes.NoBug;
    }

    private List<TestOutcome> RunHere(TestSettings settings, IReadOnlyList<DiscoveredTest> tests)
    {
        var clock = Stopwatch.StartNew();
        var outcomes = new List<TestOutcome>();
        foreach (var test in tests)
        {
            TimeSpan? remaining = settings.TimeoutSeconds is { } seconds
                ? TimeSpan.FromSeconds(seconds) - clock.Elapsed
                : null;
            if (remaining <= TimeSpan.Zero)
            {
                view.Line($"{test.Name}: skipped, --timeout reached");
                continue;
            }
            var iterations = settings.IterationsFor(test);
            var report = view.WithProgress(
                test.Name,
                (iterations + settings.Shard.Count - 1 - settings.Shard.Index)
                    / settings.Shard.Count,
                progress =>
                    Explore(
                        test,
                        settings.OptionsFor(test) with
                        {
                            TimeLimit = remaining,
                            Progress = progress,
                            Coverage = settings.Coverage,
                        }
                    )
            );
            if (report is null)
            {
                outcomes.Add(TestOutcome.NothingExplored(test.Name, settings));
                continue;
            }
            var outcome = TestOutcome.From(
                test.Name,
                OptionNames.Of(settings.Strategy),
                settings.Shard,
                report,
                WriteTrace(settings, test, report)
            );
            if (outcome.BugFound && outcome.TraceFile is { } trace)
            {
                outcome = outcome with
                {
                    TimelineFile = TimelinePage.Write(
                        Path.ChangeExtension(trace, ".html"),
                        outcome
                    ),
                };
            }
            outcomes.Add(outcome);
        }
        if (settings.ReportJson is not null)
        {
            TestOutcome.Write(settings.ReportJson, outcomes);
        }
        return outcomes;
    }

    // Null when the test never reached a scheduling point: a failure of the test, reported as such.
    private static ExplorationReport? Explore(DiscoveredTest test, ExplorationOptions options)
    {
        try
        {
            return Pool.Systematic.Explorer.Run(test.Body, options);
        }
        catch (InvalidOperationException exception)
            when (exception.Message.StartsWith("Nothing was explored", StringComparison.Ordinal))
        {
            return null;
        }
    }

    private static string? WriteTrace(
        TestSettings settings,
        DiscoveredTest test,
        ExplorationReport report
    )
    {
        if (report.Trace is null)
        {
            return null;
        }
        Directory.CreateDirectory(settings.OutputDirectory);
        var suffix = settings.Shard.Count > 1 ? $".shard{settings.Shard.Index}" : "";
        var path = Path.GetFullPath(
            Path.Combine(settings.OutputDirectory, $"{test.Name}{suffix}.trace")
        );
        File.WriteAllText(path, report.Trace + Environment.NewLine);
        File.WriteAllLines(
            Path.ChangeExtension(path, ".interleaving.txt"),
            report.Interleaving.Select(s =>
                $"{s.Step, 5}  {s.ThreadName, -20} {s.Operation, -28} {s.Location}"
            )
        );
        return path;
    }

    private List<TestOutcome> RunInChildren(TestSettings settings)
    {
        var entry = System.Reflection.Assembly.GetEntryAssembly()!.Location;
        var host = Environment.ProcessPath!;
        var viaDotnet = Path.GetFileNameWithoutExtension(host) == "dotnet";
        var children = new List<(Process Process, string Report)>();
        var processes = settings.SharesOneSearch ? 1 : settings.Parallel;
        for (var shard = 0; shard < processes; shard++)
        {
            var report = Path.GetFullPath(
                Path.Combine(settings.OutputDirectory, $"shard-{shard}.json")
            );
            File.Delete(report);
            var start = new ProcessStartInfo(host) { UseShellExecute = false };
            if (viaDotnet)
            {
                start.ArgumentList.Add(entry);
            }
            foreach (
                var argument in settings.ChildArguments(
                    processes > 1 ? new ShardSpec(shard, settings.Parallel) : settings.Shard,
                    report
                )
            )
            {
                start.ArgumentList.Add(argument);
            }
            start.RedirectStandardOutput = true;
            CoverageRuntime.Prepare(start, settings);
            var process = Process.Start(start)!;
            var index = shard;
            process.OutputDataReceived += (_, line) =>
            {
                if (
                    line.Data is { Length: > 0 } text
                    && !text.StartsWith('│')
                    && !text.StartsWith('╭')
                )
                {
                    view.Line($"[shard {index}] {text}");
                }
            };
            process.BeginOutputReadLine();
            children.Add((process, report));
        }
        var outcomes = new List<TestOutcome>();
        foreach (var (process, report) in children)
        {
            process.WaitForExit();
            if (process.ExitCode == ExitCodes.UsageError || !File.Exists(report))
            {
                throw new UsageException(
                    $"A shard process failed (exit code {process.ExitCode}); see its output above."
                );
            }
            outcomes.AddRange(TestOutcome.Read(report));
        }
        return [.. outcomes.GroupBy(o => o.Test).Select(g => TestOutcome.Merge([.. g]))];
    }
}
