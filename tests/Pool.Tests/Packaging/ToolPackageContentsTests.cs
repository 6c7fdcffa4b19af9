using System.IO.Compression;

namespace Pool.Tests.Packaging;

/// <summary>
/// The <c>pool-explore</c> tool package carries the tool, the product, the engine and the built-in scenarios, and
/// nothing of the test side: no Microsoft Coyote (the second engine lives under tests/Coyote), nor what Coyote brings
/// (Mono.Cecil, Application Insights, ASP.NET Core abstractions, xunit). Packs the solution's Release build of
/// src/Pool.Explorer (<c>dotnet pack --no-build</c>: build the solution first, as scripts/test.sh does) into a
/// folder of its own and lists the package's assemblies.
/// </summary>
public sealed class ToolPackageContentsTests : IDisposable
{
    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(5);

    private static readonly string[] Forbidden =
    [
        "Microsoft.Coyote",
        "Mono.Cecil",
        "Microsoft.ApplicationInsights",
        "Microsoft.AspNetCore",
        "xunit",
    ];

    private readonly string _root = Directory.CreateTempSubdirectory("pool-tool-package-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void TheToolPackageCarriesNoTestSideAssembly()
    {
        var assemblies = ToolAssemblies();

        // The package is the tool: its own assembly and the built-in scenarios are in it.
        Assert.Contains("pool-explore.dll", assemblies);
        Assert.Contains("Pool.Scenarios.dll", assemblies);
        var unwanted = assemblies
            .Where(a => Forbidden.Any(f => a.StartsWith(f, StringComparison.OrdinalIgnoreCase)))
            .ToList();
        Assert.True(
            unwanted.Count == 0,
            $"the pool-explore package carries {string.Join(", ", unwanted)}"
        );
    }

    /// <summary>The file names of the .dll entries of the packed tool.</summary>
    private List<string> ToolAssemblies()
    {
        var output = Path.Combine(_root, "out");
        var (exitCode, printed) = ChildProcess.Run(
            "dotnet",
            [
                "pack",
                "src/Pool.Explorer",
                "-c",
                "Release",
                "--no-build",
                "-o",
                output,
                // The generated .nuspec goes here too, not to the project's obj folder (another test packs from it).
                $"-p:NuspecOutputPath={Path.Combine(_root, "nuspec")}{Path.DirectorySeparatorChar}",
                "-nologo",
            ],
            ChildProcess.RepositoryRoot,
            PackTimeout
        );
        Assert.True(
            exitCode == 0,
            $"could not pack src/Pool.Explorer (build the solution in Release first):\n{printed}"
        );
        var package = Directory
            .GetFiles(output, "pool-explore.*.nupkg")
            .Single(p => !p.EndsWith(".symbols.nupkg", StringComparison.Ordinal));
        using var archive = ZipFile.OpenRead(package);
        return
        [
            .. archive
                .Entries.Where(e => e.Name.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
                .Select(e => e.Name),
        ];
    }
}
