using Coyote.MutationReport;
using Xunit.Abstractions;

namespace Coyote.Tests.Mutation;

/// <summary>
/// Every mutant (a patch of the product, tests/Coyote/Mutants) must be killed by its scenario under both engines
/// within the CI budget, with the CI seed, and by its F# conformance fact where it has one; a mutant whose catalogue
/// entry gives a <see cref="MutantKill.CoyoteMissReason"/> only by the explorer (the reason is printed). Each mutant is applied
/// to a copy and built outside the repository (<see cref="MutantWorkspace"/>); the shipped product carries none.
/// </summary>
public class MutantTests(ITestOutputHelper output)
{
    private const int CiBudget = 2000;

    public static TheoryData<string> Mutants() => [.. MutantCatalogue.All.Select(k => k.Mutant)];

    [Theory]
    [MemberData(nameof(Mutants))]
    public void BothEnginesKillTheMutant(string mutant)
    {
        var workspace = MutantWorkspace.Prepare(MutantCatalogue.Named(mutant));
        if (workspace.Kill.CoyoteSkipped is { } reason)
        {
            output.WriteLine($"coyote: not run, {reason}");
        }
        foreach (var engine in workspace.Kill.Engines)
        {
            var result = workspace.KillWith(engine, seed: 1, CiBudget);
            output.WriteLine(
                $"{engine}: killed {result.Killed} at iteration {result.Iterations} in {result.Seconds:F2} s: {result.Message}"
            );
            Assert.True(
                result.Killed,
                $"{mutant} survived {result.Iterations} iterations of {workspace.Kill.Scenario} under {engine}"
            );
        }
        if (workspace.Kill.Property is not null)
        {
            var (killed, text) = workspace.KillWithProperty();
            Assert.True(
                killed,
                $"the F# fact '{workspace.Kill.Property}' passed on {mutant}:\n{text}"
            );
        }
    }

    [Fact]
    public void EveryPatchIsCataloguedAndEveryCataloguedMutantHasAPatch()
    {
        var folder = Path.Combine(MutantWorkspace.RepositoryRoot, "tests", "Coyote", "Mutants");
        var patches = Directory
            .EnumerateFiles(folder, "*.patch")
            .Select(Path.GetFileNameWithoutExtension)
            .Order();
        Assert.Equal(MutantCatalogue.All.Select(k => k.Mutant).Order(), patches);
    }

    [Fact]
    public void TheShippedProductCarriesNoMutant()
    {
        var product = Path.Combine(MutantWorkspace.RepositoryRoot, "src", "Pool.CSharp");
        var carriers = Directory
            .EnumerateFiles(product, "*.cs", SearchOption.AllDirectories)
            .Where(f =>
                !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
            )
            .Where(f => File.ReadAllText(f).Contains("Mutant", StringComparison.OrdinalIgnoreCase))
            .ToList();
        Assert.Empty(carriers);
    }
}
