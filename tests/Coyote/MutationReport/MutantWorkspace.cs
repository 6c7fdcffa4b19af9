namespace Coyote.MutationReport;

/// <summary>
/// A mutant built for both engines, outside the repository: a copy of the product's sources with the mutant's patch
/// applied and built; a copy of this program's build output with that product in it, rewritten by Coyote, where a
/// <c>kill</c> run explores the scenario; and a copy of the F# properties' output with the same product. The
/// repository's own sources and build outputs are never changed.
/// </summary>
internal sealed class MutantWorkspace
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(10);

    private MutantWorkspace(MutantKill kill, string root, string runner, string properties)
    {
        Kill = kill;
        Root = root;
        Runner = runner;
        Properties = properties;
    }

    internal MutantKill Kill { get; }

    /// <summary>The workspace folder (under the system's temporary folder, in this process's own folder).</summary>
    internal string Root { get; }

    /// <summary>This program, with the mutated product beside it, rewritten for Coyote.</summary>
    internal string Runner { get; }

    /// <summary>The F# properties' program folder (tests/Properties' build output), with the mutated product beside it.</summary>
    internal string Properties { get; }

    /// <summary>The repository this program was built from (the folder holding Pool.sln).</summary>
    internal static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string Configuration =>
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    /// <summary>Patches, builds and lays out the mutant; throws with the tool's output if a step fails.</summary>
    internal static MutantWorkspace Prepare(MutantKill kill)
    {
        var repository = RepositoryRoot;
        var root = Path.Combine(ProcessFolder.Value, kill.Mutant);
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
        var tree = Path.Combine(root, "tree");
        CopyProductSources(repository, tree);
        // The tree is outside any git repository, so git apply patches exactly these files.
        Expect(
            "git",
            ["apply", Path.Combine(repository, kill.PatchPath)],
            tree,
            $"apply {kill.PatchPath}"
        );
        var project = Path.Combine(tree, "src", "Pool.CSharp", "Pool.CSharp.csproj");
        ReuseRestore(tree);
        Expect(
            "dotnet",
            ["build", project, "-c", Configuration, "--nologo", "-v", "q", "--no-restore"],
            tree,
            $"build the {kill.Mutant} product"
        );
        var product = Path.Combine(tree, "src", "Pool.CSharp", "bin", Configuration, "net10.0");

        var runner = Path.Combine(root, "runner");
        CopyTree(
            Path.Combine(
                repository,
                "tests",
                "Coyote",
                "MutationReport",
                "bin",
                Configuration,
                "net10.0"
            ),
            runner
        );
        CopyProduct(product, runner);
        Expect(
            "dotnet",
            ["tool", "run", "coyote", "rewrite", Path.Combine(runner, "rewrite.coyote.json")],
            repository,
            "rewrite the mutant for Coyote (run 'dotnet tool restore' first)"
        );

        var properties = Path.Combine(root, "properties");
        CopyTree(
            Path.Combine(repository, "tests", "Properties", "bin", Configuration, "net10.0"),
            properties
        );
        CopyProduct(product, properties);
        return new MutantWorkspace(kill, root, runner, properties);
    }

    /// <summary>Explores the mutant's scenario in a child process on <paramref name="engine"/>.</summary>
    internal KillResult KillWith(string engine, uint seed, int budget)
    {
        var (exitCode, output) = ChildProcess.Run(
            "dotnet",
            [
                Path.Combine(Runner, "Coyote.MutationReport.dll"),
                "kill",
                Kill.Mutant,
                engine,
                seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
                budget.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ],
            Runner,
            RunTimeout
        );
        return exitCode == 0 && KillResult.FromOutput(output) is { } result
            ? result
            : throw new InvalidOperationException(
                $"The {engine} run of {Kill.Mutant} failed to run (exit code {exitCode}):\n{output}"
            );
    }

    /// <summary>
    /// Runs the mutant's F# conformance fact on the mutated product (the Expecto program of tests/Properties,
    /// filtered to the one test whose name contains the fact): true if it failed (the mutant is killed).
    /// </summary>
    /// <exception cref="InvalidOperationException">The mutant has no such fact, or not exactly one test ran.</exception>
    internal (bool Killed, string Output) KillWithProperty()
    {
        var fact =
            Kill.Property
            ?? throw new InvalidOperationException($"{Kill.Mutant} has no F# conformance fact.");
        var (exitCode, output) = ChildProcess.Run(
            "dotnet",
            [
                Path.Combine(Properties, "Properties.dll"),
                "--filter-test-case",
                fact,
                "--summary",
                "--colours",
                "0",
                "--no-spinner",
            ],
            Properties,
            RunTimeout
        );
        // Expecto's closing line: "EXPECTO! 1 tests run in 00:00:00.29 for <name> – 0 passed, 0 ignored, 1 failed, 0 errored."
        var summary = System.Text.RegularExpressions.Regex.Match(
            output,
            @"EXPECTO! ([\d,]+) tests run in .* (\d+) passed, (\d+) ignored, (\d+) failed, (\d+) errored"
        );
        if (!summary.Success || summary.Groups[1].Value != "1")
        {
            throw new InvalidOperationException(
                $"The filter '{fact}' must select exactly one F# fact (exit code {exitCode}):\n{output}"
            );
        }
        // One test ran: it failed an expectation, or threw.
        var failed = summary.Groups[4].Value == "1" || summary.Groups[5].Value == "1";
        return (exitCode != 0 && failed, output);
    }

    /// <summary>
    /// This process's folder for its workspaces, under the system's temporary folder, named by the process id: runs
    /// of the mutation tests or of this program in other processes (another checkout's CI, say) never touch it.
    /// Folders of processes that have ended are removed first.
    /// </summary>
    private static readonly Lazy<string> ProcessFolder = new(() =>
    {
        var all = Path.Combine(Path.GetTempPath(), "pool-mutants");
        if (Directory.Exists(all))
        {
            foreach (var folder in Directory.EnumerateDirectories(all))
            {
                if (
                    int.TryParse(Path.GetFileName(folder), out var id)
                    && id != Environment.ProcessId
                    && !IsRunning(id)
                )
                {
                    try
                    {
                        Directory.Delete(folder, recursive: true);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        // Another process is removing it too, or it is not ours: leave it.
                    }
                }
            }
        }
        return Path.Combine(
            all,
            Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)
        );
    });

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
    }

    /// <summary>
    /// The restore outputs (obj/) of a pristine copy of the product, restored from its lock file once per process,
    /// in a folder of this process's own. Every mutant's copy has the same project and packages, so these serve it
    /// too, and its build skips restoring. They are never read from the repository's obj/, which a build or pack
    /// of the product in another process may be rewriting meanwhile.
    /// </summary>
    private static readonly Lazy<string> Restored = new(RestorePristineCopy);

    private static string RestorePristineCopy()
    {
        var tree = Path.Combine(ProcessFolder.Value, ".restore");
        if (Directory.Exists(tree))
        {
            Directory.Delete(tree, recursive: true);
        }
        CopyProductSources(RepositoryRoot, tree);
        Expect(
            "dotnet",
            [
                "restore",
                Path.Combine(tree, "src", "Pool.CSharp", "Pool.CSharp.csproj"),
                "--locked-mode",
                "--nologo",
                "-v",
                "q",
            ],
            tree,
            "restore a copy of the product"
        );
        return Path.Combine(tree, "src", "Pool.CSharp", "obj");
    }

    private static void ReuseRestore(string tree)
    {
        var obj = Path.Combine(tree, "src", "Pool.CSharp", "obj");
        Directory.CreateDirectory(obj);
        foreach (var file in Directory.EnumerateFiles(Restored.Value))
        {
            var name = Path.GetFileName(file);
            if (name == "project.assets.json" || name.Contains(".nuget.", StringComparison.Ordinal))
            {
                File.Copy(file, Path.Combine(obj, name));
            }
        }
    }

    /// <summary>The product's sources (without bin/ and obj/) and the build files above them, into <paramref name="tree"/>.</summary>
    private static void CopyProductSources(string repository, string tree)
    {
        CopyTree(
            Path.Combine(repository, "src", "Pool.CSharp"),
            Path.Combine(tree, "src", "Pool.CSharp")
        );
        foreach (
            var file in new[] { "Directory.Build.props", "Directory.Packages.props", "global.json" }
        )
        {
            File.Copy(Path.Combine(repository, file), Path.Combine(tree, file));
        }
    }

    private static void CopyProduct(string product, string destination)
    {
        foreach (var file in new[] { "Pool.ThreadPool.dll", "Pool.ThreadPool.pdb" })
        {
            File.Copy(
                Path.Combine(product, file),
                Path.Combine(destination, file),
                overwrite: true
            );
        }
    }

    private static void Expect(string tool, string[] arguments, string directory, string step)
    {
        var (exitCode, output) = ChildProcess.Run(tool, arguments, directory, BuildTimeout);
        if (exitCode != 0)
        {
            throw new InvalidOperationException(
                $"Could not {step} (exit code {exitCode}):\n{output}"
            );
        }
    }

    private static void CopyTree(string source, string destination)
    {
        foreach (
            var directory in Directory.EnumerateDirectories(
                source,
                "*",
                SearchOption.AllDirectories
            )
        )
        {
            var relative = Path.GetRelativePath(source, directory);
            if (!IsBuildOutput(relative))
            {
                Directory.CreateDirectory(Path.Combine(destination, relative));
            }
        }
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (!IsBuildOutput(relative))
            {
                File.Copy(file, Path.Combine(destination, relative));
            }
        }
    }

    // The product's sources are copied without their bin and obj folders; output folders have none.
    private static bool IsBuildOutput(string relative)
    {
        var first = relative.Split(Path.DirectorySeparatorChar)[0];
        return first is "bin" or "obj";
    }

    private static string FindRepositoryRoot()
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
        throw new InvalidOperationException(
            $"No Pool.sln above {AppContext.BaseDirectory}: run this program from the repository's build output."
        );
    }
}
