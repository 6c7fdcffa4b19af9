namespace Pool.Systematic;

/// <summary>
/// Marks a public static method <c>void M(IThreading threading)</c> as a systematic test: the
/// <c>pool-explore</c> command line discovers it, and the explorer runs it under many interleavings.
/// </summary>
/// <remarks>
/// The optional budget is the number of iterations the continuous-integration run gives this test
/// (<c>pool-explore test --ci</c>); 0 means the command line's default.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class SystematicTestAttribute : Attribute
{
    /// <summary>Iterations a CI run spends on this test; 0 for the command line's default.</summary>
    public int CiIterations { get; init; }
}
