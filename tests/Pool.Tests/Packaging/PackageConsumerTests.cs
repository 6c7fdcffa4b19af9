using System.IO.Compression;
using System.Xml.Linq;

namespace Pool.Tests.Packaging;

/// <summary>
/// A user's first hour, from the packages only: <c>scripts/pack.sh</c> packs the libraries and the tool; a scratch
/// project outside the repository, whose only NuGet source is that folder (with the packages' own dependencies copied
/// into it from the package cache the repository restored into), references Pool.ThreadPool and
/// Pool.Systematic, schedules tasks on the pool, and runs a <c>[SystematicTest]</c> of its own with
/// <c>dotnet pool-explore</c> installed from the package into a tool manifest: exit 1 and a trace for a planted bug,
/// exit 0 for its fix.
/// </summary>
public sealed class PackageConsumerTests : IDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(8);
    private readonly string _root = Directory.CreateTempSubdirectory("pool-consumer-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void AUserBuildsRunsAndExploresWithThePackagesAlone()
    {
        var packages = Path.Combine(_root, "packages");
        // Packed with the repository's own package cache: the scratch user's cache below must not leak into the
        // repository's restore outputs (other tests build from them).
        Expect(
            Run("bash", ["scripts/pack.sh", packages], ChildProcess.RepositoryRoot, asUser: false),
            "pack"
        );
        var cache = Run(
            "dotnet",
            ["nuget", "locals", "global-packages", "--list"],
            ChildProcess.RepositoryRoot,
            asUser: false
        );
        Expect(cache, "find the package cache");
        CopyDependencies(packages, cache.Output.Trim()["global-packages:".Length..].Trim());
        var version = Path.GetFileNameWithoutExtension(
            Directory.GetFiles(packages, "Pool.ThreadPool.*.nupkg").Single()
        )["Pool.ThreadPool.".Length..];

        var scratch = Path.Combine(_root, "scratch");
        Directory.CreateDirectory(scratch);
        File.WriteAllText(
            Path.Combine(scratch, "nuget.config"),
            $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{packages}" />
              </packageSources>
            </configuration>
            """
        );
        File.WriteAllText(
            Path.Combine(scratch, "Scratch.csproj"),
            $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Pool.ThreadPool" Version="{version}" />
                <PackageReference Include="Pool.Systematic" Version="{version}" />
              </ItemGroup>
            </Project>
            """
        );
        File.WriteAllText(
            Path.Combine(scratch, "Program.cs"),
            """
            var pool = new Pool.ThreadPool(2);
            var done = 0;
            for (var i = 0; i < 100; i++)
            {
                pool.Schedule(() => Interlocked.Increment(ref done));
            }
            var handedBack = 0;
            pool.Destroy(_ => handedBack++);
            Console.WriteLine($"accounted for: {done + handedBack}");
            """
        );
        WriteUserTest(scratch, planted: true);

        Expect(Run("dotnet", ["build", "-c", "Release"], scratch), "build the scratch project");
        var run = Run("dotnet", ["run", "-c", "Release", "--no-build"], scratch);
        Expect(run, "run the scratch project");
        Assert.Contains("accounted for: 100", run.Output);

        Expect(Run("dotnet", ["new", "tool-manifest"], scratch), "create a tool manifest");
        Expect(
            Run("dotnet", ["tool", "install", "pool-explore", "--version", version], scratch),
            "install pool-explore from the package"
        );
        var assembly = Path.Combine(scratch, "bin", "Release", "net10.0", "Scratch.dll");
        var output = Path.Combine(scratch, "explore-out");
        string[] explore =
        [
            "tool",
            "run",
            "pool-explore",
            "test",
            assembly,
            "-m",
            "Counter",
            "-i",
            "500",
            "-o",
            output,
        ];
        var buggy = Run("dotnet", explore, scratch);
        Assert.True(buggy.ExitCode == 1, $"the planted bug must exit 1:\n{buggy.Output}");
        Assert.Contains("lost update", buggy.Output);
        Assert.NotEmpty(Directory.GetFiles(output, "*.trace"));

        WriteUserTest(scratch, planted: false);
        Expect(Run("dotnet", ["build", "-c", "Release"], scratch), "build the fix");
        var fixedRun = Run("dotnet", explore, scratch);
        Assert.True(fixedRun.ExitCode == 0, $"the fix must exit 0:\n{fixedRun.Output}");
    }

    /// <summary>
    /// Copies the dependencies that the packages in <paramref name="folder"/> declare (Pool.ThreadPool's logging
    /// abstractions, say), and theirs in turn, from the package cache <paramref name="cache"/> into the folder: the
    /// scratch user's only source, as a user's feed would serve them.
    /// </summary>
    private static void CopyDependencies(string folder, string cache)
    {
        var pending = new Queue<string>(Directory.GetFiles(folder, "*.nupkg"));
        while (pending.TryDequeue(out var package))
        {
            using var archive = ZipFile.OpenRead(package);
            var nuspec = archive.Entries.Single(e =>
                e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)
            );
            using var stream = nuspec.Open();
            foreach (var dependency in DependenciesForNet10(XDocument.Load(stream)))
            {
                var id = dependency.Attribute("id")!.Value.ToLowerInvariant();
                var version = dependency
                    .Attribute("version")!
                    .Value.Trim('[', ']', '(', ')')
                    .Split(',')[0]
                    .Trim();
                var target = Path.Combine(folder, $"{id}.{version}.nupkg");
                if (
                    File.Exists(target)
                    || Directory
                        .GetFiles(
                            folder,
                            $"{id}.{version}.nupkg",
                            new EnumerationOptions { MatchCasing = MatchCasing.CaseInsensitive }
                        )
                        .Length > 0
                )
                {
                    continue; // ours (Pool.ThreadPool for Pool.Systematic), or copied already
                }
                var cached = Path.Combine(cache, id, version, $"{id}.{version}.nupkg");
                Assert.True(
                    File.Exists(cached),
                    $"dependency {id} {version} is not in the package cache {cache}"
                );
                File.Copy(cached, target);
                pending.Enqueue(target);
            }
        }
    }

    /// <summary>The dependencies a net10.0 project takes from a nuspec: its nearest group (net10.0, an older .NET, then
    /// .NET Standard), or the ungrouped ones.</summary>
    private static IEnumerable<XElement> DependenciesForNet10(XDocument nuspec)
    {
        var elements = nuspec.Descendants().ToList();
        var groups = elements.Where(e => e.Name.LocalName == "group").ToList();
        if (groups.Count == 0)
        {
            return elements.Where(e => e.Name.LocalName == "dependency");
        }
        static int Rank(string? framework) =>
            framework?.ToLowerInvariant() switch
            {
                null => 0,
                var f
                    when f.StartsWith("net", StringComparison.Ordinal)
                        && int.TryParse(f[3..].Split('.')[0], out var major)
                        && major is >= 5 and <= 10 => 100 + major,
                ".netstandard2.1" or "netstandard2.1" => 21,
                ".netstandard2.0" or "netstandard2.0" => 20,
                _ => -1, // .NET Framework and the like: not for net10.0
            };
        var best = groups.MaxBy(g => Rank(g.Attribute("targetFramework")?.Value))!;
        return Rank(best.Attribute("targetFramework")?.Value) < 0
            ? []
            : best.Elements().Where(e => e.Name.LocalName == "dependency");
    }

    private static void WriteUserTest(string scratch, bool planted) =>
        File.WriteAllText(
            Path.Combine(scratch, "UserTests.cs"),
            $$"""
            using Pool.Systematic;
            using Pool.Threading;

            public static class UserTests
            {
                [SystematicTest]
                public static void Counter(IThreading threading)
                {
                    var counter = threading.CreateAtomic();
                    var gate = threading.CreateLock();
                    void Increment()
                    {
                        {{(planted ? "" : "gate.Enter();")}}
                        counter.Write(counter.Read() + 1);
                        {{(planted ? "" : "gate.Exit();")}}
                    }
                    var a = threading.Start(Increment, "a");
                    var b = threading.Start(Increment, "b");
                    a.Join();
                    b.Join();
                    if (counter.Read() != 2)
                    {
                        throw new InvalidOperationException("lost update");
                    }
                }
            }
            """
        );

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
            // A package cache of its own: a package of the same version packed earlier must not be reused. And a CLI
            // home of its own: the SDK's tool resolver cache there remembers where a local tool was found, and would
            // point a later run at an earlier run's (deleted) package cache.
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
