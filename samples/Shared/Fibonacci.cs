using System.Runtime.CompilerServices;

namespace Pool.Samples;

/// <summary>
/// The CPU work of a message in the echo samples and in every .NET server the benchmarks run: fib(n) by the naive
/// recursion. One source, compiled to the same machine code in every process, so that two servers compared pay the
/// same work.
/// </summary>
/// <remarks>
/// Left to tiered compilation, the JIT inlines the recursion's second level into the first on its own, guided by the
/// profile it gathers, but orders the code's blocks by that profile, which differs from one process start to the next:
/// of two servers measured side by side, one could pay a fib about a fifth dearer than the other. Here the second level
/// is written out and the method compiled fully optimized at its first call, which takes no profile: the same code
/// every time, as fast as the tiered code's better order.
/// </remarks>
internal static class Fibonacci
{
    /// <summary>fib(<paramref name="n"/>) by the naive recursion, whose cost grows as fib(n) does; n below 2 is returned as it is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    internal static long Of(int n) => n < 2 ? n : SecondLevel(n - 1) + SecondLevel(n - 2);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long SecondLevel(int n) => n < 2 ? n : Of(n - 1) + Of(n - 2);
}
