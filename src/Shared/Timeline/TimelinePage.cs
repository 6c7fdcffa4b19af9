using System.Globalization;
using System.Net;
using System.Text;
using Pool.Systematic;

namespace Pool.Systematic.Timelines;

/// <summary>
/// A failing schedule as one self-contained HTML page: a lane per thread, time running down, each step a box
/// with its operation and source location (its stack lines on hover), blocked stretches shaded with what the
/// thread waits for, preemptions marked and the failing step highlighted with the bug message. Only inline CSS
/// and script: the page loads nothing from elsewhere.
/// </summary>
internal static class TimelinePage
{
    private static readonly string[] LaneColours =
    [
        "#2563eb",
        "#059669",
        "#d97706",
        "#7c3aed",
        "#db2777",
        "#0891b2",
        "#65a30d",
        "#dc2626",
    ];

    /// <summary>Writes the page of <paramref name="outcome"/> to <paramref name="path"/>; returns its full path.</summary>
    internal static string Write(string path, ITimelineSubject outcome)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, Render(outcome), new UTF8Encoding(false));
        return full;
    }

    /// <summary>The page of <paramref name="outcome"/>'s interleaving (a bug's, usually).</summary>
    internal static string Render(ITimelineSubject outcome)
    {
        var timeline = Timeline.Of(
            outcome.Interleaving,
            outcome.FinalWaits,
            outcome.BugFound,
            outcome.BugThread
        );
        var html = new StringBuilder(4096 + 700 * timeline.Steps.Count);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>")
            .Append(Encode($"{outcome.Test}: {outcome.BugKind ?? "no bug"} (pool-explore)"))
            .Append("</title>\n<style>\n")
            .Append(TimelineStyle.Css)
            .Append("</style>\n</head>\n<body>\n");
        Header(html, outcome, timeline);
        Grid(html, outcome, timeline);
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void Header(StringBuilder html, ITimelineSubject outcome, Timeline timeline)
    {
        html.Append("<header>\n<h1>").Append(Encode(outcome.Test)).Append("</h1>\n");
        if (outcome.BugFound)
        {
            html.Append("<p class=\"bug\"><b>")
                .Append(Encode(outcome.BugKind!))
                .Append("</b> on thread <b>")
                .Append(Encode($"'{outcome.BugThread}'"))
                .Append("</b>: ")
                .Append(Encode(outcome.BugMessage ?? ""));
            if (timeline.FailingRow is not null)
            {
                html.Append(" <a href=\"#failing\">(the failing step)</a>");
            }
            html.Append("</p>\n");
        }
        var facts = new List<string>
        {
            $"{Count(outcome.Steps ?? timeline.Steps.Count, "scheduling step")}, {Count(outcome.Preemptions ?? 0, "preemption")}",
            Count(timeline.Lanes.Count, "thread"),
        };
        if (outcome.BugIteration is { } iteration)
        {
            facts.Add($"found at iteration {iteration} by {outcome.BugStrategy}");
        }
        if (outcome.TraceFile is { } trace)
        {
            facts.Add($"trace: {trace}");
        }
        html.Append("<p class=\"facts\">")
            .Append(Encode(string.Join("; ", facts)))
            .Append("</p>\n");
        html.Append(
            "<p class=\"legend\"><span class=\"step\">step</span> "
                + "<span class=\"step preempting\">preemption</span> "
                + "<span class=\"step flush\">store buffer flush</span> "
                + "<span class=\"wait wait-lock\">waits for a lock</span> "
                + "<span class=\"wait wait-condition\">waits on a condition</span> "
                + "<span class=\"wait wait-join\">joins a thread</span> "
                + "<span class=\"wait wait-sleep\">sleeps</span> "
                + "<span class=\"step failing\">failing step</span> "
                + "<span class=\"hint\">hover a step for its stack lines</span></p>\n"
        );
        if (timeline.Steps.Count == 0)
        {
            html.Append(
                "<p class=\"empty\">No interleaving was recorded for this run (a run that blocked outside "
                    + "the explorer's control is not replayed with source locations).</p>\n"
            );
        }
        html.Append("</header>\n");
    }

    private static void Grid(StringBuilder html, ITimelineSubject outcome, Timeline timeline)
    {
        var lanes = timeline.Lanes.ToDictionary(l => l.ThreadId);
        html.Append("<main id=\"timeline\" style=\"grid-template-columns: 5em repeat(")
            .Append(Math.Max(1, timeline.Lanes.Count))
            .Append(", minmax(16em, 1fr))\" data-lanes=\"")
            .Append(timeline.Lanes.Count)
            .Append("\" data-steps=\"")
            .Append(timeline.Steps.Count)
            .Append("\">\n");
        html.Append("<div class=\"head corner\" style=\"grid-row:1;grid-column:1\">step</div>\n");
        foreach (var lane in timeline.Lanes)
        {
            html.Append("<div class=\"head lane-head\" data-thread=\"")
                .Append(lane.ThreadId)
                .Append("\" style=\"grid-row:1;grid-column:")
                .Append(Column(lane))
                .Append(";--c:")
                .Append(Colour(lane))
                .Append("\" title=\"")
                .Append(Encode($"thread {lane.ThreadId}: '{lane.Name}'"))
                .Append("\">")
                .Append(Encode(lane.Name))
                .Append(" <small>#")
                .Append(lane.ThreadId)
                .Append("</small></div>\n");
            html.Append("<div class=\"lane\" style=\"grid-row:")
                .Append(GridRow(lane.FirstRow))
                .Append(" / ")
                .Append(GridRow(lane.LastRow) + 1)
                .Append(";grid-column:")
                .Append(Column(lane))
                .Append(";--c:")
                .Append(Colour(lane))
                .Append("\"></div>\n");
        }
        foreach (var stretch in timeline.Stretches)
        {
            var lane = lanes[stretch.ThreadId];
            var steps = StepRange(timeline, stretch.FirstRow, stretch.LastRow);
            html.Append("<div class=\"wait wait-")
                .Append(Encode(stretch.Kind))
                .Append("\" data-thread=\"")
                .Append(stretch.ThreadId)
                .Append("\" style=\"grid-row:")
                .Append(GridRow(stretch.FirstRow))
                .Append(" / ")
                .Append(GridRow(stretch.LastRow) + 1)
                .Append(";grid-column:")
                .Append(Column(lane))
                .Append("\" title=\"")
                .Append(Encode($"'{lane.Name}' waits for {stretch.WaitsFor} ({steps})"))
                .Append("\"><span>waits for ")
                .Append(Encode(stretch.WaitsFor))
                .Append("</span></div>\n");
        }
        for (var row = 0; row < timeline.Steps.Count; row++)
        {
            Step(html, outcome, timeline, lanes, row);
        }
        if (timeline.HasEndRow)
        {
            var row = timeline.Steps.Count;
            html.Append("<div class=\"n end\" style=\"grid-row:")
                .Append(GridRow(row))
                .Append(";grid-column:1\" title=\"")
                .Append(
                    Encode(
                        "When the bug struck: what each thread still blocked waited for "
                            + "(the unshaded lanes had finished or could run)."
                    )
                )
                .Append("\">end</div>\n");
        }
        html.Append("</main>\n");
    }

    private static void Step(
        StringBuilder html,
        ITimelineSubject outcome,
        Timeline timeline,
        Dictionary<int, Timeline.Lane> lanes,
        int row
    )
    {
        var step = timeline.Steps[row];
        var lane = lanes[step.ThreadId];
        var flush = Timeline.IsFlush(step);
        var failing = row == timeline.FailingRow;
        var preempted =
            step.PreemptedThreadId is { } id && lanes.TryGetValue(id, out var victim)
                ? victim
                : null;
        html.Append("<div class=\"n\" style=\"grid-row:")
            .Append(GridRow(row))
            .Append(";grid-column:1\">")
            .Append(step.Step.ToString(CultureInfo.InvariantCulture))
            .Append("</div>\n");
        html.Append("<div class=\"step")
            .Append(flush ? " flush" : "")
            .Append(preempted is null ? "" : " preempting")
            .Append(failing ? " failing\" id=\"failing" : "")
            .Append("\" data-thread=\"")
            .Append(step.ThreadId)
            .Append("\" data-step=\"")
            .Append(step.Step)
            .Append("\" style=\"grid-row:")
            .Append(GridRow(row))
            .Append(";grid-column:")
            .Append(Column(lane))
            .Append(";--c:")
            .Append(Colour(lane))
            .Append("\" title=\"")
            .Append(Encode(Tooltip(step, lane, flush)))
            .Append("\"><span class=\"op\">")
            .Append(Encode(step.Operation))
            .Append("</span>");
        if (step.Location is { } location)
        {
            html.Append(" <span class=\"loc\">").Append(Encode(location)).Append("</span>");
        }
        if (preempted is not null)
        {
            html.Append(" <span class=\"badge\">preempts ")
                .Append(Encode($"'{preempted.Name}'"))
                .Append("</span>");
        }
        if (failing)
        {
            html.Append("<div class=\"msg\">")
                .Append(Encode(outcome.BugMessage ?? outcome.BugKind ?? "the bug"))
                .Append("</div>");
        }
        html.Append("</div>\n");
        if (preempted is not null)
        {
            html.Append("<div class=\"preempted\" data-thread=\"")
                .Append(preempted.ThreadId)
                .Append("\" style=\"grid-row:")
                .Append(GridRow(row))
                .Append(";grid-column:")
                .Append(Column(preempted))
                .Append("\" title=\"")
                .Append(
                    Encode(
                        $"'{preempted.Name}' could have gone on, but the schedule switched to '{lane.Name}' here"
                    )
                )
                .Append("\">preempted</div>\n");
        }
    }

    private static string Tooltip(TraceStep step, Timeline.Lane lane, bool flush)
    {
        var head = $"step {step.Step}, '{lane.Name}': {step.Operation}";
        if (flush)
        {
            return head + "\n(a write buffered by this thread becomes visible to the others)";
        }
        return step.Stack is { Length: > 0 } stack ? $"{head}\n{stack}"
            : step.Location is { } location ? $"{head}\nat {location}"
            : head;
    }

    private static string StepRange(Timeline timeline, int firstRow, int lastRow)
    {
        string Name(int row) =>
            row < timeline.Steps.Count
                ? $"step {timeline.Steps[row].Step.ToString(CultureInfo.InvariantCulture)}"
                : "the end";
        return firstRow == lastRow ? Name(firstRow) : $"{Name(firstRow)} to {Name(lastRow)}";
    }

    // Grid line 1 holds the lane heads; row r of the timeline is grid row r + 2.
    private static int GridRow(int row) => row + 2;

    private static int Column(Timeline.Lane lane) => lane.Index + 2;

    private static string Colour(Timeline.Lane lane) =>
        LaneColours[lane.Index % LaneColours.Length];

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string Count(int count, string noun) =>
        $"{count.ToString(CultureInfo.InvariantCulture)} {noun}{(count == 1 ? "" : "s")}";
}
