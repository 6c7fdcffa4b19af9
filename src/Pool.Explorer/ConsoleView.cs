using System.Globalization;
using Pool.Systematic;
using Spectre.Console;

namespace Pool.Explorer;

/// <summary>Everything the command line prints: progress, the results table, bugs and interleavings.</summary>
internal sealed class ConsoleView(IAnsiConsole console)
{
    private const int InterleavingRowsShown = 80;

    internal IAnsiConsole Console => console;

    /// <summary>True when a live progress bar can be drawn (an interactive terminal).</summary>
    internal bool Interactive =>
        console.Profile.Capabilities.Interactive && !System.Console.IsOutputRedirected;

    internal void Line(string text) => console.WriteLine(text);

    internal void Error(string text) => console.MarkupLine($"[red]error:[/] {Markup.Escape(text)}");

    /// <summary>Runs <paramref name="work"/> with a progress display: a bar on a terminal, plain lines otherwise.</summary>
    internal T WithProgress<T>(string label, int total, Func<Action<int>, T> work)
    {
        if (!Interactive)
        {
            var lastDecile = -1;
            return work(done =>
            {
                var decile = total == 0 ? 10 : done * 10 / total;
                if (decile != lastDecile)
                {
                    lastDecile = decile;
                    console.WriteLine($"{label}: {done}/{total} iterations");
                }
            });
        }
        T result = default!;
        console
            .Progress()
            .AutoClear(true)
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(label), maxValue: Math.Max(total, 1));
                result = work(done => task.Value = done);
            });
        return result;
    }

    internal void Results(IReadOnlyList<TestOutcome> outcomes)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (
            var column in new[]
            {
                "test",
                "search",
                "iterations",
                "schedules",
                "steps min/avg/max",
                "bugs",
                "time",
                "iterations/s",
            }
        )
        {
            table.AddColumn(column);
        }
        foreach (var o in outcomes)
        {
            // Over the schedules run to their end: pruned iterations count no steps.
            var runs = o.Schedules > 0 ? o.Schedules : o.Iterations;
            var average = runs == 0 ? 0 : (double)o.TotalSteps / runs;
            table.AddRow(
                Markup.Escape(o.Test),
                o.Exhausted ? $"[green]{Markup.Escape(o.Verdict)}[/]" : Markup.Escape(o.Verdict),
                o.Iterations.ToString(CultureInfo.InvariantCulture),
                o.DistinctSchedules.ToString(CultureInfo.InvariantCulture),
                $"{o.MinSteps}/{average:F0}/{o.MaxSteps}",
                o.BugFound ? $"[red]1 ({Markup.Escape(o.BugKind!)})[/]" : "0",
                $"{o.Seconds:F2} s",
                o.Seconds > 0
                    ? (o.Iterations / o.Seconds).ToString("F0", CultureInfo.InvariantCulture)
                    : "-"
            );
        }
        console.Write(table);
    }

    internal void Bug(TestOutcome outcome)
    {
        console.MarkupLine(
            $"[red]Bug in {Markup.Escape(outcome.Test)}[/] ({Markup.Escape(outcome.BugKind ?? "")})"
        );
        console.WriteLine($"  message:  {outcome.BugMessage}");
        console.WriteLine($"  thread:   {outcome.BugThread}");
        console.WriteLine(
            $"  found at iteration {outcome.BugIteration} by {outcome.BugStrategy}; trace: {outcome.Steps} steps, "
                + $"{outcome.Preemptions} preemptions (before minimisation: {outcome.OriginalSteps} steps, {outcome.OriginalPreemptions} preemptions)"
        );
        if (outcome.TraceFile is not null)
        {
            console.WriteLine($"  trace file: {outcome.TraceFile}");
        }
        if (outcome.TimelineFile is not null)
        {
            console.WriteLine($"  timeline:   {outcome.TimelineFile}");
        }
        Interleaving(outcome.Interleaving);
    }

    /// <summary>The interleaving as a grid: one column per thread, one row per step (the last rows when long).</summary>
    internal void Interleaving(IReadOnlyList<TraceStep> steps)
    {
        if (steps.Count == 0)
        {
            return;
        }
        var threads = steps
            .Select(s => (s.ThreadId, s.ThreadName))
            .Distinct()
            .OrderBy(t => t.ThreadId)
            .ToList();
        var table = new Table().Border(TableBorder.Simple).AddColumn("step");
        foreach (var (_, name) in threads)
        {
            table.AddColumn(Markup.Escape(name));
        }
        var shown = steps.Skip(Math.Max(0, steps.Count - InterleavingRowsShown)).ToList();
        if (shown.Count < steps.Count)
        {
            console.WriteLine(
                $"  (last {shown.Count} of {steps.Count} steps; the trace file has them all)"
            );
        }
        foreach (var step in shown)
        {
            var cells = new List<string> { step.Step.ToString(CultureInfo.InvariantCulture) };
            foreach (var (id, _) in threads)
            {
                cells.Add(
                    id == step.ThreadId ? Markup.Escape($"{step.Operation} {step.Location}") : ""
                );
            }
            table.AddRow(cells.ToArray());
        }
        console.Write(table);
    }
}
