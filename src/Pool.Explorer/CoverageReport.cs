using System.Globalization;
using System.Text.Json;
using Pool.Systematic.Coverage;

namespace Pool.Explorer;

/// <summary>
/// <c>pool-explore test --coverage</c>: prints, per test, every scheduling point it reached; then the product's seam
/// call sites no test reached; and writes both to <c>coverage.html</c> and <c>coverage.json</c>.
/// </summary>
internal sealed class CoverageReport(ConsoleView view)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    internal void Show(IReadOnlyList<TestOutcome> outcomes, string directory)
    {
        foreach (var outcome in outcomes)
        {
            var switched = outcome.Coverage.Count(p => p.Switched);
            view.Line(
                $"coverage of {outcome.Test}: {outcome.Coverage.Count} points reached, {switched} with a thread switch"
            );
            foreach (var point in outcome.Coverage)
            {
                view.Line(
                    string.Create(
                        CultureInfo.InvariantCulture,
                        $"  {point.Operation, -24} {point.Location, -32} {point.Method, -44} {point.Count, 10} reached  {(point.Switched ? $"{point.Switches} switches" : "never switched")}"
                    )
                );
            }
        }
        IReadOnlyList<SeamCallSite> sites;
        try
        {
            sites = SeamCallSites.InProduct();
        }
        catch (FileNotFoundException missing)
        {
            view.Line(
                $"product seam call sites: not listed: no portable PDB for {missing.FileName}"
            );
            sites = [];
        }
        var summary = CoverageSummary.Of(sites, outcomes);
        var unreached = summary.Unreached.ToList();
        view.Line(
            $"product seam call sites: {summary.Sites.Count}, reached {summary.Sites.Count - unreached.Count}, "
                + $"never switched at {summary.Sites.Count(s => s.Reached && s.Switches == 0)}, unreached {unreached.Count}"
        );
        foreach (var site in unreached)
        {
            view.Line(
                $"  unreached: {site.Site.Operation, -24} {site.Site.Location, -32} {site.Site.Method}"
                    + (
                        site.PerhapsCountedAt is { } other
                            ? $" (in a finally block: perhaps counted at {other.Location})"
                            : ""
                    )
            );
        }
        foreach (var point in summary.ElsewhereInProduct)
        {
            view.Line(
                $"  reached at a line with no seam call (its caller inlined?): {point.Operation} {point.Location} {point.Method}"
            );
        }
        var page = CoveragePage.Write(Path.Combine(directory, "coverage.html"), summary, outcomes);
        var json = Path.GetFullPath(Path.Combine(directory, "coverage.json"));
        File.WriteAllText(json, JsonSerializer.Serialize(summary, Json));
        view.Line($"coverage: {page}");
    }
}
