using System.Reflection;
using Coyote.Binding;
using Coyote.Teeth;

namespace Coyote.Tests.Engine;

/// <summary>
/// The Coyote binding has the same teeth as the explorer (<see cref="TeethTests"/>): on the classic bugs, through the
/// same seam, Coyote finds each bug and passes each correct version. A bug one engine finds and the other cannot is a
/// missing scheduling point in the binding.
/// </summary>
public class CoyoteTeethTests
{
    private const int Budget = 1000;

    public static TheoryData<string> Bugs() =>
        [.. TeethTests.Bugs().Cast<object[]>().Select(row => (string)row[0]).Distinct()];

    public static TheoryData<string> CorrectPrograms() =>
        [
            .. TeethTests.CorrectPrograms().Cast<object[]>().Select(row => (string)row[0]),
            nameof(ClassicBugs.LockedIncrements),
        ];

    [Theory]
    [MemberData(nameof(Bugs))]
    public void CoyoteFindsTheBug(string program)
    {
        var outcome = CoyoteEngine.Run(EntryPoint(program), Budget, seed: 1);
        Assert.Empty(outcome.Uncontrolled);
        Assert.True(
            outcome.BugFound,
            $"Coyote missed {program} in {outcome.Iterations} iterations"
        );
    }

    [Theory]
    [MemberData(nameof(CorrectPrograms))]
    public void CoyoteFindsNothingInTheCorrectVersion(string program)
    {
        var outcome = CoyoteEngine.Run(EntryPoint(program), Budget, seed: 1);
        Assert.Empty(outcome.Uncontrolled);
        Assert.False(outcome.BugFound, outcome.BugMessage);
    }

    private static Action EntryPoint(string program) =>
        typeof(ClassicBugs)
            .GetMethod(program, BindingFlags.Public | BindingFlags.Static, Type.EmptyTypes)!
            .CreateDelegate<Action>();
}
