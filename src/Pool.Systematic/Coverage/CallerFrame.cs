using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using Pool.Systematic.Runtime;

namespace Pool.Systematic.Coverage;

/// <summary>
/// The frame of the code under test that called the threading seam: the first frame outside the explorer and the
/// <c>Pool.Threading</c> namespace, as <see cref="SourceLocation"/> finds it for traces. The stack is walked without
/// file information; file and line are resolved once per method and IL offset, then cached.
/// </summary>
internal readonly record struct CallerFrame(string? File, int Line, string Method)
{
    private static readonly Assembly Harness = typeof(CallerFrame).Assembly;

    private static readonly ConcurrentDictionary<(MethodBase, int), CallerFrame> Resolved = new();

    /// <summary>The caller in the code under test, or null when every frame belongs to the harness.</summary>
    internal static CallerFrame? Find()
    {
        if (First(new StackTrace(fNeedFileInfo: false)) is not { } frame)
        {
            return null;
        }
        var method = frame.GetMethod()!;
        var key = (method, frame.GetILOffset());
        return Resolved.TryGetValue(key, out var known)
            ? known
            : Resolved.GetOrAdd(key, Resolve(method));
    }

    // The same stack again, with file information: once per call site.
    private static CallerFrame Resolve(MethodBase method)
    {
        var frame = First(new StackTrace(fNeedFileInfo: true));
        var file = frame?.GetMethod() == method ? frame!.GetFileName() : null;
        return new CallerFrame(
            file,
            file is null ? 0 : frame!.GetFileLineNumber(),
            MethodDisplayName.Of(method)
        );
    }

    private static StackFrame? First(StackTrace trace)
    {
        foreach (var frame in trace.GetFrames())
        {
            var type = frame.GetMethod()?.DeclaringType;
            if (type is not null && type.Assembly != Harness && type.Namespace != "Pool.Threading")
            {
                return frame;
            }
        }
        return null;
    }
}
