using System.Net;
using System.Text.RegularExpressions;
using Coyote.Teeth;
using Pool.Explorer;
using Pool.Systematic;
using Pool.Systematic.Timelines;
using Pool.Threading;

namespace Coyote.Tests.Timeline;

/// <summary>
/// The HTML timeline, drawn by a real browser: headless Chromium loads the page with <see cref="TimelineLayoutCheck"/>
/// put in, the check measures every lane, step box and blocked stretch, and the test reads the measurements from the
/// dumped DOM.
/// </summary>
public partial class TimelinePageTests : IDisposable
{
    private const int Workers = 4;
    private const int Rounds = 30;

    private readonly string _directory = Directory.CreateTempSubdirectory("timeline-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void ClassicDeadlockIsDrawnWithItsLanesWaitsAndFailingStep()
    {
        var report = Explorer.Run(
            ClassicBugs.MissedWakeupWithSignal,
            new ExplorationOptions
            {
                Iterations = 1000,
                Strategy = Strategy.Pct,
                Seed = 1,
            }
        );
        Assert.Equal(BugKind.Deadlock, report.BugKind);
        var (html, layout) = Draw("ClassicBugs.MissedWakeupWithSignal", report);

        AssertDrawnWhole(layout, report);
        Assert.Contains("Deadlock", layout["failing-text"]);
        Assert.True(int.Parse(layout["waits"]) > 0, "no blocked stretch was drawn");
        Assert.Contains("waits for a signal on a condition of lock #1", html);
        Assert.NotEmpty(report.FinalWaits);
        Assert.Contains(">end<", html);
    }

    [Fact]
    public void FiveHundredStepsOfFiveThreadsAreDrawnWithNothingCutOff()
    {
        var report = Explorer.Run(
            ManySteps,
            new ExplorationOptions
            {
                Iterations = 1,
                Strategy = Strategy.Random,
                Seed = 1,
                Minimize = false,
                MemoryModel = MemoryModel.Tso,
            }
        );
        Assert.Equal(BugKind.Exception, report.BugKind);
        Assert.True(report.Interleaving.Count >= 500, $"only {report.Interleaving.Count} steps");
        var (html, layout) = Draw("ManySteps", report);

        AssertDrawnWhole(layout, report);
        Assert.Equal(Workers + 1, int.Parse(layout["lanes"]));
        Assert.Contains("deliberate failure", layout["failing-text"]);
        Assert.True(
            int.Parse(layout["last-bottom"]) <= int.Parse(layout["height"]),
            "the last step lies below the end of the page"
        );
        Assert.True(
            int.Parse(layout["height"]) > 22 * report.Interleaving.Count,
            $"a page {layout["height"]} px high cannot hold {report.Interleaving.Count} rows"
        );
        Assert.Contains("class=\"step flush", html);
        Assert.Contains("class=\"preempted\"", html);
        Assert.Contains("waits for lock #1", html);
    }

    /// <summary>The check has teeth: a page whose drawing is cut off (or whose boxes leave their lanes) is caught.</summary>
    [Fact]
    public void TheLayoutCheckNoticesADrawingThatIsCutOffOrOutOfItsLanes()
    {
        var report = Explorer.Run(
            ClassicBugs.LostUpdate,
            new ExplorationOptions { Iterations = 1000, Seed = 1 }
        );
        Assert.True(report.BugFound);
        var page = TimelineLayoutCheck.Into(
            TimelinePage.Render(Outcome("ClassicBugs.LostUpdate", report))
        );

        var cut = Path.Combine(_directory, "cut.html");
        File.WriteAllText(
            cut,
            page.Replace(
                "</style>",
                "#timeline { max-height: 60px; overflow: hidden; } html, body { overflow: hidden; }</style>",
                StringComparison.Ordinal
            )
        );
        var cutLayout = Layout(HeadlessChromium.DumpDom(cut));
        Assert.True(
            int.Parse(cutLayout["outside"]) + int.Parse(cutLayout["hidden"]) > 0,
            "a drawing cut off at 60 px was not noticed"
        );

        var moved = Path.Combine(_directory, "moved.html");
        File.WriteAllText(
            moved,
            page.Replace(
                "</style>",
                ".step { grid-column: 2 !important; }</style>",
                StringComparison.Ordinal
            )
        );
        Assert.True(
            int.Parse(Layout(HeadlessChromium.DumpDom(moved))["misplaced"]) > 0,
            "boxes drawn outside their threads' lanes were not noticed"
        );
    }

    [Fact]
    public void EveryTextIsHtmlEncodedAndNothingIsLoadedFromElsewhere()
    {
        var outcome = new TestOutcome
        {
            Test = "Odd<Names>.Test",
            Strategy = "random",
            Shard = "0/1",
            BugKind = "Exception",
            BugMessage = "boom <script>alert(1)</script> & \"quotes\"",
            BugThread = "<b>worker</b>",
            Interleaving =
            [
                new TraceStep(0, 0, "test", "Start", null),
                new TraceStep(1, 1, "<b>worker</b>", "Lock.Enter", "A.cs:3 A.<B>")
                {
                    Stack = "at N.A.<B> in /src/A.cs:line 3",
                    Waits = [new ThreadWait(0, "test", "join", "'<b>worker</b>' to finish")],
                },
            ],
        };
        var html = TimelinePage.Render(outcome);
        Assert.DoesNotContain("<b>worker</b>", html);
        Assert.DoesNotContain("<script>alert", html);
        Assert.Contains("&lt;b&gt;worker&lt;/b&gt;", html);
        Assert.Contains("&quot;quotes&quot;", html);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        Assert.DoesNotContain("<link", html);
        Assert.DoesNotContain("src=", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("@import", html);
        Assert.DoesNotContain("url(", html);
    }

    private static void AssertDrawnWhole(
        Dictionary<string, string> layout,
        ExplorationReport report
    )
    {
        var threads = report
            .Interleaving.Select(s => s.ThreadId)
            .Concat(report.FinalWaits.Select(w => w.ThreadId))
            .Distinct()
            .Count();
        Assert.Equal("yes", layout["checked"]);
        Assert.Equal(threads, int.Parse(layout["lanes"]));
        Assert.Equal(report.Interleaving.Count, int.Parse(layout["steps"]));
        foreach (
            var flaw in new[] { "empty", "outside", "hidden", "misplaced", "disorder", "clipped" }
        )
        {
            Assert.True(layout[flaw] == "0", $"{layout[flaw]} boxes are {flaw}");
        }
        Assert.Equal("1", layout["failing"]);
        Assert.Equal("yes", layout["failing-visible"]);
        Assert.DoesNotContain(
            layout["failing-colour"],
            new[] { "rgba(0, 0, 0, 0)", "rgb(255, 255, 255)" }
        );
    }

    private (string Html, Dictionary<string, string> Layout) Draw(
        string test,
        ExplorationReport report
    )
    {
        var path = TimelinePage.Write(
            Path.Combine(_directory, $"{test}.html"),
            Outcome(test, report)
        );
        var html = File.ReadAllText(path);
        var measured = Path.Combine(_directory, $"{test}.measured.html");
        File.WriteAllText(measured, TimelineLayoutCheck.Into(html));
        return (html, Layout(HeadlessChromium.DumpDom(measured)));
    }

    private static TestOutcome Outcome(string test, ExplorationReport report) =>
        TestOutcome.From(test, "test", ShardSpec.Whole, report, null);

    /// <summary>The measurements the layout check wrote on its <c>#layout</c> element.</summary>
    private static Dictionary<string, string> Layout(string dom)
    {
        var element = LayoutElement().Match(dom);
        Assert.True(
            element.Success,
            "the dumped DOM has no #layout element: " + dom[..Math.Min(500, dom.Length)]
        );
        return DataAttribute()
            .Matches(element.Value)
            .ToDictionary(m => m.Groups[1].Value, m => WebUtility.HtmlDecode(m.Groups[2].Value));
    }

    [GeneratedRegex("<div id=\"layout\"[^>]*>")]
    private static partial Regex LayoutElement();

    [GeneratedRegex("data-([a-z-]+)=\"([^\"]*)\"")]
    private static partial Regex DataAttribute();

    /// <summary>Four workers take a lock, write a flag and read a neighbour's (under tso, so buffered writes flush), then the test fails on purpose.</summary>
    private static void ManySteps(IThreading threading)
    {
        var gate = threading.CreateLock();
        var counter = threading.CreateAtomic();
        var flags = Enumerable.Range(0, Workers).Select(_ => threading.CreateAtomic()).ToArray();
        var workers = new List<IThreadHandle>();
        for (var w = 0; w < Workers; w++)
        {
            var me = w;
            workers.Add(
                threading.Start(
                    () =>
                    {
                        for (var round = 0; round < Rounds; round++)
                        {
                            gate.Enter();
                            counter.Add(1);
                            gate.Exit();
                            flags[me].Write(round);
                            _ = flags[(me + 1) % Workers].Read();
                        }
                    },
                    $"worker-{w}"
                )
            );
        }
        foreach (var worker in workers)
        {
            worker.Join();
        }
        throw new InvalidOperationException(
            $"deliberate failure after {counter.Read()} increments"
        );
    }
}
