using System.Globalization;
using System.Net;
using System.Text;

namespace Pool.Explorer;

/// <summary>
/// The coverage of one <c>pool-explore test --coverage</c> run as a self-contained HTML page: the product's seam call
/// sites no test reached first, then every site with the tests that reached it, then each test's scheduling points.
/// </summary>
internal static class CoveragePage
{
    private const string Css = """
        body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #111; }
        table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
        th, td { border: 1px solid #ccc; padding: 2px 8px; text-align: left; vertical-align: top; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; }
        tr.unreached td { background: #fee2e2; }
        tr.unswitched td { background: #fef9c3; }
        code { font: 13px ui-monospace, monospace; }
        """;

    /// <summary>Writes the page to <paramref name="path"/>; returns its full path.</summary>
    internal static string Write(
        string path,
        CoverageSummary summary,
        IReadOnlyList<TestOutcome> outcomes
    )
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, Render(summary, outcomes), new UTF8Encoding(false));
        return full;
    }

    internal static string Render(CoverageSummary summary, IReadOnlyList<TestOutcome> outcomes)
    {
        var unreached = summary.Unreached.ToList();
        var html = new StringBuilder(8192);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<title>Coverage of the seam call sites (pool-explore)</title>\n<style>\n")
            .Append(Css)
            .Append("</style>\n</head>\n<body>\n<h1>Coverage of the seam call sites</h1>\n")
            .Append(
                CultureInfo.InvariantCulture,
                $"<p>{summary.Sites.Count} call sites of locks, conditions, atomics and threads in the product; "
                    + $"{summary.Sites.Count - unreached.Count} reached by {outcomes.Count} tests; "
                    + $"{unreached.Count} unreached.</p>\n"
            );
        html.Append(
            "<h2 id=\"proved\">What each search proved</h2>\n<table>\n<tr><th>test</th><th>search</th></tr>\n"
        );
        foreach (var outcome in outcomes)
        {
            html.Append("<tr><td>")
                .Append(Encode(outcome.Test))
                .Append("</td><td>")
                .Append(Encode(outcome.Verdict))
                .Append("</td></tr>\n");
        }
        html.Append("</table>\n");
        html.Append("<h2 id=\"unreached\">Unreached sites</h2>\n");
        if (unreached.Count == 0)
        {
            html.Append("<p>None: every site was reached.</p>\n");
        }
        else
        {
            SiteTable(html, unreached);
        }
        html.Append("<h2 id=\"sites\">Every site</h2>\n");
        html.Append(
            "<p>A switch: another thread was run at the site while the caller could go on. Yellow: reached, never switched.</p>\n"
        );
        SiteTable(html, summary.Sites);
        if (summary.ElsewhereInProduct.Count > 0)
        {
            html.Append("<h2>Reached in the product at lines with no seam call</h2>\n")
                .Append(
                    "<p>Named by the first frame the stack showed (a caller whose callee was inlined).</p>\n"
                );
            PointTable(html, summary.ElsewhereInProduct);
        }
        html.Append("<h2 id=\"tests\">Scheduling points per test</h2>\n");
        foreach (var outcome in outcomes)
        {
            html.Append("<details><summary>")
                .Append(Encode(outcome.Test))
                .Append(
                    CultureInfo.InvariantCulture,
                    $" ({outcome.Coverage.Count} points, {outcome.Coverage.Count(p => p.Switched)} switched; {outcome.Verdict})"
                )
                .Append("</summary>\n");
            PointTable(html, outcome.Coverage);
            html.Append("</details>\n");
        }
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void SiteTable(StringBuilder html, IEnumerable<SiteCoverage> sites)
    {
        html.Append(
            "<table>\n<tr><th>operation</th><th>location</th><th>method</th><th>reached</th><th>switches</th><th>tests</th></tr>\n"
        );
        foreach (var site in sites)
        {
            var row =
                !site.Reached ? "unreached"
                : site.Switches == 0 ? "unswitched"
                : "";
            html.Append(CultureInfo.InvariantCulture, $"<tr class=\"{row}\"><td><code>")
                .Append(Encode(site.Site.Operation))
                .Append("</code></td><td title=\"")
                .Append(Encode(site.Site.File))
                .Append("\"><code>")
                .Append(Encode(site.Site.Location))
                .Append("</code></td><td>")
                .Append(Encode(site.Site.Method))
                .Append(CultureInfo.InvariantCulture, $"</td><td class=\"n\">{site.Count}</td>")
                .Append(CultureInfo.InvariantCulture, $"<td class=\"n\">{site.Switches}</td><td>")
                .Append(Encode(string.Join(", ", site.Tests)))
                .Append(
                    site.PerhapsCountedAt is { } other
                        ? $" (a call in a finally block: perhaps counted at {Encode(other.Location)})"
                        : ""
                )
                .Append("</td></tr>\n");
        }
        html.Append("</table>\n");
    }

    private static void PointTable(
        StringBuilder html,
        IEnumerable<Pool.Systematic.Coverage.PointCoverage> points
    )
    {
        html.Append(
            "<table>\n<tr><th>operation</th><th>location</th><th>method</th><th>reached</th><th>switches</th></tr>\n"
        );
        foreach (var point in points)
        {
            html.Append(
                    CultureInfo.InvariantCulture,
                    $"<tr class=\"{(point.Switched ? "" : "unswitched")}\"><td><code>"
                )
                .Append(Encode(point.Operation))
                .Append("</code></td><td title=\"")
                .Append(Encode(point.File ?? ""))
                .Append("\"><code>")
                .Append(Encode(point.Location))
                .Append("</code></td><td>")
                .Append(Encode(point.Method))
                .Append(CultureInfo.InvariantCulture, $"</td><td class=\"n\">{point.Count}</td>")
                .Append(
                    CultureInfo.InvariantCulture,
                    $"<td class=\"n\">{point.Switches}</td></tr>\n"
                );
        }
        html.Append("</table>\n");
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
