using System.Globalization;
using System.Text;
using Pool.Systematic.Timelines;
using Pool.Threading;
using Xunit;

namespace Pool.Systematic.Xunit;

/// <summary>
/// Runs one systematic test inside an xunit v3 test: what <see cref="SystematicFactAttribute"/> does, callable from any
/// test (a theory over several bodies, say). Explores (or replays) the body, writes the exploration's progress and
/// summary to the test's output, and on a bug writes the trace and the HTML timeline, attaches both to the test result
/// and throws a <see cref="SystematicTestFailure"/> whose message has the bug, the minimised interleaving as a step
/// grid, the seed and strategy, and the line that replays it.
/// </summary>
public static class SystematicExploration
{
    private const int GridRowsShown = 80;

    /// <summary>Explores <paramref name="body"/> under <paramref name="settings"/>; returns the report when no bug was found.</summary>
    /// <param name="name">
    /// The test's name, as the failure, the trace's file name and <see cref="SystematicSettings.ReplayVariable"/> know it
    /// (<c>Namespace.Class.Method</c> for an attribute's test).
    /// </param>
    /// <param name="body">The test body: every thread, lock, condition and atomic through the <see cref="IThreading"/> it gets.</param>
    /// <param name="settings">The options (the command line's defaults when null).</param>
    /// <exception cref="SystematicTestFailure">
    /// A bug, invalid settings or scale, a replay that diverged or could not be read, or a body that never reached a
    /// scheduling point.
    /// </exception>
    public static ExplorationReport Run(
        string name,
        Action<IThreading> body,
        SystematicSettings? settings = null
    )
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(body);
        settings ??= new SystematicSettings();
        var problems = settings.Problems();
        if (problems.Count > 0)
        {
            throw new SystematicTestFailure($"{name}: {string.Join(" ", problems)}");
        }
        double scale;
        try
        {
            scale = SystematicSettings.ScaleOf(
                Environment.GetEnvironmentVariable(SystematicSettings.ScaleVariable)
            );
        }
        catch (ArgumentException exception)
        {
            throw new SystematicTestFailure($"{name}: {exception.Message}");
        }
        var trace = TraceToReplay(name, settings);
        return trace is { } replay
            ? Replay(name, body, settings, replay)
            : Explore(name, body, settings, scale);
    }

    private static ExplorationReport Explore(
        string name,
        Action<IThreading> body,
        SystematicSettings settings,
        double scale
    )
    {
        var lastDecile = -1;
        var total = SystematicSettings.Scaled(settings.Iterations, scale);
        var options = settings.ToOptions(
            scale,
            done =>
            {
                var decile = done * 10 / total;
                if (decile != lastDecile)
                {
                    lastDecile = decile;
                    Output($"{name}: {done}/{total} iterations");
                }
            }
        );
        ExplorationReport report;
        try
        {
            report = Explorer.Run(body, options);
        }
        catch (ArgumentException exception)
        {
            throw new SystematicTestFailure($"{name}: {exception.Message}");
        }
        catch (InvalidOperationException exception)
            when (exception.Message.StartsWith("Nothing was explored", StringComparison.Ordinal))
        {
            throw new SystematicTestFailure(
                $"{name}: nothing was explored: no iteration reached a scheduling point. The body must start its "
                    + "threads and take its locks, conditions and atomics through the IThreading it is given."
            );
        }
        Output(Summary(name, settings, options, report, scale));
        if (report.BugFound)
        {
            throw Failure(name, settings, report, replayed: false);
        }
        return report;
    }

    private static ExplorationReport Replay(
        string name,
        Action<IThreading> body,
        SystematicSettings settings,
        (string Text, string Source) trace
    )
    {
        ExplorationReport report;
        try
        {
            report = Explorer.Replay(
                body,
                trace.Text,
                // As explored: a livelock replays as one only when reaching the step bound is a bug.
                new ExplorationOptions
                {
                    MaxSteps = settings.MaxSteps,
                    FailOnMaxSteps = settings.FailOnMaxSteps,
                }
            );
        }
        catch (FormatException exception)
        {
            throw new SystematicTestFailure(
                $"{name}: cannot replay {trace.Source}: {exception.Message}"
            );
        }
        if (report.Diverged)
        {
            throw new SystematicTestFailure(
                $"{name} no longer follows the trace {trace.Source}: {report.BugMessage}"
            );
        }
        if (!report.BugFound)
        {
            Output(
                $"{name}: replayed {trace.Source}: the schedule ran to the end without a bug ({report.TotalSteps} steps)."
            );
            return report;
        }
        throw Failure(name, settings, report, replayed: true);
    }

    /// <summary>The trace the settings or <see cref="SystematicSettings.ReplayVariable"/> name for this test, and where it came from.</summary>
    private static (string Text, string Source)? TraceToReplay(
        string name,
        SystematicSettings settings
    )
    {
        var replay = settings.Replay;
        if (string.IsNullOrWhiteSpace(replay))
        {
            var variable = Environment.GetEnvironmentVariable(SystematicSettings.ReplayVariable);
            if (
                string.IsNullOrWhiteSpace(variable)
                || TestNameOf(variable.Trim()) != FileNameOf(name)
            )
            {
                return null;
            }
            replay = variable;
        }
        replay = replay.Trim();
        if (replay.StartsWith("pool-trace/", StringComparison.Ordinal))
        {
            return (replay, "the trace given");
        }
        var path = Path.GetFullPath(replay);
        if (!File.Exists(path))
        {
            throw new SystematicTestFailure(
                $"{name}: the trace file to replay does not exist: {path}"
            );
        }
        return (File.ReadAllText(path), path);
    }

    private static SystematicTestFailure Failure(
        string name,
        SystematicSettings settings,
        ExplorationReport report,
        bool replayed
    )
    {
        var folder = Path.GetFullPath(
            Environment.GetEnvironmentVariable(SystematicSettings.OutputVariable)
                is { Length: > 0 } configured
                ? configured
                : "explore-out"
        );
        Directory.CreateDirectory(folder);
        var traceFile = Path.Combine(folder, FileNameOf(name) + ".trace");
        var htmlFile = Path.ChangeExtension(traceFile, ".html");
        var traceText = report.Trace + Environment.NewLine;
        File.WriteAllText(traceFile, traceText);
        var subject = new FailedTest(name, report, traceFile);
        var html = TimelinePage.Render(subject);
        File.WriteAllText(htmlFile, html, new UTF8Encoding(false));
        if (TestContext.Current.Test is not null)
        {
            TestContext.Current.AddAttachment(
                Path.GetFileName(traceFile),
                Encoding.UTF8.GetBytes(traceText),
                replaceExistingValue: true,
                "text/plain"
            );
            // The runner adds an extension of the media type to an attachment's name: X.trace.txt and X.html.
            TestContext.Current.AddAttachment(
                Path.GetFileNameWithoutExtension(htmlFile),
                Encoding.UTF8.GetBytes(html),
                replaceExistingValue: true,
                "text/html"
            );
        }
        return new SystematicTestFailure(
            FailureText(name, settings, report, traceFile, htmlFile, replayed)
        );
    }

    /// <summary>The failure's message: the bug, where it was found, the step grid, the files and the replay line.</summary>
    internal static string FailureText(
        string name,
        SystematicSettings settings,
        ExplorationReport report,
        string traceFile,
        string htmlFile,
        bool replayed
    )
    {
        var text = new StringBuilder();
        text.Append(
                CultureInfo.InvariantCulture,
                $"Bug in {name} ({report.BugKind}): {report.BugMessage}"
            )
            .AppendLine()
            .Append(CultureInfo.InvariantCulture, $"  thread:   {report.BugThread}")
            .AppendLine();
        if (replayed)
        {
            text.Append("  replayed from a trace; ");
        }
        else
        {
            text.Append(
                CultureInfo.InvariantCulture,
                $"  found at iteration {report.BugIteration} by {report.BugStrategy}; strategy {settings.Strategy}, seed {settings.Seed}, memory model {settings.MemoryModel}; "
            );
        }
        text.Append(
                CultureInfo.InvariantCulture,
                $"trace: {report.Steps} steps, {report.Preemptions} preemptions"
            )
            .Append(
                replayed
                    ? ""
                    : string.Create(
                        CultureInfo.InvariantCulture,
                        $" (before minimisation: {report.OriginalSteps} steps, {report.OriginalPreemptions} preemptions)"
                    )
            )
            .AppendLine()
            .AppendLine()
            .Append(StepGrid(report.Interleaving))
            .AppendLine()
            .Append(CultureInfo.InvariantCulture, $"  trace file: {traceFile}")
            .AppendLine()
            .Append(CultureInfo.InvariantCulture, $"  timeline:   {htmlFile}")
            .AppendLine()
            .Append(
                CultureInfo.InvariantCulture,
                $"  replay: {SystematicSettings.ReplayVariable}={traceFile} dotnet test --filter \"FullyQualifiedName={FilterOf(name)}\""
            )
            .AppendLine()
            .Append(
                CultureInfo.InvariantCulture,
                $"  (or [SystematicFact(Replay = \"{traceFile}\")] on the test, and debug it)"
            );
        return text.ToString();
    }

    /// <summary>
    /// The interleaving as a grid: a column per thread, a row per step with its operation and source location (the
    /// last rows when it is long).
    /// </summary>
    internal static string StepGrid(IReadOnlyList<TraceStep> steps)
    {
        if (steps.Count == 0)
        {
            return "  (no interleaving was recorded)" + Environment.NewLine;
        }
        var threads = steps
            .Select(s => (s.ThreadId, s.ThreadName))
            .Distinct()
            .OrderBy(t => t.ThreadId)
            .ToList();
        var shown = steps.Skip(Math.Max(0, steps.Count - GridRowsShown)).ToList();
        var rows = new List<string[]>
        {
            new[] { "step" }.Concat(threads.Select(t => t.ThreadName)).ToArray(),
        };
        foreach (var step in shown)
        {
            var row = new string[threads.Count + 1];
            row[0] = step.Step.ToString(CultureInfo.InvariantCulture);
            for (var i = 0; i < threads.Count; i++)
            {
                row[i + 1] =
                    threads[i].ThreadId == step.ThreadId
                        ? $"{step.Operation} {step.Location}".TrimEnd()
                        : "";
            }
            rows.Add(row);
        }
        var widths = Enumerable
            .Range(0, threads.Count + 1)
            .Select(column => rows.Max(r => r[column].Length))
            .ToArray();
        var grid = new StringBuilder();
        if (shown.Count < steps.Count)
        {
            grid.Append(
                    CultureInfo.InvariantCulture,
                    $"  (last {shown.Count} of {steps.Count} steps; the trace and the timeline have them all)"
                )
                .AppendLine();
        }
        for (var r = 0; r < rows.Count; r++)
        {
            grid.Append("  ")
                .Append(rows[r][0].PadLeft(widths[0]))
                .Append(
                    string.Concat(
                            rows[r].Skip(1).Select((cell, i) => "  " + cell.PadRight(widths[i + 1]))
                        )
                        .TrimEnd()
                )
                .AppendLine();
            if (r == 0)
            {
                grid.Append("  ")
                    .Append(string.Join("  ", widths.Select(w => new string('-', w))))
                    .AppendLine();
            }
        }
        return grid.ToString();
    }

    private static string Summary(
        string name,
        SystematicSettings settings,
        ExplorationOptions options,
        ExplorationReport report,
        double scale
    )
    {
        var average = report.Iterations == 0 ? 0 : (double)report.TotalSteps / report.Iterations;
        var seconds = report.Elapsed.TotalSeconds;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{name}: {report.Iterations} iterations{(report.Exhausted ? " (exhausted)" : "")}, {report.DistinctSchedules} schedules, steps min/avg/max {report.MinSteps}/{average:F0}/{report.MaxSteps}, "
                + $"bugs {(report.BugFound ? $"1 ({report.BugKind})" : "0")}, {seconds:F2} s, {(seconds > 0 ? (report.Iterations / seconds).ToString("F0", CultureInfo.InvariantCulture) : "-")} iterations/s; "
                + $"strategy {settings.Strategy}, seed {settings.Seed}, memory model {settings.MemoryModel}, budget {options.Iterations}{(scale == 1 ? "" : $" ({SystematicSettings.ScaleVariable}={scale})")}"
        );
    }

    private static void Output(string line) =>
        TestContext.Current.TestOutputHelper?.WriteLine(line);

    /// <summary>What <c>dotnet test --filter</c> selects the running test by: its class and method when xunit runs it.</summary>
    private static string FilterOf(string name) =>
        TestContext.Current.TestClass?.TestClassName is { } type
        && TestContext.Current.TestMethod?.MethodName is { } method
            ? $"{type}.{method}"
            : name;

    /// <summary>
    /// The test a trace file belongs to: its name without <c>.trace</c>, and without the <c>.txt</c> that a test
    /// result's attachment adds (<c>X.trace.txt</c>).
    /// </summary>
    private static string TestNameOf(string traceFile)
    {
        var file = Path.GetFileName(traceFile);
        foreach (var extension in new[] { ".txt", ".trace" })
        {
            if (file.EndsWith(extension, StringComparison.Ordinal))
            {
                file = file[..^extension.Length];
            }
        }
        return file;
    }

    /// <summary>The test's name as a file name (trace, timeline): letters, digits, '.', '-' and '_' kept, the rest '_'.</summary>
    internal static string FileNameOf(string name) =>
        string.Concat(
            name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_')
        );

    /// <summary>A failing test's report as the timeline page reads it.</summary>
    private sealed record FailedTest(string Test, ExplorationReport Report, string TraceFile)
        : ITimelineSubject
    {
        public string? BugKind => Report.BugKind?.ToString();

        public bool BugFound => Report.BugFound;

        public string? BugMessage => Report.BugMessage;

        public string? BugThread => Report.BugThread;

        public int? BugIteration => Report.BugIteration;

        public string? BugStrategy => Report.BugStrategy;

        string? ITimelineSubject.TraceFile => TraceFile;

        public int? Steps => Report.Steps;

        public int? Preemptions => Report.Preemptions;

        public IReadOnlyList<TraceStep> Interleaving => Report.Interleaving;

        public IReadOnlyList<ThreadWait> FinalWaits => Report.FinalWaits;
    }
}
