using System.Diagnostics;
using System.Globalization;

namespace EchoLoad;

/// <summary>
/// Counts a server process's system calls and context switches while a load runs, with <c>perf stat</c>
/// attached to it (kernel tracepoints: no change to the server). Where perf is missing or not permitted,
/// <see cref="Start"/> returns null and the columns stay empty.
/// </summary>
internal sealed class SyscallCounter
{
    internal static readonly string[] Events =
    [
        "syscalls:sys_enter_futex",
        "syscalls:sys_enter_epoll_wait",
        "syscalls:sys_enter_epoll_pwait",
        "syscalls:sys_enter_write",
        "syscalls:sys_enter_read",
        "syscalls:sys_enter_recvfrom",
        "syscalls:sys_enter_sendto",
        "syscalls:sys_enter_recvmsg",
        "syscalls:sys_enter_sendmsg",
        "context-switches",
    ];

    private readonly Process _perf;
    private readonly string _output;

    private SyscallCounter(Process perf, string output)
    {
        _perf = perf;
        _output = output;
    }

    internal static SyscallCounter? Start(int pid)
    {
        var output = Path.GetTempFileName();
        var start = new ProcessStartInfo("perf")
        {
            UseShellExecute = false,
            RedirectStandardError = true,
        };
        foreach (
            var argument in new[]
            {
                "stat",
                "-x",
                ",",
                "-o",
                output,
                "-e",
                string.Join(',', Events),
                "-p",
                pid.ToString(CultureInfo.InvariantCulture),
            }
        )
        {
            start.ArgumentList.Add(argument);
        }
        try
        {
            var perf = Process.Start(start)!;
            Thread.Sleep(200); // perf attaches before the load starts
            return perf.HasExited ? null : new SyscallCounter(perf, output);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // perf is not installed
        }
    }

    /// <summary>Stops perf (SIGINT makes it print) and returns the count of each event.</summary>
    internal Dictionary<string, long> Stop()
    {
        Process
            .Start("kill", ["-INT", _perf.Id.ToString(CultureInfo.InvariantCulture)])!
            .WaitForExit();
        _perf.WaitForExit(5000);
        var counts = new Dictionary<string, long>();
        foreach (var line in File.ReadAllLines(_output))
        {
            var fields = line.Split(',');
            if (
                fields.Length > 2
                && long.TryParse(
                    fields[0],
                    NumberStyles.None,
                    CultureInfo.InvariantCulture,
                    out var value
                )
            )
            {
                counts[fields[2]] = value;
            }
        }
        File.Delete(_output);
        return counts;
    }
}
