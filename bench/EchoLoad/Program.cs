using System.Diagnostics;
using System.Globalization;
using EchoLoad;

// Echo load generator. Modes:
//   compare [--seconds S] [--depth D] [--threads T] [--loops L] [--work N] [--rounds R] [--client epoll|async]
//           [--ours PATH] [--native PATH] [--connections 1,100,1000] [--sizes 64,4096] [--syscalls] [--warmup-ms M]
//           [--work-cpu] [--native-dotnet-work] [--minimal-dotnet] [--twin]
//                                                      our samples/EchoServer (T workers, 0: inline) vs a Socket-async
//                                                      baseline, side by side, after a warm-up (every server driven with
//                                                      each connection count for M ms, default 500, not measured);
//                                                      each cell R times, alternating, median kept;
//                                                      both servers compute fib(N) per message; --syscalls adds perf's
//                                                      per-message counts of the servers' system calls; --work-cpu
//                                                      adds the part of each server's CPU per message that perf's
//                                                      samples place in fib (the work, measured under load, in a
//                                                      second run of each cell); the last table
//                                                      is both servers' CPU while idle, before and after the load;
//                                                      --loops: our server's I/O loops; --native: a third server, the
//                                                      native epoll echo server (bench/native, one loop per core), whose
//                                                      row's last column is ours/native; with --threads T > 0 also a
//                                                      fourth, the native server handing each read to T workers;
//                                                      --native-dotnet-work: the native servers once more, their work
//                                                      replaced by the time .NET's fib(N) takes here (idle);
//                                                      --minimal-dotnet: one more server, the native server's design
//                                                      in C# (MinimalEpollServer, as many loops and workers as ours);
//                                                      --twin: a second copy of our server, measured as the others
//   work-cost                                          how long fib(n) takes on this machine, n = 15..27
//   baseline --port P [--work N]                       run the baseline server alone (used by compare)
//   minimal --port P [--loops L] [--workers W] [--work N] [--hand-off own|pool|executor]
//                                                      run MinimalEpollServer alone (used by compare); --hand-off: its
//                                                      workers' queue (default), or our thread pool or executor instead
//   load --port P --connections C --size B [--seconds S] [--depth D] [--client async|epoll]
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
        var server = new AsyncEchoServer(Number("--port", 9001), Number("--work", 0));
        server.Start();
        Console.WriteLine($"baseline echo server on 127.0.0.1:{server.Port}");
        WaitForSigterm();
        server.Stop();
        return 0;
    }
    case "minimal":
    {
        var port = Number("--port", 9001);
        var server = new MinimalEpollServer(
            port,
            Number("--work", 0),
            Number("--loops", Environment.ProcessorCount),
            Number("--workers", 0),
            Option("--hand-off", "own") switch
            {
                "own" => HandOff.Own,
                "pool" => HandOff.Pool,
                "executor" => HandOff.Executor,
                var other => throw new ArgumentException(
                    $"--hand-off must be own, pool or executor, not {other}"
                ),
            }
        );
        server.Start();
        Console.WriteLine(
            $"minimal .NET epoll echo server on 127.0.0.1:{server.Port}, {server.Loops} loops, {server.Workers} workers ({Option("--hand-off", "own")} hand-off)"
        );
        WaitForSigterm();
        server.Stop();
        return 0;
    }
    case "work-cost":
    {
        // What fib(n) costs a handler here, to choose --work for a given CPU cost per message (see WorkCost).
        for (var n = 15; n <= 27; n++)
        {
            var (wall, cpu, calls) = WorkCost.Measure(n);
            Console.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"fib({n}): {wall:F1} us (CPU {cpu:F1} us, {calls} calls)"
                )
            );
        }
        return 0;
    }
    case "load":
    {
        var (port, connections, size, depth) = (
            Number("--port", 9000),
            Number("--connections", 1),
            Number("--size", 64),
            Number("--depth", 1)
        );
        var duration = TimeSpan.FromSeconds(Number("--seconds", 5));
        var result = Option("--client", "async") switch
        {
            "epoll" => EpollLoadGenerator.Run(port, connections, size, depth, duration),
            "async" => await LoadGenerator.Run(port, connections, size, depth, duration),
            var other => throw new ArgumentException(
                $"--client must be epoll or async, not {other}"
            ),
        };
        Console.WriteLine(
            Row(
                "server",
                Number("--connections", 1),
                Number("--size", 64),
                new Measurement(result, double.NaN, null, double.NaN),
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
        var loops = Number("--loops", 1);
        var native = Option("--native", "");
        var work = Number("--work", 0);
        var rounds = Number("--rounds", 1);
        var connectionCounts = Numbers(Option("--connections", "1,100,1000"));
        var sizes = Numbers(Option("--sizes", "64,4096"));
        var countSyscalls = args.Contains("--syscalls");
        var sampleWork = args.Contains("--work-cpu");
        // measured before any server starts, so that nothing else runs meanwhile and the wall time is the cost
        double? dotnetWorkCost =
            args.Contains("--native-dotnet-work") && work > 0 && native.Length > 0
                ? WorkCost.Measure(work).WallUs
                : null;
        if (dotnetWorkCost is { } measuredCost)
        {
            Console.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $".NET's fib({work}) here, idle: {measuredCost:F1} us (wall time, one thread computing)"
                )
            );
        }
        // perf names the .NET servers' compiled code only from the map the runtime writes when asked to, and only
        // where that code is not double-mapped (the runtime's write-xor-execute, on by default)
        (string Name, string Value)[] dotnetEnvironment = sampleWork
            ? [("DOTNET_PerfMapEnabled", "1"), ("DOTNET_EnableWriteXorExecute", "0")]
            : [];
        var warmup = TimeSpan.FromMilliseconds(Number("--warmup-ms", 500));
        var client = Option("--client", "epoll");
        Func<int, int, int, TimeSpan, Task<LoadResult>> driveFor = client switch
        {
            "epoll" => (port, connections, size, duration) =>
                Task.FromResult(EpollLoadGenerator.Run(port, connections, size, depth, duration)),
            "async" => (port, connections, size, duration) =>
                LoadGenerator.Run(port, connections, size, depth, duration),
            _ => throw new ArgumentException($"--client must be epoll or async, not {client}"),
        };
        Task<LoadResult> drive(int port, int connections, int size) =>
            driveFor(port, connections, size, TimeSpan.FromSeconds(seconds));
        var handlers = threads == 0 ? "inline" : $"{threads} workers";
        var label =
            loops == 1 ? $"Pool reactor ({handlers})" : $"Pool reactor ({loops} loops, {handlers})";
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
        string[] OurArguments(int port) =>
            [
                ours,
                "--port",
                port.ToString(CultureInfo.InvariantCulture),
                "--threads",
                threads.ToString(CultureInfo.InvariantCulture),
                "--work",
                work.ToString(CultureInfo.InvariantCulture),
                "--loops",
                loops.ToString(CultureInfo.InvariantCulture),
            ];
        using var oursProcess = Start("dotnet", dotnetEnvironment, OurArguments(9711));
        // The limit: the native server with its loops only, and, when ours hands messages to workers, the native
        // server handing them to as many workers (the least a hand-off costs).
        // With --native-dotnet-work, the native servers again with the work replaced by what .NET's fib(N) costs
        // (measured here, idle, in wall time): the least a .NET server of either design pays per message.
        // Every server measured beside ours and the baseline (each row's last column is ours/that server's).
        var referenceServers = new List<(string Label, int Port, Process Process)>();
        if (native.Length > 0)
        {
            var fib = new[] { "--work", work.ToString(CultureInfo.InvariantCulture) };
            string[] workers =
                threads > 0 ? ["--workers", threads.ToString(CultureInfo.InvariantCulture)] : [];
            var withWorkers = threads > 0 ? $", {threads} workers" : "";
            var kinds = new List<(string Label, string[] Arguments)> { ("native epoll (C)", fib) };
            if (threads > 0)
            {
                kinds.Add(($"native epoll (C{withWorkers})", [.. fib, .. workers]));
            }
            if (dotnetWorkCost is { } cost)
            {
                string[] spin = ["--work-us", cost.ToString("F1", CultureInfo.InvariantCulture)];
                kinds.Add(("native epoll (C, .NET's work)", spin));
                if (threads > 0)
                {
                    kinds.Add(
                        ($"native epoll (C{withWorkers}, .NET's work)", [.. spin, .. workers])
                    );
                }
            }
            foreach (var (kindLabel, arguments) in kinds)
            {
                var port = 9713 + referenceServers.Count;
                var portArgument = port.ToString(CultureInfo.InvariantCulture);
                referenceServers.Add(
                    (kindLabel, port, Start(native, [], ["--port", portArgument, .. arguments]))
                );
            }
        }
        // The native server's design written in C#, with as many loops and workers as ours: what a .NET server of
        // that design reaches with nothing else (bench/EchoLoad/MinimalEpollServer.cs).
        if (args.Contains("--minimal-dotnet"))
        {
            var port = 9713 + referenceServers.Count;
            var workers = threads > 0 ? $", {threads} workers" : "";
            referenceServers.Add(
                (
                    $"minimal .NET epoll ({loops} loops{workers})",
                    port,
                    Start(
                        "dotnet",
                        dotnetEnvironment,
                        [
                            self,
                            "minimal",
                            "--port",
                            port.ToString(CultureInfo.InvariantCulture),
                            "--loops",
                            loops.ToString(CultureInfo.InvariantCulture),
                            "--workers",
                            threads.ToString(CultureInfo.InvariantCulture),
                            "--work",
                            work.ToString(CultureInfo.InvariantCulture),
                        ]
                    )
                )
            );
        }
        // A second copy of our server, measured as the others: how far one server's measurement moves from another's
        // when nothing but the run's noise differs.
        if (args.Contains("--twin"))
        {
            var port = 9713 + referenceServers.Count;
            referenceServers.Add(
                (
                    $"twin of ours ({loops} loops, {handlers})",
                    port,
                    Start("dotnet", dotnetEnvironment, OurArguments(port))
                )
            );
        }
        using var baselineProcess = Start(
            "dotnet",
            dotnetEnvironment,
            [
                self,
                "baseline",
                "--port",
                "9712",
                "--work",
                work.ToString(CultureInfo.InvariantCulture),
            ]
        );
        Thread.Sleep(1500); // both servers print a line when listening; give the runtime time to start
        Console.WriteLine(
            $"{seconds} s per cell, median of {rounds} alternating round(s), depth {depth} ({(depth == 1 ? "ping-pong" : "pipelined")}), work fib({work}), {client} client; client and servers share the machine's cores"
        );
        Process[] servers =
        [
            oursProcess,
            baselineProcess,
            .. referenceServers.Select(n => n.Process),
        ];
        // Warm-up, not measured: every server and the client itself run each connection count once, so that no
        // cell measures the runtimes' first compilations (the client's and the .NET servers') or first accepts.
        int[] ports = [9711, 9712, .. referenceServers.Select(n => n.Port)];
        if (warmup > TimeSpan.Zero)
        {
            foreach (var connections in connectionCounts)
            {
                foreach (var port in ports)
                {
                    _ = await driveFor(port, connections, sizes[0], warmup);
                }
            }
        }
        var idleBefore = IdleCpu(servers, TimeSpan.FromSeconds(2));
        Console.WriteLine();
        Console.WriteLine(
            "| server | connections | size | msgs/s | MB/s | p50 us | p99 us | p999 us | errors | server CPU us/msg | ours/baseline |"
                + (
                    countSyscalls
                        ? " futex/msg | epoll_wait/msg | recv/msg | send+write/msg | ctx switches/msg |"
                        : ""
                )
                + (sampleWork ? " work CPU us/msg |" : "")
        );
        Console.WriteLine(
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
                + (countSyscalls ? "---:|---:|---:|---:|---:|" : "")
                + (sampleWork ? "---:|" : "")
        );
        foreach (var connections in connectionCounts)
        {
            foreach (var size in sizes)
            {
                var ourRuns = new List<Measurement>();
                var baselineRuns = new List<Measurement>();
                var referenceRuns = referenceServers.Select(_ => new List<Measurement>()).ToList();
                for (var round = 0; round < rounds; round++)
                {
                    ourRuns.Add(
                        await Measured(
                            oursProcess,
                            countSyscalls,
                            sampleWork,
                            () => drive(9711, connections, size)
                        )
                    );
                    baselineRuns.Add(
                        await Measured(
                            baselineProcess,
                            countSyscalls,
                            sampleWork,
                            () => drive(9712, connections, size)
                        )
                    );
                    for (var n = 0; n < referenceServers.Count; n++)
                    {
                        var port = referenceServers[n].Port;
                        referenceRuns[n]
                            .Add(
                                await Measured(
                                    referenceServers[n].Process,
                                    countSyscalls,
                                    sampleWork,
                                    () => drive(port, connections, size)
                                )
                            );
                    }
                }
                var a = Median(ourRuns);
                var b = Median(baselineRuns);
                Console.WriteLine(
                    Row(
                        label,
                        connections,
                        size,
                        a,
                        a.Load.MessagesPerSecond / b.Load.MessagesPerSecond,
                        sampleWork
                    )
                );
                Console.WriteLine(Row(".NET Socket async", connections, size, b, null, sampleWork));
                for (var n = 0; n < referenceServers.Count; n++)
                {
                    var c = Median(referenceRuns[n]);
                    Console.WriteLine(
                        Row(
                            referenceServers[n].Label,
                            connections,
                            size,
                            c,
                            a.Load.MessagesPerSecond / c.Load.MessagesPerSecond,
                            sampleWork
                        )
                    );
                }
            }
        }
        var idleNext = IdleCpu(servers, TimeSpan.FromSeconds(1));
        var idleAfter = IdleCpu(servers, TimeSpan.FromSeconds(2));
        Console.WriteLine();
        Console.WriteLine(
            "| server | CPU ms in 2 s idle before the load | in the 1st s after it | in the 2nd and 3rd s after it |"
        );
        Console.WriteLine("|---|---:|---:|---:|");
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"| {label} | {idleBefore[0]:F1} | {idleNext[0]:F1} | {idleAfter[0]:F1} |"
            )
        );
        Console.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"| .NET Socket async | {idleBefore[1]:F1} | {idleNext[1]:F1} | {idleAfter[1]:F1} |"
            )
        );
        for (var n = 0; n < referenceServers.Count; n++)
        {
            Console.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"| {referenceServers[n].Label} | {idleBefore[n + 2]:F1} | {idleNext[n + 2]:F1} | {idleAfter[n + 2]:F1} |"
                )
            );
            Stop(referenceServers[n].Process);
            referenceServers[n].Process.Dispose();
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

// Blocks until the process gets SIGTERM (compare stops the servers it started so).
static void WaitForSigterm()
{
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
}

static int[] Numbers(string list) =>
    [.. list.Split(',').Select(n => int.Parse(n, NumberStyles.None, CultureInfo.InvariantCulture))];

static Measurement Median(List<Measurement> runs) =>
    runs.OrderBy(r => r.Load.MessagesPerSecond).ElementAt(runs.Count / 2);

// Runs the load and returns it with the server process's CPU time per message, in microseconds, (with
// countSyscalls) the server's system calls during the load, and (with sampleWork) the part of its CPU per message
// that perf's samples place in the work: the share of the samples in the work, times this run's CPU per message. The
// samples come from a second run of the same load: sampling costs the server messages/s and CPU (its own, and wake-ups
// it stalls), so only the share is taken from that run, not its CPU per message, which differs from this run's by as
// much as the overhead being judged.
static async Task<Measurement> Measured(
    Process server,
    bool countSyscalls,
    bool sampleWork,
    Func<Task<LoadResult>> run
)
{
    var counter = countSyscalls ? SyscallCounter.Start(server.Id) : null;
    var (load, cpu) = await CpuPerMessage(server, run);
    var syscalls = counter?.Stop();
    var work = double.NaN;
    if (sampleWork && WorkSampler.Start(server.Id) is { } sampler)
    {
        _ = await run();
        work = sampler.Stop() * cpu;
    }
    return new Measurement(load, cpu, syscalls, work);
}

// Runs the load and returns it with the server process's CPU time per message, in microseconds.
static async Task<(LoadResult Load, double Cpu)> CpuPerMessage(
    Process server,
    Func<Task<LoadResult>> run
)
{
    server.Refresh();
    var before = server.TotalProcessorTime;
    var load = await run();
    server.Refresh();
    return (
        load,
        (server.TotalProcessorTime - before).TotalMicroseconds / Math.Max(1, load.Messages)
    );
}

// The CPU time, in milliseconds, each process spends over the next window (nothing drives them meanwhile).
static double[] IdleCpu(Process[] servers, TimeSpan window)
{
    var before = servers
        .Select(s =>
        {
            s.Refresh();
            return s.TotalProcessorTime;
        })
        .ToArray();
    Thread.Sleep(window);
    return
    [
        .. servers.Select(
            (s, i) =>
            {
                s.Refresh();
                return (s.TotalProcessorTime - before[i]).TotalMilliseconds;
            }
        ),
    ];
}

static string Row(
    string server,
    int connections,
    int size,
    Measurement run,
    double? ratio,
    bool sampleWork = false
)
{
    var r = run.Load;
    var cpu = double.IsNaN(run.Cpu) ? "" : run.Cpu.ToString("F1", CultureInfo.InvariantCulture);
    var row = string.Create(
        CultureInfo.InvariantCulture,
        $"| {server} | {connections} | {size} | {r.MessagesPerSecond:F0} | {r.MegabytesPerSecond:F1} | {r.Percentile(0.50):F0} | {r.Percentile(0.99):F0} | {r.Percentile(0.999):F0} | {r.Errors} | {cpu} | {(ratio is { } x ? x.ToString("F2", CultureInfo.InvariantCulture) : "")} |"
    );
    var work = double.IsNaN(run.WorkCpu)
        ? ""
        : run.WorkCpu.ToString("F1", CultureInfo.InvariantCulture);
    if (run.Syscalls is not { } calls)
    {
        return row + (sampleWork ? $" {work} |" : "");
    }
    string PerMessage(params string[] events) =>
        (events.Sum(e => calls.GetValueOrDefault(e)) / (double)Math.Max(1, r.Messages)).ToString(
            "F2",
            CultureInfo.InvariantCulture
        );
    return row
        + $" {PerMessage("syscalls:sys_enter_futex")} | {PerMessage("syscalls:sys_enter_epoll_wait", "syscalls:sys_enter_epoll_pwait")} | {PerMessage("syscalls:sys_enter_recvfrom", "syscalls:sys_enter_recvmsg", "syscalls:sys_enter_read")} | {PerMessage("syscalls:sys_enter_sendto", "syscalls:sys_enter_sendmsg", "syscalls:sys_enter_write")} | {PerMessage("context-switches")} |"
        + (sampleWork ? $" {work} |" : "");
}

static Process Start(string file, (string Name, string Value)[] environment, string[] arguments)
{
    var start = new ProcessStartInfo(file)
    {
        RedirectStandardOutput = true,
        UseShellExecute = false,
    };
    foreach (var (name, value) in environment)
    {
        start.Environment[name] = value;
    }
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
