using Pool.Systematic;
using Pool.Systematic.Timelines;

namespace Pool.Explorer;

/// <summary>
/// <c>pool-explore replay [ASSEMBLY] -m METHOD TRACEFILE [--html FILE]</c>: reproduces a bug from its trace, and
/// draws its timeline as an HTML page when asked.
/// </summary>
internal sealed class ReplayCommand(ConsoleView view)
{
    internal int Run(string? assembly, string? method, string traceFile, string? htmlFile = null)
    {
        if (string.IsNullOrEmpty(method))
        {
            throw new UsageException("replay needs -m METHOD: the test the trace belongs to.");
        }
        var tests = TestCatalog.Load(assembly).Select(method);
        if (tests.Count > 1)
        {
            throw new UsageException(
                $"'{method}' matches several tests ({string.Join(", ", tests.Select(t => t.Name))}); name one exactly."
            );
        }
        if (!File.Exists(traceFile))
        {
            throw new UsageException($"Trace file not found: {Path.GetFullPath(traceFile)}");
        }
        var test = tests[0];
        ExplorationReport report;
        try
        {
            report = Pool.Systematic.Explorer.Replay(test.Body, File.ReadAllText(traceFile));
        }
        catch (FormatException exception)
        {
            throw new UsageException($"{traceFile}: {exception.Message}");
        }
        if (report.Diverged)
        {
            view.Error($"{test.Name} no longer follows this trace: {report.BugMessage}");
            return ExitCodes.UsageError;
        }
        if (!report.BugFound)
        {
            view.Line(
                $"{test.Name}: the trace ran to the end without a bug: the bug no longer reproduces."
            );
            return ExitCodes.NoBug;
        }
        var outcome = TestOutcome.From(
            test.Name,
            "replay",
            ShardSpec.Whole,
            report,
            Path.GetFullPath(traceFile)
        );
        if (htmlFile is not null)
        {
            outcome = outcome with { TimelineFile = TimelinePage.Write(htmlFile, outcome) };
        }
        view.Bug(outcome);
        return ExitCodes.BugFound;
    }
}
