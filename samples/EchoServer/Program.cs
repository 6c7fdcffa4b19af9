using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using Pool;
using Pool.Reactor;

// The seed's echo server on the Pool reactor: every received chunk is answered with the same bytes after
// fib(WORK) of CPU work on a worker (or on the loop thread with --threads 0). Ctrl+C (SIGINT) or SIGTERM stops it with a summary.
// Usage: dotnet run -c Release --project samples/EchoServer -- [--port 9000] [--threads 2] [--work 30] [--max-connections 10000] [--loops 1]

var options = Options.Parse(args);
if (options is null)
{
    Console.Error.WriteLine(
        "usage: EchoServer [--port N (default 9000; 0: any)] [--threads N (default 2; 0: handlers on the loop thread)] "
            + "[--work N (fib(N) per message, default 30; 0: plain echo)] [--max-connections N (default 10000)] "
            + "[--loops N (I/O loops, default 1)]"
    );
    return 2;
}

using var loop = new EventLoop();
var workers = options.Threads > 0 ? new Executor(options.Threads) : null;
var server = new TcpServer(
    loop,
    (message, reply) =>
    {
        if (options.Work > 0)
        {
            _ = Pool.Samples.Fibonacci.Of(options.Work);
        }
        reply.Write(message.Span);
    },
    new TcpServerOptions
    {
        Port = options.Port,
        MaxConnections = options.MaxConnections,
        Loops = options.Loops,
    },
    workers
);
server.Start();
Console.WriteLine(
    $"echo server on 127.0.0.1:{server.Port}, loops {options.Loops}, threads {options.Threads}, work fib({options.Work}); Ctrl+C to stop"
);
void Shutdown(PosixSignalContext context)
{
    context.Cancel = true;
    server.Stop();
    loop.Quit();
}
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Shutdown);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Shutdown);
loop.Run();
workers?.Destroy();
Console.WriteLine(
    $"served {server.AcceptedConnections} connections ({server.RefusedConnections} refused), {server.Messages} messages, "
        + $"{server.Errors} errors, {server.DroppedSends} replies dropped after their connection closed"
);
return 0;

internal sealed record Options(int Port, int Threads, int Work, int MaxConnections, int Loops)
{
    internal static Options? Parse(string[] args)
    {
        var options = new Options(9000, 2, 30, 10_000, 1);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (
                i + 1 >= args.Length
                || !int.TryParse(
                    args[i + 1],
                    NumberStyles.None,
                    CultureInfo.InvariantCulture,
                    out var value
                )
            )
            {
                return null;
            }
            options = args[i] switch
            {
                "--port" => options with { Port = value },
                "--threads" => options with { Threads = value },
                "--work" => options with { Work = value },
                "--max-connections" when value > 0 => options with { MaxConnections = value },
                "--loops" when value > 0 => options with { Loops = value },
                _ => null,
            };
            if (options is null)
            {
                return null;
            }
        }
        return options;
    }
}
