using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using Pool.Systematic.Runtime;

namespace Coyote.Tests.Timeline;

/// <summary>Compiler-generated names of local functions, lambdas and state machines read as the code names them.</summary>
public class MethodDisplayNameTests
{
    private const string Namespace = "Coyote.Tests.Timeline";
    private const string Self = nameof(MethodDisplayNameTests);

    [Theory]
    [InlineData("<BankTransfer>g__Move|0", "BankTransfer.Move")]
    [InlineData("<BankTransfer>g__Move|0_1", "BankTransfer.Move")]
    [InlineData("<BankTransfer>g__Move", "BankTransfer.Move")]
    [InlineData("<BankTransfer>b__0_1", "BankTransfer.lambda")]
    [InlineData("<RunAsync>d__4", "RunAsync")]
    [InlineData("<<Main>g__Local|0_0>d", "Main.Local")]
    [InlineData("<<Main>b__0_0>d", "Main.lambda")]
    [InlineData("<>c__DisplayClass0_0", "<>c__DisplayClass0_0")]
    [InlineData("<>c", "<>c")]
    [InlineData("<Unclosed", "<Unclosed")]
    [InlineData("Plain", "Plain")]
    [InlineData("List`1", "List")]
    [InlineData("Dictionary`2", "Dictionary")]
    public void GeneratedNamesAreReadable(string generated, string readable) =>
        Assert.Equal(readable, MethodDisplayName.Member(generated));

    [Fact]
    public void ALocalFunctionInAClosureReadsAsItsMethodAndName()
    {
        var amount = 3;
        int Move() => amount + 1;
        Func<int> local = Move;
        Func<int> lambda = () => amount * 2;
        const string method = nameof(ALocalFunctionInAClosureReadsAsItsMethodAndName);

        // Both capture amount, so the compiler put them in a closure class nested in this one.
        Assert.StartsWith("<>c__DisplayClass", local.Method.DeclaringType!.Name);
        Assert.Same(local.Method.DeclaringType, lambda.Method.DeclaringType);
        Assert.Equal($"{Self}.{method}.Move", MethodDisplayName.Of(local.Method));
        Assert.Equal($"{Self}.{method}.lambda", MethodDisplayName.Of(lambda.Method));
        Assert.Equal(
            $"{Namespace}.{Self}.{method}.Move",
            MethodDisplayName.Of(local.Method, fullTypeName: true)
        );
    }

    [Fact]
    public void ALambdaThatCapturesNothingReadsAsItsMethod()
    {
        Func<int, int> twice = x => x * 2;

        Assert.Equal("<>c", twice.Method.DeclaringType!.Name); // the compiler's shared cache class
        Assert.Equal(
            $"{Self}.{nameof(ALambdaThatCapturesNothingReadsAsItsMethod)}.lambda",
            MethodDisplayName.Of(twice.Method)
        );
    }

    [Fact]
    public void AnAsyncMethodReadsAsItselfNotMoveNext()
    {
        var moveNext = MoveNextOf<AsyncStateMachineAttribute>(nameof(CountAsync));

        Assert.StartsWith($"<{nameof(CountAsync)}>d__", moveNext.DeclaringType!.Name);
        Assert.Equal($"{Self}.{nameof(CountAsync)}", MethodDisplayName.Of(moveNext));
        Assert.Equal(
            $"{Namespace}.{Self}.{nameof(CountAsync)}",
            MethodDisplayName.Of(moveNext, fullTypeName: true)
        );
    }

    [Fact]
    public void AnAsyncLocalFunctionReadsAsItsMethodAndName()
    {
        static async Task<int> LocalAsync()
        {
            await Task.Yield();
            return 2;
        }
        Assert.NotNull((Func<Task<int>>)LocalAsync);
        var local = typeof(MethodDisplayNameTests)
            .GetMethods(BindingFlags.Static | BindingFlags.NonPublic)
            .Single(m => m.Name.Contains($"g__{nameof(LocalAsync)}|", StringComparison.Ordinal));
        var moveNext = MoveNextOf<AsyncStateMachineAttribute>(local);

        Assert.EndsWith(">d", moveNext.DeclaringType!.Name); // no d__N: a local function's state machine
        Assert.Equal(
            $"{Self}.{nameof(AnAsyncLocalFunctionReadsAsItsMethodAndName)}.{nameof(LocalAsync)}",
            MethodDisplayName.Of(moveNext)
        );
    }

    [Fact]
    public void AnIteratorReadsAsItselfNotMoveNext()
    {
        var moveNext = MoveNextOf<IteratorStateMachineAttribute>(nameof(Numbers));

        Assert.StartsWith($"<{nameof(Numbers)}>d__", moveNext.DeclaringType!.Name);
        Assert.Equal($"{Self}.{nameof(Numbers)}", MethodDisplayName.Of(moveNext));
    }

    [Fact]
    public void AGenericNestedTypeReadsWithoutArityAndInFullWithItsEnclosingTypes()
    {
        var method = typeof(Box<int>).GetMethod(nameof(Box<int>.Open))!;

        Assert.Equal("Box`1", method.DeclaringType!.Name);
        Assert.Equal($"Box.{nameof(Box<int>.Open)}", MethodDisplayName.Of(method));
        Assert.Equal(
            $"{Namespace}.{Self}.Box.{nameof(Box<int>.Open)}",
            MethodDisplayName.Of(method, fullTypeName: true)
        );
    }

    [Fact]
    public void AMethodWithNoDeclaringTypeReadsAsItsName()
    {
        var method = new DynamicMethod("Emitted", typeof(void), Type.EmptyTypes);

        Assert.Null(method.DeclaringType);
        Assert.Equal("Emitted", MethodDisplayName.Of(method));
        Assert.Equal("Emitted", MethodDisplayName.Of(method, fullTypeName: true));
    }

    private static MethodInfo MoveNextOf<TAttribute>(string method)
        where TAttribute : StateMachineAttribute =>
        MoveNextOf<TAttribute>(
            typeof(MethodDisplayNameTests).GetMethod(
                method,
                BindingFlags.Static | BindingFlags.NonPublic
            )!
        );

    private static MethodInfo MoveNextOf<TAttribute>(MethodInfo method)
        where TAttribute : StateMachineAttribute =>
        method
            .GetCustomAttribute<TAttribute>()!
            .StateMachineType.GetMethod(
                "MoveNext",
                BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public
            )!;

    private static async Task<int> CountAsync()
    {
        await Task.Yield();
        return 1;
    }

    private static IEnumerable<int> Numbers()
    {
        yield return 1;
    }

    private static class Box<T>
    {
        public static T? Open() => default;
    }
}
