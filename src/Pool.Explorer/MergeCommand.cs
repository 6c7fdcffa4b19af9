namespace Pool.Explorer;

/// <summary><c>pool-explore merge REPORT.json...</c>: one table from the reports of shards run anywhere.</summary>
internal sealed class MergeCommand(ConsoleView view)
{
    internal int Run(IReadOnlyList<string> reports, string? output)
    {
        if (reports.Count == 0)
        {
            throw new UsageException("merge needs at least one report file.");
        }
        var merged = reports
            .SelectMany(TestOutcome.Read)
            .GroupBy(o => o.Test)
            .Select(g => TestOutcome.Merge([.. g]))
            .OrderBy(o => o.Test, StringComparer.Ordinal)
            .ToList();
        if (output is not null)
        {
            TestOutcome.Write(output, merged);
        }
        view.Results(merged);
        foreach (var outcome in merged.Where(o => o.BugFound))
        {
            view.Bug(outcome);
        }
        return merged.Any(o => o.BugFound) ? ExitCodes.BugFound : ExitCodes.NoBug;
    }
}
