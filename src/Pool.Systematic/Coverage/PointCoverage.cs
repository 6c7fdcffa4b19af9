namespace Pool.Systematic.Coverage;

/// <summary>
/// One scheduling point the code under test reached during an exploration: an operation of the threading seam at
/// one source line, how often it was reached, and how often another thread was run there instead.
/// </summary>
public sealed class PointCoverage
{
    /// <summary>
    /// The seam operation: <c>Lock.Enter</c>, <c>Lock.Exit</c>, <c>Condition.Wait</c>, <c>Condition.Signal</c>,
    /// <c>Condition.Broadcast</c>, <c>Atomic.Read</c> (and the other <c>Atomic.*</c> members), <c>Yield</c>,
    /// <c>SpinWait</c>, <c>MemoryBarrier</c>, <c>Sleep</c>, <c>Join</c>, or <c>Start</c> (a thread started there).
    /// </summary>
    public required string Operation { get; init; }

    /// <summary>The source file of the code under test that called the seam (full path), or null when unknown.</summary>
    public string? File { get; init; }

    /// <summary>The line in <see cref="File"/>; 0 when unknown.</summary>
    public int Line { get; init; }

    /// <summary>The calling method, as <c>Type.Method</c> (lambdas and state machines folded into their method).</summary>
    public required string Method { get; init; }

    /// <summary>How many times a thread reached this point, over every iteration of the exploration.</summary>
    public long Count { get; init; }

    /// <summary>
    /// How many times the scheduler ran another thread at this point although the thread that reached it could
    /// have gone on (a preemption; a thread that then blocks, on a lock held by another for example, is a forced
    /// switch and is not counted). Always 0 for <c>Start</c>, which is not a scheduling point.
    /// </summary>
    public long Switches { get; init; }

    /// <summary>True when some schedule switched threads at this point: <see cref="Switches"/> is positive.</summary>
    public bool Switched => Switches > 0;

    /// <summary><c>File.cs:line</c>, or <c>?</c> when the file is unknown.</summary>
    public string Location => File is null ? "?" : $"{Path.GetFileName(File)}:{Line}";

    /// <summary>The sum of points of several explorations of one test (its shards): counts add up per point.</summary>
    public static IReadOnlyList<PointCoverage> Merge(
        IEnumerable<IReadOnlyList<PointCoverage>> parts
    ) =>
        [
            .. parts
                .SelectMany(p => p)
                .GroupBy(p => (p.Operation, p.File, p.Line, p.Method))
                .Select(g => new PointCoverage
                {
                    Operation = g.Key.Operation,
                    File = g.Key.File,
                    Line = g.Key.Line,
                    Method = g.Key.Method,
                    Count = g.Sum(p => p.Count),
                    Switches = g.Sum(p => p.Switches),
                })
                .OrderBy(p => p.File, StringComparer.Ordinal)
                .ThenBy(p => p.Line)
                .ThenBy(p => p.Operation, StringComparer.Ordinal),
        ];
}
