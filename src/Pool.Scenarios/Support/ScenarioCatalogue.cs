using System.Reflection;
using Pool.Systematic;
using Pool.Threading;

namespace Pool.Scenarios.Support;

/// <summary>One built-in scenario.</summary>
/// <param name="Name">Class and method, as <c>pool-explore list</c> and the CI test names show it.</param>
/// <param name="Explorer">The scenario itself, for <c>pool-explore</c>'s engine (or any other binding of the seam).</param>
/// <param name="CiIterations">The explorer's CI budget.</param>
public sealed record Scenario(string Name, Action<IThreading> Explorer, int CiIterations)
{
    /// <summary>The explorer's CI budget when the attribute gives none.</summary>
    public const int DefaultCiIterations = 300;

    /// <summary>The class that declares the scenario (its simple name is the first part of <see cref="Name"/>).</summary>
    public string ClassName => Name[..Name.IndexOf('.', StringComparison.Ordinal)];

    /// <summary>The scenario method's name (the second part of <see cref="Name"/>).</summary>
    public string MethodName => Name[(Name.IndexOf('.', StringComparison.Ordinal) + 1)..];
}

/// <summary>Every built-in scenario of this assembly, found by reflection.</summary>
public static class ScenarioCatalogue
{
    /// <summary>The scenarios, ordered by class and method.</summary>
    public static IReadOnlyList<Scenario> All { get; } =
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
    public static Scenario Named(string name) =>
        All.SingleOrDefault(s => s.Name == name)
        ?? throw new ArgumentException($"No built-in scenario is named '{name}'.", nameof(name));

    private static Scenario Describe(MethodInfo method)
    {
        var budget = method.GetCustomAttribute<SystematicTestAttribute>()!.CiIterations;
        return new Scenario(
            $"{method.DeclaringType!.Name}.{method.Name}",
            method.CreateDelegate<Action<IThreading>>(),
            budget > 0 ? budget : Scenario.DefaultCiIterations
        );
    }
}
