using System.Diagnostics;
using System.Text;

namespace Pool.Tests.Packaging;

/// <summary>Runs the command lines of the packaging tests, each under one time bound, and finds the repository.</summary>
internal static class ChildProcess
{
    /// <summary>The folder that holds Pool.sln, above the test's output folder.</summary>
    internal static string RepositoryRoot
    {
        get
        {
            for (
                var directory = new DirectoryInfo(AppContext.BaseDirectory);
                directory is not null;
                directory = directory.Parent
            )
            {
                if (File.Exists(Path.Combine(directory.FullName, "Pool.sln")))
                {
                    return directory.FullName;
                }
            }
            throw new InvalidOperationException("No Pool.sln above the test's folder.");
        }
    }

    /// <summary>
    /// Runs <paramref name="file"/> and returns its exit code and everything it printed (both streams, interleaved).
    /// </summary>
    /// <exception cref="TimeoutException">It ran past <paramref name="timeout"/>: its process tree is killed and the
    /// message carries what it printed.</exception>
    internal static (int ExitCode, string Output) Run(
        string file,
        IEnumerable<string> arguments,
        string directory,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null
    )
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        // Both streams are read as they come (a child that fills a pipe nobody reads would block, and a read to the
        // end would wait for the child however long it runs), so the bounded wait below is what ends a hung step.
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        // One bound for the child's exit and the end of both streams (the asynchronous wait waits for both).
        using var bound = new CancellationTokenSource(timeout);
        try
        {
            process.WaitForExitAsync(bound.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            lock (output)
            {
                throw new TimeoutException(
                    $"{file} {string.Join(' ', arguments)} ran past {timeout}; it printed:\n{output}"
                );
            }
        }
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
