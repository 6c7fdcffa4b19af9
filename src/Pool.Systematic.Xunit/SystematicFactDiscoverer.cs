using System.Reflection;
using Pool.Threading;
using Xunit.Sdk;
using Xunit.v3;

namespace Pool.Systematic.Xunit;

/// <summary>
/// Finds the test of a <see cref="SystematicFactAttribute"/>: a <see cref="SystematicTestCase"/>, or, for a method of
/// the wrong shape or invalid options, a test that fails with a message naming the method and the problem.
/// </summary>
public sealed class SystematicFactDiscoverer : IXunitTestCaseDiscoverer
{
    /// <summary>The shape a systematic test method must have.</summary>
    internal const string ExpectedShape = "void Method(Pool.Threading.IThreading threading)";

    /// <inheritdoc/>
    public ValueTask<IReadOnlyCollection<IXunitTestCase>> Discover(
        ITestFrameworkDiscoveryOptions discoveryOptions,
        IXunitTestMethod testMethod,
        IFactAttribute factAttribute
    )
    {
        ArgumentNullException.ThrowIfNull(testMethod);
        var details = TestIntrospectionHelper.GetTestCaseDetails(
            discoveryOptions,
            testMethod,
            factAttribute
        );
        var problems = ProblemsOf(
            testMethod.Method,
            (factAttribute as SystematicFactAttribute)?.ToSettings()
        );
        IXunitTestCase testCase =
            problems.Count > 0
                ? new ExecutionErrorTestCase(
                    details.ResolvedTestMethod,
                    details.TestCaseDisplayName,
                    details.UniqueID,
                    details.SourceFilePath,
                    details.SourceLineNumber,
                    $"[SystematicFact] {NameOf(testMethod.Method)}: {string.Join(" ", problems)}"
                )
                : new SystematicTestCase(
                    details.ResolvedTestMethod,
                    details.TestCaseDisplayName,
                    details.UniqueID,
                    details.Explicit,
                    details.SkipExceptions,
                    details.SkipReason,
                    details.SkipType,
                    details.SkipUnless,
                    details.SkipWhen,
                    testMethod.Traits.ToDictionary(
                        t => t.Key,
                        t => new HashSet<string>(t.Value, StringComparer.OrdinalIgnoreCase),
                        StringComparer.OrdinalIgnoreCase
                    ),
                    details.SourceFilePath,
                    details.SourceLineNumber,
                    details.Timeout
                );
        return new([testCase]);
    }

    /// <summary>What keeps <paramref name="method"/> from running as a systematic test with <paramref name="settings"/>.</summary>
    internal static IReadOnlyList<string> ProblemsOf(
        MethodInfo method,
        SystematicSettings? settings
    )
    {
        var problems = new List<string>();
        var parameters = method.GetParameters();
        if (
            method.IsGenericMethodDefinition
            || method.ReturnType != typeof(void)
            || parameters.Length != 1
            || parameters[0].ParameterType != typeof(IThreading)
        )
        {
            problems.Add(
                $"the method has the wrong signature ({Signature(method)}); expected {ExpectedShape}."
            );
        }
        if (settings is null)
        {
            problems.Add("the attribute is not a SystematicFactAttribute.");
        }
        else
        {
            problems.AddRange(settings.Problems());
        }
        return problems;
    }

    /// <summary>The test's name: the declaring type's full name and the method's.</summary>
    internal static string NameOf(MethodInfo method) =>
        $"{method.DeclaringType?.FullName?.Replace('+', '.')}.{method.Name}";

    private static string Signature(MethodInfo method) =>
        $"{TypeName(method.ReturnType)} {method.Name}{(method.IsGenericMethodDefinition ? "<...>" : "")}({string.Join(", ", method.GetParameters().Select(p => $"{TypeName(p.ParameterType)} {p.Name}"))})";

    /// <summary>A type as C# writes it: a keyword for the built-in types, the simple name otherwise.</summary>
    private static string TypeName(Type type) =>
        Type.GetTypeCode(type) switch
        {
            _ when type == typeof(void) => "void",
            _ when type == typeof(object) => "object",
            _ when type.IsEnum => type.Name,
            TypeCode.Boolean => "bool",
            TypeCode.Int32 => "int",
            TypeCode.Int64 => "long",
            TypeCode.String => "string",
            _ => type.Name,
        };
}
