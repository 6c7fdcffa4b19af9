using System.Reflection;
using System.Runtime.Loader;
using Pool.Threading;

namespace Pool.Explorer;

/// <summary>Finds the <c>[SystematicTest]</c> methods of an assembly (the built-in scenarios when none is named).</summary>
internal sealed class TestCatalog
{
    /// <summary>What <c>ASSEMBLY</c> may say to mean the built-in scenarios.</summary>
    internal const string BuiltIn = "builtin";
    private const string AttributeName = "Pool.Systematic.SystematicTestAttribute";
    private const string ExpectedShape =
        "public static void Method(Pool.Threading.IThreading threading)";

    private TestCatalog(string source, IReadOnlyList<DiscoveredTest> tests)
    {
        Source = source;
        Tests = tests;
    }

    /// <summary>Where the tests came from (a path, or the built-in scenario assembly's name).</summary>
    internal string Source { get; }

    internal IReadOnlyList<DiscoveredTest> Tests { get; }

    /// <exception cref="UsageException">The assembly is missing or unloadable, or a test has the wrong shape.</exception>
    internal static TestCatalog Load(string? assemblyPath)
    {
        var assembly = assemblyPath is null or BuiltIn ? BuiltInAssembly() : LoadFrom(assemblyPath);
        return new TestCatalog(assemblyPath ?? assembly.GetName().Name!, Discover(assembly));
    }

    /// <summary>The tests whose full name, <c>Type.Method</c> or method name is <paramref name="filter"/>, or contains it.</summary>
    /// <exception cref="UsageException">No test matches.</exception>
    internal IReadOnlyList<DiscoveredTest> Select(string? filter)
    {
        if (string.IsNullOrEmpty(filter))
        {
            return Tests;
        }
        var exact = Tests
            .Where(t =>
                t.FullName == filter
                || t.Name == filter
                || t.Name.EndsWith("." + filter, StringComparison.Ordinal)
            )
            .ToList();
        var chosen =
            exact.Count > 0
                ? exact
                : Tests.Where(t => t.FullName.Contains(filter, StringComparison.Ordinal)).ToList();
        if (chosen.Count == 0)
        {
            throw new UsageException(
                $"No [SystematicTest] method matches '{filter}' in {Source}. Run 'pool-explore list' to see them."
            );
        }
        return chosen;
    }

    private static Assembly BuiltInAssembly() =>
        typeof(Pool.Scenarios.Support.ScenarioCatalogue).Assembly;

    private static Assembly LoadFrom(string path)
    {
        if (path.StartsWith('-'))
        {
            throw new UsageException(
                $"Unknown option '{path}'. Run 'pool-explore --help' for usage."
            );
        }
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new UsageException($"Assembly not found: {full}");
        }
        var directory = Path.GetDirectoryName(full)!;
        AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            var candidate = Path.Combine(directory, name.Name + ".dll");
            return File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
        };
        try
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyPath(full);
        }
        catch (Exception exception) when (exception is BadImageFormatException or FileLoadException)
        {
            throw new UsageException($"Cannot load {full} as a .NET assembly: {exception.Message}");
        }
    }

    private static List<DiscoveredTest> Discover(Assembly assembly)
    {
        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException exception)
        {
            throw new UsageException(
                $"Cannot load the types of {assembly.GetName().Name}: {exception.LoaderExceptions.FirstOrDefault()?.Message}"
            );
        }
        var tests = new List<DiscoveredTest>();
        var wrong = new List<string>();
        const BindingFlags everyMethod =
            BindingFlags.Public
            | BindingFlags.NonPublic
            | BindingFlags.Static
            | BindingFlags.Instance
            | BindingFlags.DeclaredOnly;
        foreach (var type in types)
        {
            foreach (var method in type.GetMethods(everyMethod))
            {
                var attribute = method.CustomAttributes.FirstOrDefault(a =>
                    a.AttributeType.FullName == AttributeName
                );
                if (attribute is null)
                {
                    continue;
                }
                var name = $"{type.Name}.{method.Name}";
                if (!HasTestShape(method))
                {
                    wrong.Add($"{type.FullName}.{method.Name}");
                    continue;
                }
                var ci = attribute
                    .NamedArguments.Where(a => a.MemberName == "CiIterations")
                    .Select(a => (int)a.TypedValue.Value!)
                    .FirstOrDefault();
                tests.Add(
                    new DiscoveredTest(
                        name,
                        $"{type.FullName}.{method.Name}",
                        method.CreateDelegate<Action<IThreading>>(),
                        ci
                    )
                );
            }
        }
        if (wrong.Count > 0)
        {
            throw new UsageException(
                $"[SystematicTest] methods of the wrong shape: {string.Join(", ", wrong)}. Expected: {ExpectedShape}."
            );
        }
        return [.. tests.OrderBy(t => t.FullName, StringComparer.Ordinal)];
    }

    private static bool HasTestShape(MethodInfo method)
    {
        var parameters = method.GetParameters();
        return method.IsPublic
            && method.IsStatic
            && !method.IsGenericMethodDefinition
            && method.ReturnType == typeof(void)
            && parameters.Length == 1
            && parameters[0].ParameterType == typeof(IThreading);
    }
}
