using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Pool.Tests.Pooling;

namespace Pool.Tests.Samples;

/// <summary>
/// samples/EchoService as a child process (the build the solution made), its output collected line by line; the port
/// it listens on is read from its "listening on" log line. Disposing kills it if it still runs.
/// </summary>
internal sealed partial class EchoServiceProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly List<string> _errors = [];

    private EchoServiceProcess(string[] arguments, (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(ProgramPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Add(_output, e.Data);
        _process.ErrorDataReceived += (_, e) => Add(_errors, e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The sample's program, built beside this test project (Release or Debug, as this test).</summary>
    public static string ProgramPath
    {
        get
        {
            var here = AppContext.BaseDirectory;
            var configuration = here.Contains("/Release/", StringComparison.Ordinal)
                ? "Release"
                : "Debug";
            var root = new DirectoryInfo(here);
            while (!File.Exists(Path.Combine(root.FullName, "Pool.sln")))
            {
                root =
                    root.Parent
                    ?? throw new InvalidOperationException("Pool.sln not found above " + here);
            }
            return Path.Combine(
                root.FullName,
                $"samples/EchoService/bin/{configuration}/net10.0/EchoService.dll"
            );
        }
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return string.Join('\n', _errors);
            }
        }
    }

    public static EchoServiceProcess Start(params string[] arguments) => new(arguments, []);

    /// <summary>Starts it with <paramref name="environment"/> added to this process's variables.</summary>
    public static EchoServiceProcess StartWith(
        (string Name, string Value)[] environment,
        params string[] arguments
    ) => new(arguments, environment);

    /// <summary>Waits for the "listening on" line and returns its port.</summary>
    public int WaitForPort()
    {
        Match? found = null;
        Wait.Until(
            () => (found = ListeningLine().Match(Output)).Success || _process.HasExited,
            "the service logs the port it listens on"
        );
        Assert.True(found!.Success, $"the service did not start:\n{Output}\n{Errors}");
        return int.Parse(found.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Sends SIGTERM, as a service manager does.</summary>
    public void Terminate() => Assert.Equal(0, Kill(_process.Id, 15));

    /// <summary>Waits for the process to end and returns its exit code.</summary>
    public int WaitForExit()
    {
        Assert.True(
            _process.WaitForExit(Wait.Limit),
            $"the service did not exit:\n{Output}\n{Errors}"
        );
        _process.WaitForExit(); // the output is read to its end
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }

    private static void Add(List<string> lines, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (lines)
        {
            lines.Add(line);
        }
    }

    [GeneratedRegex(@"listening on 127\.0\.0\.1:([0-9]+)")]
    private static partial Regex ListeningLine();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
