namespace Pool.Systematic.Coverage;

/// <summary>
/// A call in compiled code to a synchronising member of the threading seam (<see cref="SeamCallSites"/>): what it
/// calls, where it is in the source, and in which method.
/// </summary>
/// <param name="Operation">The member called, named as the explorer names the scheduling point (<see cref="PointCoverage.Operation"/>).</param>
/// <param name="File">The source file (full path, as the PDB records it).</param>
/// <param name="Line">The line of the call's sequence point.</param>
/// <param name="Method">The calling method as <c>Type.Method</c>, lambdas and state machines folded into their method.</param>
public sealed record SeamCallSite(string Operation, string File, int Line, string Method)
{
    /// <summary>
    /// True when the call is in a <c>finally</c> (or fault) block. A stack frame there may report an earlier statement
    /// of its method, so the explorer may count its reaches at an earlier call of the same operation in the method
    /// (see <see cref="SeamCallSites"/>).
    /// </summary>
    public bool InFinally { get; init; }

    /// <summary><c>File.cs:line</c>.</summary>
    public string Location => $"{Path.GetFileName(File)}:{Line}";

    /// <summary>True when the explorer reached this call at <paramref name="point"/>: same operation, file and line.</summary>
    public bool Is(PointCoverage point) =>
        Reaches(point.Operation)
        && point.Line == Line
        && string.Equals(point.File, File, StringComparison.Ordinal);

    /// <summary>
    /// True when the explorer names a point of this call <paramref name="operation"/>: a relaxed read is a read
    /// under the explorer (<c>Atomic.ReadRelaxed</c> is reached as <c>Atomic.Read</c>).
    /// </summary>
    internal bool Reaches(string operation) =>
        operation == (Operation == "Atomic.ReadRelaxed" ? "Atomic.Read" : Operation);
}
