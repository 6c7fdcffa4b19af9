using System.Diagnostics;
using System.Globalization;
using EchoLoad;

// Echo load generator. Modes:
//   compare [--seconds S] [--depth D] [--threads T] [--rounds R] [--client epoll|async] [--ours PATH]
//                                                      our samples/EchoServer (T workers, 0: inline) vs a Socket-async
//                                                      baseline, side by side; each cell R times, alternating, median kept
//   baseline --port P                                  run the baseline server alone (used by compare)
//   load --port P --connections C --size B [--seconds S] [--depth D]
var mode = args.Length > 0 ? args[0] : "compare";
string Option(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}
int Number(string name, int fallback) =>
    int.Parse(
        Option(name, fallback.ToString(CultureInfo.InvariantCulture)),
        CultureInfo.InvariantCulture
    );

switch (mode)
{
    case "baseline":
    {
        var server = new AsyncEchoServer(Number("--port", 9001));
        server.Start();
        Console.WriteLine($"baseline echo server on 127.0.0.1:{server.Port}");
        using var stop = new ManualResetEventSlim();
        using var onTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM,
            c =>
            {
                c.Cancel = true;
                stop.Set();
            }
        );
        stop.Wait();
        server.Stop();
        return 0;
    }
    case "load":
    {
        var result = await LoadGenerator.Run(
            Number("--port", 9000),
            Number("--connections", 1),
            Number("--size", 64),
            Number("--depth", 1),
            TimeSpan.FromSeconds(Number("--seconds", 5))
        );
        Console.WriteLine(
            Row(
                "server",
                Number("--connections", 1),
                Number("--size", 64),
                (result, double.NaN),
                null
            )
        );
        return result.Errors == 0 ? 0 : 1;
    }
    case "compare":
    {
        var seconds = Number("--seconds", 3);
        var depth = Number("--depth", 1);
        var threads = Number("--threads", 0);
        var rounds = Number("--rounds", 1);
        var client = Option("--client", "epoll");
        Func<int, int, int, Task<LoadResult>> drive = client switch
        {
            "epoll" => (port, connections, size) =>
                Task.FromResult(
                    EpollLoadGenerator.Run(
                        port,
                        connections,
                        size,
                        depth,
                        TimeSpan.FromSeconds(seconds)
                    )
                ),
            "async" => (port, connections, size) =>
                LoadGenerator.Run(port, connections, size, depth, TimeSpan.FromSeconds(seconds)),
            _ => throw new ArgumentException($"--client must be epoll or async, not {client}"),
        };
        var label = threads == 0 ? "Pool reactor (inline)" : $"Pool reactor ({threads} workers)";
        var here = AppContext.BaseDirectory;
        var configuration = here.Contains("/Release/", StringComparison.Ordinal)
            ? "Release"
            : "Debug";
        var ours = Option(
            "--ours",
            Path.GetFullPath(
                Path.Combine(
                    here,
                    $"../../../../../samples/EchoServer/bin/{configuration}/net10.0/EchoServer.dll"
                )
            )
        );
        if (!File.Exists(ours))
        {
            Console.Error.WriteLine(
                $"our echo server is not built: {ours} (dotnet build -c {configuration} samples/EchoServer)"
            );
            return 2;
        }
        var self = typeof(LoadGenerator).Assembly.Location;
        using var oursProcess = Start(
            "dotnet",
            [
                ours,
                "--port",
                "9711",
                "--threads",
                threads.ToString(CultureInfo.InvariantCulture),
                "--work",
                "0",
            ]
        );
        using var baselineProcess = Start("dotnet", [self, "baseline", "--port", "9712"]);
        Thread.Sleep(1500); // both servers print a line when listening; give the runtime time to start
        Console.WriteLine(
            $"{seconds} s per cell, median of {rounds} alternating round(s), depth {depth} ({(depth == 1 ? "ping-pong" : "pipelined")}), work 0, {client} client; client and servers share the machine's cores"
        );
        Console.WriteLine();
        Console.WriteLine(
            "| server | connections | size | msgs/s | MB/s | p50 us | p99 us | p999 us | errors | server CPU us/msg | ours/baseline |"
        );
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var connections in new[] { 1, 100, 1000 })
        {
            foreach (var size in new[] { 64, 4096 })
            {
                var ourRuns = new List<(LoadResult Load, double Cpu)>();
                var baselineRuns = new List<(LoadResult Load, double Cpu)>();
                for (var round = 0; round < rounds; round++)
                {
                    ourRuns.Add(await Measured(oursProcess, () => drive(9711, connections, size)));
                    baselineRuns.Add(
                        await Measured(baselineProcess, () => drive(9712, connections, size))
                    );
                }
                var a = Median(ourRuns);
                var b = Median(baselineRuns);
                Console.WriteLine(
                    Row(
                        label,
                        connections,
                        size,
                        a,
                        a.Load.MessagesPerSecond / b.Load.MessagesPerSecond
                    )
                );
                Console.WriteLine(Row(".NET Socket async", connections, size, b, null));
            }
        }
        Stop(oursProcess);
        Stop(baselineProcess);
        return 0;
    }
    default:
        Console.Error.WriteLine(
            "usage: EchoLoad compare|baseline|load [options] (see Program.cs header)"
        );
        return 2;
}

static (LoadResult Load, double Cpu) Median(List<(LoadResult Load, double Cpu)> runs) =>
    runs.OrderBy(r => r.Load.MessagesPerSecond).ElementAt(runs.Count / 2);

// Runs the load and returns it with the server process's CPU time per message, in microseconds.
static async Task<(LoadResult Load, double Cpu)> Measured(
    Process server,
    Func<Task<LoadResult>> run
)
{
    server.Refresh();
    var before = server.TotalProcessorTime;
    var load = await run();
    server.Refresh();
    var cpu = (server.TotalProcessorTime - before).TotalMicroseconds / Math.Max(1, load.Messages);
    return (load, cpu);
}

static string Row(
    string server,
    int connections,
    int size,
    (LoadResult Load, double Cpu) run,
    double? ratio
)
{
    var r = run.Load;
    var cpu = double.IsNaN(run.Cpu) ? "" : run.Cpu.ToString("F1", CultureInfo.InvariantCulture);
    return string.Create(
        CultureInfo.InvariantCulture,
        $"| {server} | {connections} | {size} | {r.MessagesPerSecond:F0} | {r.MegabytesPerSecond:F1} | {r.Percentile(0.50):F0} | {r.Percentile(0.99):F0} | {r.Percentile(0.999):F0} | {r.Errors} | {cpu} | {(ratio is { } x ? x.ToString("F2", CultureInfo.InvariantCulture) : "")} |"
    );
}

static Process Start(string file, string[] arguments)
{
    var start = new ProcessStartInfo(file)
    {
        RedirectStandardOutput = true,
        UseShellExecute = false,
    };
    foreach (var argument in arguments)
    {
        start.ArgumentList.Add(argument);
    }
    return Process.Start(start)!;
}

static void Stop(Process process)
{
    if (!process.HasExited)
    {
        Process
            .Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)])!
            .WaitForExit();
        if (!process.WaitForExit(5000))
        {
            process.Kill();
        }
    }
}
