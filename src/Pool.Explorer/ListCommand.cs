using System.Globalization;
using Spectre.Console;

namespace Pool.Explorer;

/// <summary><c>pool-explore list [ASSEMBLY]</c>: the systematic tests and their CI budgets.</summary>
internal sealed class ListCommand(ConsoleView view)
{
    internal int Run(string? assembly)
    {
        var catalog = TestCatalog.Load(assembly);
        var table = new Table()
            .Border(TableBorder.Rounded)
            .AddColumn("test")
            .AddColumn("CI iterations");
        foreach (var test in catalog.Tests)
        {
            table.AddRow(
                Markup.Escape(test.FullName),
                test.CiIterations > 0
                    ? test.CiIterations.ToString(CultureInfo.InvariantCulture)
                    : $"{TestSettings.DefaultCiIterations} (default)"
            );
        }
        view.Console.Write(table);
        view.Line($"{catalog.Tests.Count} tests in {catalog.Source}");
        return ExitCodes.NoBug;
    }
}
