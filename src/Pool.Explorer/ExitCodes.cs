namespace Pool.Explorer;

/// <summary>The process exit codes, as <c>coyote test</c> uses them.</summary>
internal static class ExitCodes
{
    internal const int NoBug = 0;
    internal const int BugFound = 1;
    internal const int UsageError = 2;
}
