namespace Pool;

/// <summary>
/// The test-only switch for <see cref="Mutant"/>. Components read it once, when constructed, so a test sets it
/// before creating the objects under test and resets it after; production code never sets it.
/// </summary>
internal static class Mutants
{
    /// <summary>The defect that components constructed from now on carry.</summary>
    internal static Mutant Active { get; set; }
}
