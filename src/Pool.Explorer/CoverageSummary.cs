using System.Text.Json.Serialization;
using Pool.Systematic.Coverage;

namespace Pool.Explorer;

/// <summary>One seam call site of the product and what the explored tests did there.</summary>
/// <param name="Site">The call site, found statically.</param>
/// <param name="Tests">The tests that reached it, by name.</param>
/// <param name="Count">How often it was reached, over every test.</param>
/// <param name="Switches">How often another thread was run there while the caller could go on, over every test.</param>
internal sealed record SiteCoverage(
    SeamCallSite Site,
    IReadOnlyList<string> Tests,
    long Count,
    long Switches
)
{
    public bool Reached => Tests.Count > 0;

    /// <summary>
    /// For an unreached call in a <c>finally</c> block: the reached call of the same operation in the same method its
    /// reaches may have been counted at (<see cref="SeamCallSite.InFinally"/>), or null.
    /// </summary>
    public SeamCallSite? PerhapsCountedAt { get; init; }
}

/// <summary>
/// The product-wide view of coverage: every seam call site of the product (<see cref="SeamCallSites.InProduct"/>)
/// with the tests that reached it, and the points reached in the product's files at lines that are no call site.
/// </summary>
internal sealed record CoverageSummary(
    IReadOnlyList<SiteCoverage> Sites,
    IReadOnlyList<PointCoverage> ElsewhereInProduct
)
{
    [JsonIgnore]
    public IEnumerable<SiteCoverage> Unreached => Sites.Where(s => !s.Reached);

    internal static CoverageSummary Of(
        IReadOnlyList<SeamCallSite> sites,
        IReadOnlyList<TestOutcome> outcomes
    )
    {
        var reached = outcomes
            .SelectMany(o => o.Coverage.Select(p => (o.Test, Point: p)))
            .ToLookup(r => (Path.GetFileName(r.Point.File), r.Point.Line));
        var matched = new HashSet<PointCoverage>(ReferenceEqualityComparer.Instance);
        var summary = new List<SiteCoverage>();
        foreach (var site in sites)
        {
            var here = reached[(Path.GetFileName(site.File), site.Line)]
                .Where(r => site.Is(r.Point))
                .ToList();
            foreach (var r in here)
            {
                matched.Add(r.Point);
            }
            summary.Add(
                new SiteCoverage(
                    site,
                    [.. here.Select(r => r.Test).Distinct().Order(StringComparer.Ordinal)],
                    here.Sum(r => r.Point.Count),
                    here.Sum(r => r.Point.Switches)
                )
            );
        }
        summary =
        [
            .. summary.Select(s =>
                s.Reached || !s.Site.InFinally
                    ? s
                    : s with
                    {
                        PerhapsCountedAt = summary
                            .FirstOrDefault(o =>
                                o.Reached
                                && o.Site.Method == s.Site.Method
                                && o.Site.File == s.Site.File
                                && o.Site.Operation == s.Site.Operation
                            )
                            ?.Site,
                    }
            ),
        ];
        var productFiles = sites.Select(s => s.File).ToHashSet(StringComparer.Ordinal);
        var elsewhere = outcomes
            .SelectMany(o => o.Coverage)
            .Where(p => p.File is not null && productFiles.Contains(p.File) && !matched.Contains(p))
            .ToList();
        return new CoverageSummary(summary, PointCoverage.Merge([elsewhere]));
    }
}
