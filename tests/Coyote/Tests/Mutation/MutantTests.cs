using Coyote.MutationReport;
using Pool.Systematic;
using Xunit.Abstractions;

namespace Coyote.Tests.Mutation;

/// <summary>
/// Every mutant (a patch of the product, tests/Coyote/Mutants) must be killed by its scenario under both engines
/// within the CI budget, with the CI seed, by the bug its catalogue entry names (<see cref="MutantKill.KilledBy"/>),
/// and by its F# conformance fact where it has one; a mutant whose catalogue entry gives a
/// <see cref="MutantKill.CoyoteMissReason"/> only by the explorer (the reason is printed). Each mutant is applied
/// to a copy and built outside the repository (<see cref="MutantWorkspace"/>); the shipped product carries none.
/// The clean product runs every killing scenario with the same budget, seed and options, and must pass: a kill is
/// then the mutant's doing, not a bug the clean product would show at the same iteration.
/// </summary>
public class MutantTests(ITestOutputHelper output)
{
    private const int CiBudget = 2000;

    /// <summary>Every mutant that some engine must kill within the CI budget.</summary>
    public static TheoryData<string> Mutants() =>
        [.. MutantCatalogue.All.Where(k => k.Engines.Count > 0).Select(k => k.Mutant)];

    /// <summary>
    /// Each distinct killing scenario (with its memory model), under each sampling engine that kills a mutant with it
    /// (the clean product's bounded proofs, dpor's searches, are <see cref="Engine.BoundedProofTests"/>).
    /// </summary>
    public static TheoryData<string, MemoryModel, string> KillingScenarios()
    {
        var data = new TheoryData<string, MemoryModel, string>();
        foreach (
            var (scenario, memoryModel, engine) in MutantCatalogue
                .All.SelectMany(k =>
                    k.Engines.Where(e => e != "dpor").Select(e => (k.Scenario, k.MemoryModel, e))
                )
                .Distinct()
                .OrderBy(r => r.Scenario, StringComparer.Ordinal)
                .ThenBy(r => r.MemoryModel)
                .ThenBy(r => r.e, StringComparer.Ordinal)
        )
        {
            data.Add(scenario, memoryModel, engine);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Mutants))]
    public void BothEnginesKillTheMutant(string mutant)
    {
        var workspace = MutantWorkspace.Prepare(MutantCatalogue.Named(mutant));
        var kill = workspace.Kill;
        if (kill.CoyoteSkipped is { } reason)
        {
            output.WriteLine($"coyote: not run, {reason}");
        }
        foreach (var engine in kill.Engines)
        {
            var result = workspace.KillWith(engine, seed: 1, CiBudget);
            output.WriteLine(
                $"{engine}: killed {result.Killed} at iteration {result.Iterations} in {result.Seconds:F2} s: {result.Message}"
            );
            Assert.True(
                result.Killed,
                $"{mutant} survived {result.Iterations} iterations of {(engine == "dpor" ? kill.Proof!.Scenario : kill.Scenario)} under {engine}: {result.Message}"
            );
            Assert.True(
                kill.IsItsKill(engine, result.Message),
                $"{mutant} was killed under {engine} by another bug than '{kill.KilledUnder(engine)}': {result.Message}"
            );
        }
        if (kill.Property is not null)
        {
            var (killed, text) = workspace.KillWithProperty();
            Assert.True(killed, $"the F# fact '{kill.Property}' passed on {mutant}:\n{text}");
        }
    }

    /// <summary>
    /// The clean product (this assembly's, rewritten for Coyote) passes each killing scenario with the mutants'
    /// budget, seed and memory model, through the same run as a mutant's kill (<see cref="KillRun"/>).
    /// </summary>
    [Theory]
    [MemberData(nameof(KillingScenarios))]
    public void TheCleanProductPassesTheKillingScenarioWithTheMutantsBudget(
        string scenario,
        MemoryModel memoryModel,
        string engine
    )
    {
        var kill = MutantCatalogue.All.First(k =>
            k.Scenario == scenario && k.MemoryModel == memoryModel
        );
        var result = KillRun.Run(kill, engine, seed: 1, CiBudget);
        output.WriteLine(
            $"{engine}: {result.Iterations} iterations in {result.Seconds:F2} s {result.Message}"
        );
        Assert.False(result.Killed, $"the clean product failed {scenario}: {result.Message}");
        Assert.Equal(CiBudget, result.Iterations);
    }

    /// <summary>
    /// Every mutant has an engine that must kill it; one that none could kill within the CI budget would have to say why,
    /// for each engine.
    /// </summary>
    [Fact]
    public void EveryMutantHasAnEngineThatMustKillIt()
    {
        var unkilled = MutantCatalogue.All.Where(k => k.Engines.Count == 0).ToList();
        Assert.All(
            unkilled,
            k =>
                Assert.True(
                    k.SamplingMissReason is { Length: > 0 } && k.DporMissReason is { Length: > 0 },
                    $"{k.Mutant} is killed by no engine and does not say why"
                )
        );
        Assert.Empty(unkilled.Select(k => k.Mutant));
    }

    [Fact]
    public void EveryMutantNamesTheBugThatMustKillIt()
    {
        Assert.Empty(MutantCatalogue.All.Where(k => k.KilledBy.Length == 0).Select(k => k.Mutant));
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
