using System.Reflection;
using Microsoft.Coyote.SystematicTesting;
using Pool.Scenarios.Support;
using Pool.Threading;

namespace Coyote.Scenarios;

/// <summary>One built-in scenario, and what Coyote needs to run it.</summary>
/// <param name="Scenario">The scenario (name, body, the explorer's CI budget).</param>
/// <param name="Coyote">Its generated Coyote <c>[Test]</c> entry point (the same scenario on the Coyote binding).</param>
/// <param name="CoyoteTolerated">The prefixes of the invocations Coyote may report as uncontrolled in this scenario
/// (<see cref="CoyoteTolerances"/>); empty for almost every scenario.</param>
internal sealed record CoyoteScenario(
    Scenario Scenario,
    Action Coyote,
    IReadOnlyList<string> CoyoteTolerated
)
{
    /// <summary>Class and method, as <c>pool-explore list</c> and the CI test names show it.</summary>
    internal string Name => Scenario.Name;

    /// <summary>The scenario itself, for <c>pool-explore</c>'s engine.</summary>
    internal Action<IThreading> Explorer => Scenario.Explorer;

    /// <summary>The explorer's CI budget.</summary>
    internal int CiIterations => Scenario.CiIterations;

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

    /// <summary>
    /// Coyote's CI budget: a quarter of the explorer's, at least 100. Coyote runs about 150-300 iterations a second
    /// on these scenarios (docs/benchmarks.md), so the whole suite stays near a minute.
    /// </summary>
    internal int CoyoteCiIterations => Math.Max(100, CiIterations / 4);
}

/// <summary>Every built-in scenario (<see cref="ScenarioCatalogue"/>) with its Coyote entry point and tolerances.</summary>
internal static class CoyoteCatalogue
{
    internal static IReadOnlyList<CoyoteScenario> All { get; } = Describe();

    /// <summary>The scenario of this name (class and method).</summary>
    /// <exception cref="ArgumentException">No scenario has that name.</exception>
    internal static CoyoteScenario Named(string name) =>
        All.SingleOrDefault(s => s.Name == name)
        ?? throw new ArgumentException($"No built-in scenario is named '{name}'.", nameof(name));

    private static List<CoyoteScenario> Describe()
    {
        var unknown = CoyoteTolerances
            .ByClass.Keys.Where(c => ScenarioCatalogue.All.All(s => s.ClassName != c))
            .ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException(
                $"CoyoteTolerances names no scenario class: {string.Join(", ", unknown)}."
            );
        }
        return [.. ScenarioCatalogue.All.Select(Describe)];
    }

    private static CoyoteScenario Describe(Scenario scenario)
    {
        var entry =
            typeof(CoyoteCatalogue)
                .Assembly.GetType($"{typeof(CoyoteCatalogue).Namespace}.{scenario.ClassName}")
                ?.GetMethod(
                    scenario.MethodName,
                    BindingFlags.Public | BindingFlags.Static,
                    Type.EmptyTypes
                )
            ?? throw new InvalidOperationException(
                $"{scenario.Name} has no Coyote entry point in {typeof(CoyoteCatalogue).Assembly.GetName().Name}."
            );
        if (entry.GetCustomAttribute<TestAttribute>() is null)
        {
            throw new InvalidOperationException(
                $"{scenario.Name}'s Coyote entry point is no [Test]."
            );
        }
        return new CoyoteScenario(
            scenario,
            entry.CreateDelegate<Action>(),
            CoyoteTolerances.ByClass.TryGetValue(scenario.ClassName, out var tolerated)
                ? [.. tolerated.Select(t => t.InvocationPrefix)]
                : []
        );
    }
}
