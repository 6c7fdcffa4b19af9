using Coyote.MutationReport;

namespace Coyote.Tests.CommandLine;

/// <summary>scripts/coyote.sh as a user runs it: exit codes and what it prints.</summary>
public class CoyoteScriptTests
{
    // A bound for a hung script, not a speed check: a run builds the scenarios in the script's own build folder
    // (a full build the first time) while the rest of the suite runs beside it. Under scripts/test.sh's hang time-out
    // (8 minutes a test), so that this bound, which keeps what the script printed, fires first.
    private static (int Exit, string Output) Run(params string[] args) =>
        ChildProcess.Run(
            "bash",
            ["scripts/coyote.sh", .. args],
            MutantWorkspace.RepositoryRoot,
            TimeSpan.FromMinutes(7)
        );

    [Fact]
    public void AScenarioWithoutBugsExitsZeroWithOneLine()
    {
        var (exit, output) = Run("CountStaysExact", "20");
        Assert.True(exit == 0, output);
        Assert.Matches(@"(?m)^PoolScenarios\.CountStaysExact\s+20\s+0\s", output);
    }

    [Fact]
    public void AnUnknownFilterExitsTwoAndListsTheScenarios()
    {
        var (exit, output) = Run("NoSuchScenario", "5");
        Assert.Equal(2, exit);
        Assert.Contains("No scenario matches 'NoSuchScenario'", output);
        Assert.Contains("  PoolScenarios.CountStaysExact", output);
    }

    [Theory]
    [InlineData("Pool", "0")]
    [InlineData("Pool", "many")]
    public void BadIterationsExitTwo(string filter, string iterations)
    {
        var (exit, output) = Run(filter, iterations);
        Assert.Equal(2, exit);
        Assert.Contains("ITERATIONS must be a positive whole number", output);
    }
}
