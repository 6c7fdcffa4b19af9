using System.CommandLine;
using System.CommandLine.Parsing;
using Pool.Systematic;
using Spectre.Console;

namespace Pool.Explorer;

/// <summary>The <c>pool-explore</c> commands (<c>test</c>, <c>replay</c>, <c>list</c>, <c>merge</c>) and their options.</summary>
internal static class CommandLine
{
    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code (0 no bug, 1 bug, 2 usage or load error).</summary>
    internal static int Run(string[] args, IAnsiConsole console)
    {
        var view = new ConsoleView(console);
        var root = Build(view);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                view.Error(error.Message);
            }
            view.Line("Run 'pool-explore --help' for usage.");
            return ExitCodes.UsageError;
        }
        try
        {
            return parsed.Invoke(
                new InvocationConfiguration { EnableDefaultExceptionHandler = false }
            );
        }
        catch (UsageException exception)
        {
            view.Error(exception.Message);
            return ExitCodes.UsageError;
        }
    }

    private static RootCommand Build(ConsoleView view)
    {
        var root = new RootCommand(
            "pool-explore: systematic concurrency testing of [SystematicTest] methods (see docs/explorer.md)."
        );
        root.Subcommands.Add(TestCommandLine(view));
        root.Subcommands.Add(ReplayCommandLine(view));
        root.Subcommands.Add(ListCommandLine(view));
        root.Subcommands.Add(MergeCommandLine(view));
        return root;
    }

    private static Argument<string?> AssemblyArgument() =>
        new("ASSEMBLY")
        {
            Description =
                $"Test assembly (.dll); omit or '{TestCatalog.BuiltIn}' for the built-in scenarios.",
            Arity = ArgumentArity.ZeroOrOne,
        };

    private static Option<string?> MethodOption() =>
        new("--method", "-m")
        {
            Description =
                "Test to run: full name, Type.Method, method name, or a part of the full name.",
        };

    private static Command TestCommandLine(ConsoleView view)
    {
        var assembly = AssemblyArgument();
        var method = MethodOption();
        var iterations = new Option<int?>("--iterations", "-i")
        {
            Description =
                $"Iterations per test (default {TestSettings.DefaultIterations}; with --ci, the test's CI budget).",
        };
        var defaults = new ExplorationOptions();
        var strategy = NamedOption(
            ["--strategy", "-s"],
            "strategy",
            OptionNames.Strategies,
            defaults.Strategy,
            OptionNames.Of(defaults.Strategy),
            (string? name, out Strategy value) => OptionNames.TryParse(name, out value)
        );
        strategy.Description = string.Join(" | ", OptionNames.Strategies);
        var pctDepth = new Option<int>("--pct-depth")
        {
            Description = "PCT bug depth d.",
            DefaultValueFactory = _ => defaults.PctDepth,
        };
        var preemptionBound = new Option<int?>("--preemption-bound", "-k")
        {
            Description =
                "dfs and dpor: explore only schedules with at most K preemptions (a switch away from a thread that could go on).",
        };
        var order = NamedOption(
            ["--order"],
            "search order",
            OptionNames.SearchOrders,
            defaults.Order,
            OptionNames.Of(defaults.Order),
            (string? name, out SearchOrder value) => OptionNames.TryParse(name, out value)
        );
        order.Description =
            "dpor: deepestfirst (depth-first: late switches first, only the current path in memory) | shallowestfirst (early switches first; keeps the unexplored decisions in memory)";
        var memoryModel = NamedOption(
            ["--memory-model"],
            "memory model",
            OptionNames.MemoryModels,
            defaults.MemoryModel,
            OptionNames.Of(defaults.MemoryModel),
            (string? name, out MemoryModel value) => OptionNames.TryParse(name, out value)
        );
        memoryModel.Description =
            "sc (sequential consistency) | tso (x86-TSO: writes wait in store buffers) | pso (tso, and relaxed writes may pass older writes, as on ARM64); docs/explorer.md";
        var seed = new Option<ulong?>("--seed")
        {
            Description = "Seed of every random choice (default 0; 1 with --ci).",
        };
        var maxSteps = new Option<int>("--max-steps")
        {
            Description = "Scheduling steps per iteration before it is cut off.",
            DefaultValueFactory = _ => defaults.MaxSteps,
        };
        var failOnMaxSteps = new Option<bool>("--fail-on-max-steps")
        {
            Description = "Report an iteration that reaches --max-steps as a livelock bug.",
        };
        var timeout = new Option<int?>("--timeout")
        {
            Description = "Stop starting iterations after this many seconds in all.",
        };
        var parallel = new Option<int>("--parallel")
        {
            Description =
                "dpor: explore one search with this many worker threads sharing its tree; other strategies: run disjoint shards of the seeds in this many worker processes.",
            DefaultValueFactory = _ => 1,
        };
        var shard = new Option<string?>("--shard")
        {
            Description = "Run only shard I of N (I/N, 0-based); combine reports with 'merge'.",
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "Directory for trace files, timelines (.html) and report.json.",
            DefaultValueFactory = _ => "explore-out",
        };
        var ci = new Option<bool>("--ci")
        {
            Description = "Use each test's CI budget and the fixed CI seed.",
        };
        var reportJson = new Option<string?>("--report-json") { Hidden = true };
        var coverage = new Option<bool>("--coverage")
        {
            Description =
                "List every scheduling point each test reached (count, thread switches) and the product's seam call sites no test reached (coverage.html).",
        };
        var command = new Command(
            "test",
            "Explore tests under a controlled scheduler and report the first bug of each."
        )
        {
            assembly,
            method,
            iterations,
            strategy,
            pctDepth,
            preemptionBound,
            order,
            memoryModel,
            seed,
            maxSteps,
            failOnMaxSteps,
            timeout,
            parallel,
            shard,
            output,
            ci,
            reportJson,
            coverage,
        };
        command.SetAction(result =>
            new TestCommand(view).Run(
                new TestSettings
                {
                    Assembly = result.GetValue(assembly),
                    Method = result.GetValue(method),
                    Iterations = Positive(result.GetValue(iterations), "--iterations"),
                    Strategy = result.GetValue(strategy),
                    PctDepth = Positive(result.GetValue(pctDepth), "--pct-depth")!.Value,
                    PreemptionBound = NotNegative(
                        result.GetValue(preemptionBound),
                        "--preemption-bound"
                    ),
                    Order = result.GetValue(order),
                    MemoryModel = result.GetValue(memoryModel),
                    Seed = result.GetValue(seed),
                    MaxSteps = Positive(result.GetValue(maxSteps), "--max-steps")!.Value,
                    FailOnMaxSteps = result.GetValue(failOnMaxSteps),
                    TimeoutSeconds = Positive(result.GetValue(timeout), "--timeout"),
                    Parallel = result.GetValue(parallel),
                    Shard = result.GetValue(shard) is { } text
                        ? ShardSpec.Parse(text)
                        : ShardSpec.Whole,
                    OutputDirectory = result.GetValue(output)!,
                    Ci = result.GetValue(ci),
                    ReportJson = result.GetValue(reportJson),
                    Coverage = result.GetValue(coverage),
                }
            )
        );
        return command;
    }

    private static Command ReplayCommandLine(ConsoleView view)
    {
        var paths = new Argument<string[]>("PATHS")
        {
            Description =
                $"[ASSEMBLY] TRACEFILE (ASSEMBLY omitted or '{TestCatalog.BuiltIn}': the built-in scenarios).",
            Arity = new ArgumentArity(1, 2),
        };
        var method = MethodOption();
        var html = new Option<string?>("--html")
        {
            Description =
                "Also write the failing schedule's timeline (one lane per thread) to this HTML file.",
        };
        var coverage = CoverageCommandLine.NotOnReplay();
        var command = new Command(
            "replay",
            "Reproduce a bug from its trace file, with the readable interleaving."
        )
        {
            paths,
            method,
            html,
            coverage,
        };
        command.SetAction(result =>
        {
            CoverageCommandLine.RefuseOnReplay(result.GetValue(coverage));
            var given = result.GetValue(paths)!;
            return new ReplayCommand(view).Run(
                given.Length == 2 ? given[0] : null,
                result.GetValue(method),
                given[^1],
                result.GetValue(html)
            );
        });
        return command;
    }

    private static Command ListCommandLine(ConsoleView view)
    {
        var assembly = AssemblyArgument();
        var command = new Command("list", "List the [SystematicTest] methods and their CI budgets.")
        {
            assembly,
        };
        command.SetAction(result => new ListCommand(view).Run(result.GetValue(assembly)));
        return command;
    }

    private static Command MergeCommandLine(ConsoleView view)
    {
        var reports = new Argument<string[]>("REPORTS")
        {
            Description = "report.json files of shards.",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Write the merged report to this file.",
        };
        var command = new Command("merge", "Combine the reports of shards into one table.")
        {
            reports,
            output,
        };
        command.SetAction(result =>
            new MergeCommand(view).Run(result.GetValue(reports)!, result.GetValue(output))
        );
        return command;
    }

    private delegate bool NameParser<T>(string? name, out T value);

    /// <summary>
    /// An option whose values are the names of <typeparamref name="T"/>'s members (<see cref="OptionNames"/>): parsed
    /// here, at the edge, so that an unknown name is a usage error naming the choices.
    /// </summary>
    private static Option<T> NamedOption<T>(
        string[] aliases,
        string what,
        IReadOnlyList<string> names,
        T defaultValue,
        string defaultName,
        NameParser<T> parse
    ) =>
        new(aliases[0], aliases[1..])
        {
            HelpName = string.Join("|", names),
            DefaultValueFactory = _ => defaultValue,
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : null;
                if (parse(text, out var value))
                {
                    return value;
                }
                result.AddError(
                    $"Unknown {what} '{text}'; use one of: {string.Join(", ", names)} (default {defaultName})."
                );
                return defaultValue;
            },
        };

    private static int? NotNegative(int? value, string name) =>
        value is < 0 ? throw new UsageException($"{name} must be 0 or more (got {value}).") : value;

    private static int? Positive(int? value, string name) =>
        value is <= 0 ? throw new UsageException($"{name} must be positive (got {value}).") : value;
}
