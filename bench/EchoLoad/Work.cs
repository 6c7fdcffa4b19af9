namespace EchoLoad;

/// <summary>The CPU work a message costs on both servers: fib(n), computed the naive way (as samples/EchoServer does).</summary>
internal static class Work
{
    internal static long Fibonacci(int n) => n < 2 ? n : Fibonacci(n - 1) + Fibonacci(n - 2);
}
