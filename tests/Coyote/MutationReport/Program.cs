using System.Globalization;
using Coyote.MutationReport;

// The mutation check and table of docs/verification.md. Each mutant is a patch of the product
// (tests/Coyote/Mutants); this program applies it to a copy, builds it, and explores the killing scenario under both
// engines (and runs the F# conformance fact that should fail on it, where there is one).
//   table [seeds=5] [budget=2000] [MUTANT] [--out FILE]
//                                   median iterations and seconds to the first bug, per engine, seeds 1..seeds
//                                   (every mutant, or those whose name contains MUTANT); --out also writes the table,
//                                   how it was measured and a summary as markdown to FILE
//   check [budget=2000] [MUTANT...] seed 1: every engine (and fact) must kill every mutant (or the ones named),
//                                   each engine by the bug the mutant's catalogue entry names; exit 1 otherwise
//   kill MUTANT ENGINE SEED BUDGET  (internal) one exploration, in a mutant's workspace
// Usage: dotnet run -c Release --project tests/Coyote/MutationReport -- table 5 2000 --out mutants.md
try
{
    return args switch
    {
        ["kill", var mutant, var engine, var seed, var budget] => Kill(
            mutant,
            engine,
            seed,
            budget
        ),
        ["table", .. var rest] => Table(rest),
        ["check", .. var rest] => MutationTable.Check(
            Number(rest.ElementAtOrDefault(0), 2000),
            [.. rest.Skip(1)]
        ),
        [] => MutationTable.Print(5, 2000),
        _ => Usage($"Unknown arguments: {string.Join(' ', args)}"),
    };
}
catch (ArgumentException e)
{
    return Usage(e.Message);
}

static int Table(string[] arguments)
{
    var at = Array.IndexOf(arguments, "--out");
    string? markdown = null;
    if (at >= 0)
    {
        markdown =
            arguments.ElementAtOrDefault(at + 1) is { Length: > 0 } file && !file.StartsWith("--")
                ? Path.GetFullPath(file)
                : throw new ArgumentException("--out needs a file name.");
        arguments = [.. arguments.Take(at), .. arguments.Skip(at + 2)];
    }
    if (arguments.Length > 3)
    {
        throw new ArgumentException($"Unknown arguments: {string.Join(' ', arguments.Skip(3))}");
    }
    return MutationTable.Print(
        Number(arguments.ElementAtOrDefault(0), 5),
        Number(arguments.ElementAtOrDefault(1), 2000),
        arguments.ElementAtOrDefault(2),
        markdown
    );
}

static int Kill(string mutant, string engine, string seed, string budget)
{
    var result = KillRun.Run(
        MutantCatalogue.Named(mutant),
        engine,
        (uint)Number(seed, 0),
        Number(budget, 0)
    );
    Console.WriteLine(result.ToLine());
    return 0;
}

static int Number(string? text, int fallback) =>
    text is null ? fallback
    : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
    && value > 0
        ? value
    : throw new ArgumentException($"'{text}' is not a positive whole number.");

static int Usage(string problem)
{
    Console.Error.WriteLine(problem);
    Console.Error.WriteLine(
        "Usage: Coyote.MutationReport [table [SEEDS] [BUDGET] [MUTANT] [--out FILE] | check [BUDGET [MUTANT...]] | kill MUTANT ENGINE SEED BUDGET]"
    );
    return 2;
}
