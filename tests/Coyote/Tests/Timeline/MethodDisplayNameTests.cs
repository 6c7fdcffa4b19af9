using Pool.Systematic.Runtime;

namespace Coyote.Tests.Timeline;

/// <summary>Compiler-generated names of local functions, lambdas and state machines read as the code names them.</summary>
public class MethodDisplayNameTests
{
    [Theory]
    [InlineData("<BankTransfer>g__Move|0", "BankTransfer.Move")]
    [InlineData("<BankTransfer>g__Move|0_1", "BankTransfer.Move")]
    [InlineData("<BankTransfer>b__0_1", "BankTransfer.lambda")]
    [InlineData("<RunAsync>d__4", "RunAsync")]
    [InlineData("<<Main>g__Local|0_0>d", "Main.Local")]
    [InlineData("<>c__DisplayClass0_0", "<>c__DisplayClass0_0")]
    [InlineData("Plain", "Plain")]
    [InlineData("List`1", "List")]
    public void GeneratedNamesAreReadable(string generated, string readable) =>
        Assert.Equal(readable, MethodDisplayName.Member(generated));

    [Fact]
    public void ALocalFunctionInAClosureReadsAsItsMethodAndName()
    {
        var amount = 3;
        int Move() => amount + 1;
        Func<int> local = Move;
        Func<int> lambda = () => amount * 2;

        Assert.Equal(
            $"{nameof(MethodDisplayNameTests)}.{nameof(ALocalFunctionInAClosureReadsAsItsMethodAndName)}.Move",
            MethodDisplayName.Of(local.Method)
        );
        Assert.Equal(
            $"{nameof(MethodDisplayNameTests)}.{nameof(ALocalFunctionInAClosureReadsAsItsMethodAndName)}.lambda",
            MethodDisplayName.Of(lambda.Method)
        );
        Assert.Equal(
            $"Coyote.Tests.Timeline.{nameof(MethodDisplayNameTests)}.{nameof(ALocalFunctionInAClosureReadsAsItsMethodAndName)}.Move",
            MethodDisplayName.Of(local.Method, fullTypeName: true)
        );
        Assert.Equal(10, local() + lambda());
    }
}
