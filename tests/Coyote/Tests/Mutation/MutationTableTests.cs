using Coyote.MutationReport;

namespace Coyote.Tests.Mutation;

/// <summary>The time-to-the-first-bug table's arithmetic and formatting, on results made up for the purpose.</summary>
public class MutationTableTests
{
    [Fact]
    public void TheMedianIsTheMiddleValueOrTheMeanOfTheMiddleTwo()
    {
        Assert.Equal(3, TableRow.Median([9, 1, 3]));
        Assert.Equal(4, TableRow.Median([9, 1, 3, 5]));
        Assert.Equal(7, TableRow.Median([7]));
        Assert.True(double.IsNaN(TableRow.Median([])));
    }

    [Fact]
    public void AKillResultLineCarriesBothTimesAndTheMessage()
    {
        var result = new KillResult(
            false,
            83,
            0.125,
            "Deadlock: a\tb",
            ProcessSeconds: 0.5,
            Unconfirmed: true
        );

        var read = KillResult.FromOutput($"noise\n{result.ToLine()}\n");

        Assert.Equal(result, read);
    }

    [Fact]
    public void ACellIsTheMedianOverTheKillingSeedsWithTheirCount()
    {
        var row = Row(
            explorer: Cell("bug", Kill(10, 0.10, 0.30), Kill(30, 0.30, 0.50), Survived()),
            coyote: Cell("bug", Kill(4, 0.60, 0.90), Kill(6, 0.80, 1.10), Kill(2, 0.40, 0.70))
        );

        Assert.Equal(
            "| M | S | 20 (2/3) | 4 (3/3) | 0.20 | 0.60 | 0.40 | 0.90 | explorer 3.0x | not run: no proof | - | - |",
            row.ToMarkdown()
        );
    }

    [Fact]
    public void AnotherBugIsNotAKillAndIsCountedApart()
    {
        var explorer = Cell("bug", Kill(5, 0.1, 0.2), new KillResult(true, 7, 0.1, "another", 0.2));

        var row = Row(explorer, EngineCell.Skipped("a missing fence"));

        Assert.StartsWith(
            "| M | S | 5 (1/2, 1 other bug) | not run: a missing fence | 0.10 | - |",
            row.ToMarkdown()
        );
        Assert.Equal("-", row.Faster());
    }

    [Fact]
    public void AFindWhoseMinimisedTraceEndedOtherwiseCountsAndIsMarked()
    {
        var found = new KillResult(false, 3, 0.2, "bug", 0.4, Unconfirmed: true);
        var explorer = Cell("bug", found, Kill(5, 0.4, 0.6), Survived());

        Assert.StartsWith(
            "| M | S | 4 (2/3, 1 not replayed) |",
            Row(explorer, EngineCell.Skipped("x")).ToMarkdown()
        );
    }

    [Fact]
    public void TheFasterEngineIsNamedWithItsFactorAndNearlyEqualTimesAreTheSame()
    {
        Assert.Equal(
            "Coyote 2.0x",
            Row(Cell("bug", Kill(1, 0.40, 0.5)), Cell("bug", Kill(1, 0.20, 0.3))).Faster()
        );
        Assert.Equal(
            "same",
            Row(Cell("bug", Kill(1, 0.200, 0.5)), Cell("bug", Kill(1, 0.205, 0.5))).Faster()
        );
    }

    [Fact]
    public void DporShowsItsSchedulesAndConfigurationOrWhatItsSearchEndedWith()
    {
        var found = Row(
            Cell("bug", Kill(1, 0.1, 0.2)),
            Cell("bug", Kill(1, 0.1, 0.2)),
            dpor: Cell("bug", Kill(2376, 1.51, 2.0))
        );
        var notFound = Row(
            Cell("bug", Kill(1, 0.1, 0.2)),
            Cell("bug", Kill(1, 0.1, 0.2)),
            dpor: Cell("bug", new KillResult(false, 256, 0.3, "exhaustive", 0.5))
        );

        Assert.EndsWith("| 2,376 (P.S, k=2) | 1.51 | - |", found.ToMarkdown());
        Assert.EndsWith("| not found: exhaustive (P.S, k=2) | - | - |", notFound.ToMarkdown());
    }

    [Fact]
    public void TheSummaryCountsEachEnginesLeadAndNamesWhereCoyoteLeads()
    {
        TableRow[] rows =
        [
            Row(Cell("bug", Kill(10, 0.1, 0.3)), Cell("bug", Kill(20, 0.5, 0.9)), "A"),
            Row(Cell("bug", Kill(30, 0.9, 1.1)), Cell("bug", Kill(6, 0.3, 0.4)), "B"),
            Row(Cell("bug", Kill(5, 0.2, 0.4)), Cell("bug", Kill(5, 0.2, 0.4)), "C"),
            Row(Cell("bug", Survived()), Cell("bug", Kill(5, 0.2, 0.4)), "D"),
        ];

        var lines = TableSummary.Lines(rows);

        Assert.Equal(
            [
                "Both sampling engines killed 3 of 4 mutants (on at least one seed).",
                "In search seconds (median), the explorer is ahead on 1, Coyote on 1 (B 0.90 against 0.30), the same within 5% on 1.",
                "In seconds from the process's start (median), the explorer is ahead on 1, Coyote on 1 (B 1.10 against 0.40), the same within 5% on 1.",
                "In iterations (median), the explorer is ahead on 1, Coyote on 1 (B 30 against 6), equal on 1.",
                "Seeds that did not kill: explorer D (0/1); Coyote none.",
            ],
            lines
        );
    }

    private static KillResult Kill(int iterations, double seconds, double fromStart) =>
        new(true, iterations, seconds, "bug", fromStart);

    private static KillResult Survived() => new(false, 2000, 1.0, "", 1.2);

    private static EngineCell Cell(string bug, params KillResult[] runs) =>
        EngineCell.Of(runs, message => message == bug);

    private static TableRow Row(
        EngineCell explorer,
        EngineCell coyote,
        string mutant = "M",
        EngineCell? dpor = null
    ) =>
        new(
            mutant,
            "S",
            explorer,
            coyote,
            dpor ?? EngineCell.Skipped("no proof"),
            dpor is null ? null : "P.S, k=2",
            null,
            null
        );
}
