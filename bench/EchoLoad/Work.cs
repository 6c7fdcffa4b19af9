namespace EchoLoad;

/// <summary>The CPU work a message costs on every server: fib(n), the same code as samples/EchoServer's (samples/Shared).</summary>
internal static class Work
{
    internal static long Fibonacci(int n) => Pool.Samples.Fibonacci.Of(n);
}
