using System.Diagnostics;

namespace Pool.Systematic.Runtime;

/// <summary>Finds the code under test that reached a scheduling point (only while a trace is being rendered).</summary>
internal static class SourceLocation
{
    private static readonly System.Reflection.Assembly Harness = typeof(SourceLocation).Assembly;

    /// <summary>The first frame outside the explorer and the threading seam, as <c>File.cs:line Type.Method</c>.</summary>
    internal static string? OfCaller()
    {
        foreach (var frame in new StackTrace(1, fNeedFileInfo: true).GetFrames())
        {
            var method = frame.GetMethod();
            var type = method?.DeclaringType;
            if (type is null || type.Assembly == Harness || type.Namespace == "Pool.Threading")
            {
                continue;
            }
            var file = frame.GetFileName();
            var where = file is null
                ? "?"
                : $"{Path.GetFileName(file)}:{frame.GetFileLineNumber()}";
            return $"{where} {type.Name}.{method!.Name}";
        }
        return null;
    }
}
