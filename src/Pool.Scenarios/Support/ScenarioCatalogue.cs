using System.Reflection;
using Microsoft.Coyote.SystematicTesting;
using Pool.Systematic;
using Pool.Threading;

namespace Pool.Scenarios.Support;

/// <summary>One built-in scenario, and its entry point for each engine.</summary>
/// <param name="Name">Class and method, as <c>pool-explore list</c> and the CI test names show it.</param>
/// <param name="Explorer">The scenario itself, for <c>pool-explore</c>'s engine.</param>
/// <param name="Coyote">Its generated Coyote <c>[Test]</c> entry point (the same scenario on the Coyote binding).</param>
/// <param name="CiIterations">The explorer's CI budget.</param>
/// <param name="CoyoteTolerated">The prefixes of the invocations Coyote may report as uncontrolled in this scenario
/// (<see cref="CoyoteToleratesAttribute"/>); empty for almost every scenario.</param>
internal sealed record Scenario(
    string Name,
    Action<IThreading> Explorer,
    Action Coyote,
    int CiIterations,
    IReadOnlyList<string> CoyoteTolerated
)
{
    /// <summary>Whether Coyote must run it with partially controlled concurrency allowed (it tolerates something).</summary>
    internal bool CoyoteAllowsPartialControl => CoyoteTolerated.Count > 0;

    /// <summary>The invocations of <paramref name="uncontrolled"/> (as Coyote reported them) that this scenario does not tolerate.</summary>
    internal IReadOnlyList<string> Untolerated(IEnumerable<string> uncontrolled) =>
        [
            .. uncontrolled.Where(invocation =>
                !CoyoteTolerated.Any(prefix =>
                    invocation.StartsWith(prefix, StringComparison.Ordinal)
                )
            ),
        ];

    /// <summary>The explorer's CI budget when the attribute gives none.</summary>
    internal const int DefaultCiIterations = 300;

    /// <summary>
    /// Coyote's CI budget: a quarter of the explorer's, at least 100. Coyote runs about 150-300 iterations a second
    /// on these scenarios (docs/benchmarks.md), so the whole suite stays near a minute.
    /// </summary>
    internal int CoyoteCiIterations => Math.Max(100, CiIterations / 4);
}

/// <summary>Every built-in scenario of this assembly, found by reflection.</summary>
internal static class ScenarioCatalogue
{
    internal static IReadOnlyList<Scenario> All { get; } =
    [
        .. typeof(ScenarioCatalogue)
            .Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => m.GetCustomAttribute<SystematicTestAttribute>() is not null)
            .OrderBy(m => m.DeclaringType!.Name)
            .ThenBy(m => m.Name)
            .Select(Describe),
    ];

    /// <summary>The scenario of this name (class and method).</summary>
    /// <exception cref="ArgumentException">No scenario has that name.</exception>
    internal static Scenario Named(string name) =>
        All.SingleOrDefault(s => s.Name == name)
        ?? throw new ArgumentException($"No built-in scenario is named '{name}'.", nameof(name));

    private static Scenario Describe(MethodInfo method)
    {
        var type = method.DeclaringType!;
        var coyote =
            type.GetMethod(method.Name, BindingFlags.Public | BindingFlags.Static, Type.EmptyTypes)
                is { } entry
            && entry.GetCustomAttribute<TestAttribute>() is not null
                ? entry.CreateDelegate<Action>()
                : throw new InvalidOperationException(
                    $"{type.Name}.{method.Name} has no Coyote entry point: is its class 'static partial'?"
                );
        var budget = method.GetCustomAttribute<SystematicTestAttribute>()!.CiIterations;
        return new Scenario(
            $"{type.Name}.{method.Name}",
            method.CreateDelegate<Action<IThreading>>(),
            coyote,
            budget > 0 ? budget : Scenario.DefaultCiIterations,
            [
                .. type.GetCustomAttributes<CoyoteToleratesAttribute>()
                    .Select(t => t.InvocationPrefix),
            ]
        );
    }
}
