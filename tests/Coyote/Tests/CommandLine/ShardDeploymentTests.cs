using System.Text.Json;
using System.Text.RegularExpressions;
using Coyote.MutationReport;
using Pool.Explorer;
using Spectre.Console;

namespace Coyote.Tests.CommandLine;

/// <summary>
/// Shards of a dpor search run by a batch engine (deploy/k8s/explore-job.yaml, an indexed Job; deploy/ci/explore-matrix.yml,
/// a CI matrix) and merged: the command lines those files hold, read from them and run here for each shard with the
/// index the engine would substitute, then merged. Also what <c>merge</c> says when a shard is missing or unfinished.
/// </summary>
public partial class ShardDeploymentTests : IDisposable
{
    private readonly string _directory = Directory
        .CreateTempSubdirectory("pool-explore-shards-")
        .FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string Deploy(string path) =>
        File.ReadAllText(Path.Combine(MutantWorkspace.RepositoryRoot, "deploy", path));

    [Fact]
    public void TheKubernetesIndexedJobsCommandsRunTwoShardsAndMergeToAFinishedSearch()
    {
        var manifest = Deploy("k8s/explore-job.yaml");
        Assert.Contains("completionMode: Indexed", manifest, StringComparison.Ordinal);
        var completions = int.Parse(
            CompletionsLine().Match(manifest).Groups[1].Value,
            System.Globalization.CultureInfo.InvariantCulture
        );
        var mount = MountLine().Match(manifest).Groups[1].Value;
        // Every container that runs the tool: command ["pool-explore"], then its args as one flow sequence.
        var commands = ToolArgsLine()
            .Matches(manifest)
            .Select(m => JsonSerializer.Deserialize<string[]>(m.Groups[1].Value)!)
            .ToList();
        var shard = Assert.Single(commands, c => c.Contains("--shard"));
        var merge = Assert.Single(commands, c => c[0] == "merge");
        Assert.Equal($"$(JOB_COMPLETION_INDEX)/{completions}", After(shard, "--shard"));
        string Local(string argument) =>
            argument.StartsWith(mount + "/", StringComparison.Ordinal)
                ? Path.Combine(_directory, argument[(mount.Length + 1)..])
                : argument;
        for (var index = 0; index < completions; index++)
        {
            var text = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var (exit, output) = Run([
                .. shard.Select(a =>
                    Local(a.Replace("$(JOB_COMPLETION_INDEX)", text, StringComparison.Ordinal))
                ),
            ]);
            Assert.True(exit == ExitCodes.NoBug, output);
        }
        AssertMergedAndFinished(merge.Select(Local).ToArray(), completions);
    }

    [Fact]
    public void TheCiMatrixsCommandsRunTwoShardsAndMergeToAFinishedSearch()
    {
        var workflow = Deploy("ci/explore-matrix.yml");
        var shards = MatrixLine()
            .Match(workflow)
            .Groups[1]
            .Value.Split(',', StringSplitOptions.TrimEntries)
            .ToList();
        var runs = ToolRunLine().Matches(workflow).Select(m => m.Groups[1].Value).ToList();
        Assert.All(runs, r => Assert.DoesNotMatch("['\"\\\\]", r)); // plain words: split on spaces as a shell would
        var shard = Assert.Single(
            runs,
            r => r.Contains("${{ matrix.shard }}", StringComparison.Ordinal)
        );
        var merge = Assert.Single(runs, r => r.StartsWith("merge ", StringComparison.Ordinal));
        Assert.Contains(
            $" --shard ${{{{ matrix.shard }}}}/{shards.Count} ",
            shard,
            StringComparison.Ordinal
        );
        // The jobs run in a checkout: relative paths are under the job's working folder (here, this test's folder).
        string Local(string argument) =>
            argument.StartsWith("reports/", StringComparison.Ordinal)
                ? Path.Combine(_directory, argument)
                : argument;
        foreach (var index in shards)
        {
            var (exit, output) = Run([
                .. Words(shard.Replace("${{ matrix.shard }}", index, StringComparison.Ordinal))
                    .Select(Local),
            ]);
            Assert.True(exit == ExitCodes.NoBug, output);
        }
        AssertMergedAndFinished(Words(merge).Select(Local).ToArray(), shards.Count);
    }

    [Fact]
    public void MergeSaysExhaustiveOnlyWhenEveryShardOfTheSplitIsThereAndFinished()
    {
        string Shard(string split, int iterations)
        {
            var report = Path.Combine(
                _directory,
                $"shard-{split.Replace('/', '-')}-{iterations}.json"
            );
            var (exit, output) = Run(
                "test",
                "-s",
                "dpor",
                "-k",
                "1",
                "-i",
                iterations.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-m",
                "CountStaysExact",
                "--shard",
                split,
                "--report-json",
                report,
                "-o",
                _directory
            );
            Assert.True(exit == ExitCodes.NoBug, output);
            return report;
        }
        var first = Shard("0/2", 1_000_000);
        var second = Shard("1/2", 1_000_000);
        Assert.Equal("Exhaustive", Outcome(first).GetProperty("End").GetString());
        Assert.Equal("Exhaustive", Outcome(second).GetProperty("End").GetString());

        Assert.Equal("Exhaustive", Merged(first, second).GetProperty("End").GetString());
        // One shard missing: both present ones finished, and still not the whole search.
        var alone = Merged(first);
        Assert.False(alone.GetProperty("Exhausted").GetBoolean());
        Assert.Equal("Incomplete", alone.GetProperty("End").GetString());
        Assert.StartsWith(
            "incomplete: shard 1/2 missing; ",
            alone.GetProperty("Verdict").GetString(),
            StringComparison.Ordinal
        );
        // A shard twice is not the whole either.
        var twice = Merged(first, first);
        Assert.False(twice.GetProperty("Exhausted").GetBoolean());
        Assert.StartsWith(
            "incomplete: shard 0/2 merged twice",
            twice.GetProperty("Verdict").GetString(),
            StringComparison.Ordinal
        );
        // Every shard there, one of them cut by its iteration budget.
        var cut = Merged(first, Shard("1/2", 5));
        Assert.False(cut.GetProperty("Exhausted").GetBoolean());
        Assert.Equal("CutByIterations", cut.GetProperty("End").GetString());
        // Shards of two different splits do not make a whole.
        var mixed = Merged(first, Shard("1/3", 1_000_000), Shard("2/3", 1_000_000));
        Assert.False(mixed.GetProperty("Exhausted").GetBoolean());
        Assert.StartsWith(
            "incomplete: shards of different splits (0/2, 1/3, 2/3)",
            mixed.GetProperty("Verdict").GetString(),
            StringComparison.Ordinal
        );
    }

    private void AssertMergedAndFinished(string[] merge, int shards)
    {
        var (exit, output) = Run(merge);
        Assert.True(exit == ExitCodes.NoBug, output);
        var merged = Outcome(After(merge, "-o"));
        Assert.Equal(
            string.Join(",", Enumerable.Range(0, shards).Select(i => $"{i}/{shards}")),
            merged.GetProperty("Shard").GetString()
        );
        Assert.Equal("Exhaustive", merged.GetProperty("End").GetString());
        Assert.True(merged.GetProperty("Exhausted").GetBoolean());
        Assert.StartsWith(
            "exhaustive: every schedule up to ",
            merged.GetProperty("Verdict").GetString(),
            StringComparison.Ordinal
        );
        Assert.Contains("exhaustive: every schedule up to ", output, StringComparison.Ordinal);
    }

    private JsonElement Merged(params string[] reports)
    {
        var output = Path.Combine(_directory, $"merged-{Guid.NewGuid():N}.json");
        var (exit, text) = Run(["merge", .. reports, "-o", output]);
        Assert.True(exit == ExitCodes.NoBug, text);
        return Outcome(output);
    }

    private static JsonElement Outcome(string report) =>
        Assert.Single(JsonDocument.Parse(File.ReadAllText(report)).RootElement.EnumerateArray());

    private static string After(IReadOnlyList<string> arguments, string option)
    {
        var at = arguments.ToList().IndexOf(option);
        Assert.True(
            at >= 0 && at + 1 < arguments.Count,
            $"no {option} in {string.Join(" ", arguments)}"
        );
        return arguments[at + 1];
    }

    private static string[] Words(string line) =>
        line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static (int Exit, string Output) Run(params string[] args)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(
            new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(writer),
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
            }
        );
        console.Profile.Width = 250;
        var exit = Pool.Explorer.CommandLine.Run(args, console);
        return (exit, writer.ToString());
    }

    [GeneratedRegex(@"^\s*completions:\s*(\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex CompletionsLine();

    [GeneratedRegex(@"^\s*mountPath:\s*(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex MountLine();

    [GeneratedRegex(
        @"^\s*command:\s*\[""pool-explore""\]\s*\n\s*args:\s*(\[.*\])\s*$",
        RegexOptions.Multiline
    )]
    private static partial Regex ToolArgsLine();

    [GeneratedRegex(@"^\s*shard:\s*\[([^\]]*)\]\s*$", RegexOptions.Multiline)]
    private static partial Regex MatrixLine();

    [GeneratedRegex(@"^\s*-?\s*run:\s*pool-explore\s+(.*?)\s*$", RegexOptions.Multiline)]
    private static partial Regex ToolRunLine();
}
