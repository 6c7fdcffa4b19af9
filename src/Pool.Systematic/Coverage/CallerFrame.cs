using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using Pool.Systematic.Runtime;
using Pool.Threading;

namespace Pool.Systematic.Coverage;

/// <summary>
/// The call site in the code under test of a seam operation: the first frame outside the explorer, the
/// <c>Pool.Threading</c> namespace and any decorator of the seam that forwards the operation (a member implementing
/// the seam member of the operation, such as the <c>Start</c> of a test's <see cref="IThreading"/> that counts the
/// threads it starts; the decorator's own locks and atomics are its call sites). The stack is
/// walked without file information; the site is resolved once per method, IL offset and operation, then cached:
/// from the assembly's seam calls (<see cref="SeamCallSites"/>) when its PDB is at hand, else as a stack trace
/// names the frame.
/// </summary>
internal readonly record struct CallerFrame(string? File, int Line, string Method)
{
    private static readonly Assembly Harness = typeof(CallerFrame).Assembly;

    private static readonly ConcurrentDictionary<(MethodBase, int, string), CallerFrame> Resolved =
        new();

    private static readonly ConcurrentDictionary<(MethodBase, string), bool> Forwarders = new();

    /// <summary>The call site of <paramref name="operation"/>, or null when every frame belongs to the harness.</summary>
    internal static CallerFrame? Find(string operation)
    {
        if (First(new StackTrace(fNeedFileInfo: false), operation) is not { } frame)
        {
            return null;
        }
        var method = frame.GetMethod()!;
        var key = (method, frame.GetILOffset(), operation);
        return Resolved.TryGetValue(key, out var known)
            ? known
            : Resolved.GetOrAdd(key, Resolve(method, key.Item2, operation));
    }

    private static CallerFrame Resolve(MethodBase method, int offset, string operation)
    {
        if (SeamCallSites.At(method, offset, operation) is { } site)
        {
            return new CallerFrame(site.File, site.Line, site.Method);
        }
        var frame = First(new StackTrace(fNeedFileInfo: true), operation);
        var file = frame?.GetMethod() == method ? frame!.GetFileName() : null;
        return new CallerFrame(
            file,
            file is null ? 0 : frame!.GetFileLineNumber(),
            MethodDisplayName.Of(method)
        );
    }

    private static StackFrame? First(StackTrace trace, string operation)
    {
        foreach (var frame in trace.GetFrames())
        {
            var method = frame.GetMethod();
            var type = method?.DeclaringType;
            if (
                type is not null
                && type.Assembly != Harness
                && type.Namespace != "Pool.Threading"
                && !Forwarders.GetOrAdd((method!, operation), Forwards)
            )
            {
                return frame;
            }
        }
        return null;
    }

    // True for a member of a class that implements the seam member of the operation (a decorator forwarding it).
    private static bool Forwards((MethodBase Method, string Operation) frame)
    {
        var (seam, names) = frame.Operation.Split('.') switch
        {
            ["Lock", var member] => (typeof(ILock), [member]),
            ["Condition", var member] => (typeof(ICondition), [member]),
            ["Atomic", "Read"] => (typeof(IAtomicInt64), ["Read", "ReadRelaxed"]),
            ["Atomic", var member] => (typeof(IAtomicInt64), [member]),
            ["Join"] => (typeof(IThreadHandle), ["Join"]),
            [var member] => (typeof(IThreading), new[] { member }),
            _ => (null, []),
        };
        return seam is not null
            && names.Any(name =>
                frame.Method.Name == name
                || frame.Method.Name.EndsWith($".{name}", StringComparison.Ordinal)
            )
            && frame.Method is MethodInfo method
            && method.DeclaringType is { IsInterface: false } type
            && seam.IsAssignableFrom(type)
            && type.GetInterfaceMap(seam).TargetMethods.Contains(method);
    }
}
