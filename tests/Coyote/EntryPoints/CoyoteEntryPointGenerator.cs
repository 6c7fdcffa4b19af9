using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;

namespace Coyote.EntryPoints;

/// <summary>
/// Writes one Coyote entry point per scenario, so each scenario is written once and runs under both engines. For
/// <c>[SystematicTest] public static void Name(IThreading threading)</c> it adds
/// <c>[Microsoft.Coyote.SystematicTesting.Test] public static void Name()</c>, which runs the same method on a new
/// <c>Coyote.Binding.CoyoteThreading</c> (one per Coyote iteration). <c>coyote test -m Name</c> finds it.
/// </summary>
/// <remarks>
/// Two sources of scenarios:
/// <list type="bullet">
/// <item>the project's own, in <c>static partial</c> classes: the entry point joins the scenario's class;</item>
/// <item>the public scenarios of the referenced assemblies named in the MSBuild property
/// <c>CoyoteEntryPointsFrom</c> (separated by ';'): the entry point goes to a class of the same simple name in the
/// project's root namespace (<c>Pool.Scenarios.PoolScenarios.CountStaysExact</c> becomes
/// <c>Coyote.Scenarios.PoolScenarios.CountStaysExact()</c>).</item>
/// </list>
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed class CoyoteEntryPointGenerator : IIncrementalGenerator
{
    private const string ScenarioAttribute = "Pool.Systematic.SystematicTestAttribute";
    private const string Seam = "Pool.Threading.IThreading";

    // A build-time rule of this repository's own generator, never shipped: no analyzer release tracking.
#pragma warning disable RS2008
    private static readonly DiagnosticDescriptor SameSimpleName = new(
        "COYOTE001",
        "Two scenario classes with one simple name",
        "The referenced scenario classes {0} share a simple name: their Coyote entry points would share a class",
        "Coyote.EntryPoints",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true
    );
#pragma warning restore RS2008

    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var scenarios = context.SyntaxProvider.ForAttributeWithMetadataName(
            ScenarioAttribute,
            static (node, _) =>
                node is Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax,
            static (attributed, _) => Describe((IMethodSymbol)attributed.TargetSymbol)
        );
        var byClass = scenarios
            .Where(static s => s is not null)
            .Collect()
            .SelectMany(
                static (all, _) =>
                    all.GroupBy(s => (s!.Namespace, s.ClassName))
                        .Select(g => new ScenarioClass(
                            g.Key.Namespace,
                            g.Key.ClassName,
                            string.Join(",", g.Select(s => s!.MethodName).OrderBy(n => n))
                        ))
            );
        context.RegisterSourceOutput(
            byClass,
            static (output, scenarioClass) => Emit(output, scenarioClass)
        );

        var settings = context.AnalyzerConfigOptionsProvider.Select(
            static (options, _) =>
            {
                options.GlobalOptions.TryGetValue(
                    "build_property.CoyoteEntryPointsFrom",
                    out var from
                );
                options.GlobalOptions.TryGetValue("build_property.RootNamespace", out var root);
                return (From: from ?? "", Root: root ?? "");
            }
        );
        var referenced = context
            .CompilationProvider.Combine(settings)
            .SelectMany(
                static (pair, _) =>
                    ReferencedScenarioClasses(pair.Left, pair.Right.From, pair.Right.Root)
            );
        context.RegisterSourceOutput(
            referenced,
            static (output, scenarioClass) => EmitForReferenced(output, scenarioClass)
        );
    }

    private static Scenario? Describe(IMethodSymbol method)
    {
        var type = method.ContainingType;
        var isPartial = type.DeclaringSyntaxReferences.Any(r =>
            r.GetSyntax() is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax c
            && c.Modifiers.Any(m => m.Text == "partial")
        );
        return HasScenarioShape(method) && isPartial
            ? new Scenario(type.ContainingNamespace.ToDisplayString(), type.Name, method.Name)
            : null;
    }

    private static bool HasScenarioShape(IMethodSymbol method) =>
        method.IsStatic
        && method.ReturnsVoid
        && method.DeclaredAccessibility == Accessibility.Public
        && method.Parameters.Length == 1
        && method.Parameters[0].Type.ToDisplayString() == Seam
        && method.ContainingType.ContainingType is null;

    private static ImmutableArray<ReferencedClass> ReferencedScenarioClasses(
        Compilation compilation,
        string from,
        string rootNamespace
    )
    {
        var names = new HashSet<string>(
            from.Split(';').Select(n => n.Trim()).Where(n => n.Length > 0)
        );
        if (names.Count == 0)
        {
            return ImmutableArray<ReferencedClass>.Empty;
        }
        var classes = new List<ReferencedClass>();
        foreach (
            var assembly in compilation.SourceModule.ReferencedAssemblySymbols.Where(a =>
                names.Contains(a.Identity.Name)
            )
        )
        {
            foreach (var type in TypesOf(assembly.GlobalNamespace))
            {
                var methods = type.GetMembers()
                    .OfType<IMethodSymbol>()
                    .Where(m =>
                        HasScenarioShape(m)
                        && m.GetAttributes()
                            .Any(a => a.AttributeClass?.ToDisplayString() == ScenarioAttribute)
                    )
                    .Select(m => m.Name)
                    .OrderBy(n => n, System.StringComparer.Ordinal)
                    .ToList();
                if (methods.Count > 0)
                {
                    classes.Add(
                        new ReferencedClass(
                            rootNamespace,
                            type.Name,
                            type.ToDisplayString(),
                            string.Join(",", methods),
                            ""
                        )
                    );
                }
            }
        }
        return classes
            .GroupBy(c => c.ClassName)
            .Select(g =>
                g.Count() == 1
                    ? g.Single()
                    : g.First() with
                    {
                        Clash = string.Join(", ", g.Select(c => c.FullName).OrderBy(n => n)),
                    }
            )
            .ToImmutableArray();
    }

    private static IEnumerable<INamedTypeSymbol> TypesOf(INamespaceSymbol space)
    {
        foreach (var type in space.GetTypeMembers())
        {
            if (type.DeclaredAccessibility == Accessibility.Public && type.IsStatic)
            {
                yield return type;
            }
        }
        foreach (var inner in space.GetNamespaceMembers())
        {
            foreach (var type in TypesOf(inner))
            {
                yield return type;
            }
        }
    }

    private static void Emit(SourceProductionContext output, ScenarioClass scenarioClass)
    {
        var text = new StringBuilder();
        text.AppendLine(
            "// <auto-generated/> by Coyote.EntryPoints: the Coyote entry points of these scenarios."
        );
        text.AppendLine($"namespace {scenarioClass.Namespace};");
        text.AppendLine();
        text.AppendLine($"static partial class {scenarioClass.ClassName}");
        text.AppendLine("{");
        foreach (var name in scenarioClass.MethodNames.Split(','))
        {
            text.AppendLine(
                $"    /// <summary>Coyote's entry point: <see cref=\"{name}(global::{Seam})\"/> on the Coyote binding of the seam.</summary>"
            );
            text.AppendLine("    [global::Microsoft.Coyote.SystematicTesting.Test]");
            text.AppendLine(
                $"    public static void {name}() => {name}(new global::Coyote.Binding.CoyoteThreading());"
            );
            text.AppendLine();
        }
        text.AppendLine("}");
        output.AddSource(
            $"{scenarioClass.Namespace}.{scenarioClass.ClassName}.Coyote.g.cs",
            text.ToString()
        );
    }

    private static void EmitForReferenced(SourceProductionContext output, ReferencedClass scenarios)
    {
        if (scenarios.Clash.Length > 0)
        {
            output.ReportDiagnostic(Diagnostic.Create(SameSimpleName, null, scenarios.Clash));
            return;
        }
        var text = new StringBuilder();
        text.AppendLine(
            "// <auto-generated/> by Coyote.EntryPoints: the Coyote entry points of a referenced assembly's scenarios."
        );
        if (scenarios.Namespace.Length > 0)
        {
            text.AppendLine($"namespace {scenarios.Namespace};");
            text.AppendLine();
        }
        text.AppendLine(
            $"/// <summary>Coyote's entry points of <see cref=\"global::{scenarios.FullName}\"/>.</summary>"
        );
        text.AppendLine($"public static class {scenarios.ClassName}");
        text.AppendLine("{");
        foreach (var name in scenarios.MethodNames.Split(','))
        {
            text.AppendLine(
                $"    /// <summary>Coyote's entry point: <see cref=\"global::{scenarios.FullName}.{name}(global::{Seam})\"/> on the Coyote binding of the seam.</summary>"
            );
            text.AppendLine("    [global::Microsoft.Coyote.SystematicTesting.Test]");
            text.AppendLine(
                $"    public static void {name}() => global::{scenarios.FullName}.{name}(new global::Coyote.Binding.CoyoteThreading());"
            );
            text.AppendLine();
        }
        text.AppendLine("}");
        output.AddSource($"{scenarios.FullName}.Coyote.g.cs", text.ToString());
    }

    private sealed record Scenario(string Namespace, string ClassName, string MethodName);

    // Method names joined into one string: records of strings compare by value, so the pipeline caches well.
    private sealed record ScenarioClass(string Namespace, string ClassName, string MethodNames);

    // A referenced scenario class: the namespace and simple name of its entry points' class, its full name, its
    // scenario methods (joined), and, when other classes share its simple name, their full names (else empty).
    private sealed record ReferencedClass(
        string Namespace,
        string ClassName,
        string FullName,
        string MethodNames,
        string Clash
    );
}
