using Pool.Threading;

namespace Pool.Explorer;

/// <summary>A <c>[SystematicTest]</c> method found in an assembly.</summary>
/// <param name="Name">The short name shown in tables: <c>Type.Method</c>.</param>
/// <param name="FullName">Namespace, type and method.</param>
/// <param name="Body">The method as a test body.</param>
/// <param name="CiIterations">The method's CI budget (0: none given).</param>
internal sealed record DiscoveredTest(
    string Name,
    string FullName,
    Action<IThreading> Body,
    int CiIterations
);
