using System.Xml.Linq;

namespace Pool.Tests.Packaging;

/// <summary>
/// The xunit package as a user meets it: <c>scripts/pack.sh</c> packs the packages; a fresh xunit v3 test project
/// outside the repository, whose only package sources are that folder and the feed the repository restores from,
/// references Pool.Systematic.Xunit and writes one <c>[SystematicFact]</c> with a planted lost update and one with its
/// fix; <c>dotnet test --logger trx</c> runs them. The TRX file must show the planted one failed with the bug and the
/// replay line in its message and the trace and the HTML timeline attached, and the fixed one passed.
/// </summary>
public sealed class XunitConsumerTests : IDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(8);
    private readonly string _root = Directory
        .CreateTempSubdirectory("pool-xunit-consumer-")
        .FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void APlantedLostUpdateFailsInDotnetTestWithItsReplayLineAndTwoAttachments()
    {
        var packages = Path.Combine(_root, "packages");
        Expect(
            Run("bash", ["scripts/pack.sh", packages], ChildProcess.RepositoryRoot, asUser: false),
            "pack"
        );
        var version = Path.GetFileNameWithoutExtension(
            Directory.GetFiles(packages, "Pool.Systematic.Xunit.*.nupkg").Single()
        )["Pool.Systematic.Xunit.".Length..];

        var scratch = Path.Combine(_root, "scratch");
        Directory.CreateDirectory(scratch);
        File.WriteAllText(Path.Combine(scratch, "nuget.config"), NugetConfig(packages, Feeds()));
        File.WriteAllText(
            Path.Combine(scratch, "Scratch.Tests.csproj"),
            $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Microsoft.NET.Test.Sdk" Version="{RepositoryVersionOf(
                "Microsoft.NET.Test.Sdk"
            )}" />
                <PackageReference Include="xunit.v3" Version="{RepositoryVersionOf("xunit.v3")}" />
                <PackageReference Include="xunit.runner.visualstudio" Version="{RepositoryVersionOf(
                "xunit.runner.visualstudio"
            )}" />
                <PackageReference Include="Pool.Systematic.Xunit" Version="{version}" />
              </ItemGroup>
            </Project>
            """
        );
        File.WriteAllText(Path.Combine(scratch, "CounterTests.cs"), UserTests);

        var results = Path.Combine(_root, "results");
        var run = Run(
            "dotnet",
            [
                "test",
                "-c",
                "Release",
                "--logger",
                "trx;LogFileName=user.trx",
                "--results-directory",
                results,
            ],
            scratch
        );
        Assert.True(
            run.ExitCode == 1,
            $"dotnet test must fail the planted test (exit 1):\n{run.Output}"
        );

        var trx = XDocument.Load(Path.Combine(results, "user.trx"));
        var outcomes = trx.Descendants()
            .Where(e => e.Name.LocalName == "UnitTestResult")
            .ToDictionary(e => e.Attribute("testName")!.Value);
        Assert.Equal(["CounterTests.Fixed", "CounterTests.Planted"], outcomes.Keys.Order());
        Assert.Equal("Passed", outcomes["CounterTests.Fixed"].Attribute("outcome")!.Value);

        var planted = outcomes["CounterTests.Planted"];
        Assert.Equal("Failed", planted.Attribute("outcome")!.Value);
        var message = planted.Descendants().Single(e => e.Name.LocalName == "Message").Value;
        Assert.Contains("Bug in CounterTests.Planted (Exception): ", message);
        Assert.Contains("lost update", message);
        Assert.Contains("strategy pct, seed 1, memory model sc", message);
        Assert.Contains(
            "replay: POOL_EXPLORE_REPLAY=",
            message.Split('\n').Single(l => l.Contains("replay: ", StringComparison.Ordinal))
        );
        Assert.Contains(
            "dotnet test --filter \"FullyQualifiedName=CounterTests.Planted\"",
            message
        );

        var attached = planted
            .Descendants()
            .Where(e => e.Name.LocalName == "ResultFile")
            .Select(e => Path.GetFileName(e.Attribute("path")!.Value))
            .Order()
            .ToList();
        Assert.Equal(["CounterTests.Planted.html", "CounterTests.Planted.trace.txt"], attached);
        var trace = Directory.GetFiles(
            results,
            "CounterTests.Planted.trace.txt",
            SearchOption.AllDirectories
        );
        Assert.StartsWith("pool-trace/1:", File.ReadAllText(Assert.Single(trace)));
        var html = Directory.GetFiles(
            results,
            "CounterTests.Planted.html",
            SearchOption.AllDirectories
        );
        Assert.Contains("lost update", File.ReadAllText(Assert.Single(html)));
    }

    private const string UserTests = """
        using Pool.Systematic.Xunit;
        using Pool.Threading;

        public class CounterTests
        {
            [SystematicFact(Iterations = 500, Strategy = "pct", Seed = 1)]
            public static void Planted(IThreading threading) => Increment(threading, locked: false);

            [SystematicFact(Iterations = 500, Strategy = "pct", Seed = 1)]
            public static void Fixed(IThreading threading) => Increment(threading, locked: true);

            private static void Increment(IThreading threading, bool locked)
            {
                var counter = threading.CreateAtomic();
                var gate = threading.CreateLock();
                void Add()
                {
                    if (locked) gate.Enter();
                    counter.Write(counter.Read() + 1);
                    if (locked) gate.Exit();
                }
                var a = threading.Start(Add, "a");
                var b = threading.Start(Add, "b");
                a.Join();
                b.Join();
                if (counter.Read() != 2) throw new InvalidOperationException("lost update");
            }
        }
        """;

    /// <summary>The package feeds the repository restores from (its NuGet configuration's enabled sources).</summary>
    private static List<string> Feeds()
    {
        var list = Run(
            "dotnet",
            ["nuget", "list", "source", "--format", "short"],
            ChildProcess.RepositoryRoot,
            StepTimeout
        );
        Assert.True(list.ExitCode == 0, $"could not list the package sources:\n{list.Output}");
        var feeds = list
            .Output.Split('\n', StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith("E ", StringComparison.Ordinal))
            .Select(l => l[2..].Trim())
            .ToList();
        Assert.NotEmpty(feeds);
        return feeds;
    }

    private static string NugetConfig(string packages, IReadOnlyList<string> feeds) =>
        $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{packages}" />
            {string.Concat(
                feeds.Select((feed, i) => $"    <add key=\"feed{i}\" value=\"{feed}\" />\n")
            )}  </packageSources>
            </configuration>
            """;

    /// <summary>The version the repository pins for <paramref name="id"/> (Directory.Packages.props).</summary>
    private static string RepositoryVersionOf(string id) =>
        XDocument
            .Load(Path.Combine(ChildProcess.RepositoryRoot, "Directory.Packages.props"))
            .Descendants("PackageVersion")
            .Single(e => e.Attribute("Include")!.Value == id)
            .Attribute("Version")!
            .Value;

    private static (int ExitCode, string Output) Run(
        string file,
        string[] arguments,
        string directory,
        TimeSpan timeout
    ) => ChildProcess.Run(file, arguments, directory, timeout);

    private (int ExitCode, string Output) Run(
        string file,
        string[] arguments,
        string directory,
        bool asUser = true
    ) =>
        ChildProcess.Run(
            file,
            arguments,
            directory,
            StepTimeout,
            // A package cache and a CLI home of its own: a package of the same version packed earlier must not be
            // reused, and the user's run must leave the repository's caches alone.
            asUser
                ? new Dictionary<string, string>
                {
                    ["NUGET_PACKAGES"] = Path.Combine(_root, "nuget-cache"),
                    ["DOTNET_CLI_HOME"] = Path.Combine(_root, "cli-home"),
                }
                : null
        );

    private static void Expect((int ExitCode, string Output) result, string step) =>
        Assert.True(result.ExitCode == 0, $"could not {step}:\n{result.Output}");
}
