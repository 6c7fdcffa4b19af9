using System.Diagnostics;

namespace Pool.Systematic.Runtime;

/// <summary>Finds the code under test that reached a scheduling point (only while a trace is being rendered).</summary>
/// <param name="Location">The first frame outside the explorer and the threading seam, as <c>File.cs:line Type.Method</c>.</param>
/// <param name="Stack">That frame and a few of its callers in the code under test, one <c>at …</c> line each.</param>
internal sealed record SourceLocation(string Location, string Stack)
{
    private const int StackLines = 4;

    private static readonly System.Reflection.Assembly Harness = typeof(SourceLocation).Assembly;

    /// <summary>Where the caller's caller is in the code under test, or null when no frame is outside the harness.</summary>
    internal static SourceLocation? OfCaller()
    {
        string? location = null;
        var stack = new List<string>(StackLines);
        foreach (var frame in new StackTrace(1, fNeedFileInfo: true).GetFrames())
        {
            var method = frame.GetMethod();
            var type = method?.DeclaringType;
            if (type is null || type.Assembly == Harness || type.Namespace == "Pool.Threading")
            {
                continue;
            }
            var file = frame.GetFileName();
            var line = frame.GetFileLineNumber();
            if (location is not null && IsFramework(type))
            {
                continue; // below the code under test: thread start-up, delegates of the runtime
            }
            location ??=
                $"{(file is null ? "?" : $"{Path.GetFileName(file)}:{line}")} {MethodDisplayName.Of(method!)}";
            stack.Add(
                $"at {MethodDisplayName.Of(method!, fullTypeName: true)}"
                    + (file is null ? "" : $" in {file}:line {line}")
            );
            if (stack.Count == StackLines)
            {
                break;
            }
        }
        return location is null ? null : new SourceLocation(location, string.Join('\n', stack));
    }

    private static bool IsFramework(Type type) =>
        type.Namespace is { } ns
        && (
            ns == "System"
            || ns.StartsWith("System.", StringComparison.Ordinal)
            || ns.StartsWith("Microsoft.", StringComparison.Ordinal)
        );
}
