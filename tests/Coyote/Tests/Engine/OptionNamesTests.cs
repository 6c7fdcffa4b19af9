using Pool.Systematic;

namespace Coyote.Tests.Engine;

/// <summary>
/// Strategy and memory model meet text in one place: every member has one name, the name parses back to it, and
/// nothing else parses (the command line and the trace header rely on both).
/// </summary>
public class OptionNamesTests
{
    [Fact]
    public void EveryStrategyRoundTripsThroughItsName()
    {
        Assert.Equal(["portfolio", "random", "pct", "dfs", "dpor"], OptionNames.Strategies);
        foreach (var strategy in Enum.GetValues<Strategy>())
        {
            Assert.True(OptionNames.TryParse(OptionNames.Of(strategy), out Strategy parsed));
            Assert.Equal(strategy, parsed);
        }
    }

    [Fact]
    public void EveryMemoryModelRoundTripsThroughItsName()
    {
        Assert.Equal(["sc", "tso", "pso"], OptionNames.MemoryModels);
        foreach (var model in Enum.GetValues<MemoryModel>())
        {
            Assert.True(OptionNames.TryParse(OptionNames.Of(model), out MemoryModel parsed));
            Assert.Equal(model, parsed);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("Pct")]
    [InlineData("bfs")]
    [InlineData("0")]
    public void NothingButANameParses(string? text)
    {
        Assert.False(OptionNames.TryParse(text, out Strategy _));
        Assert.False(OptionNames.TryParse(text, out MemoryModel _));
    }

    [Fact]
    public void TheDefaultsAreThePortfolioUnderSequentialConsistency()
    {
        var defaults = new ExplorationOptions();
        Assert.Equal(Strategy.Portfolio, defaults.Strategy);
        Assert.Equal(MemoryModel.Sc, defaults.MemoryModel);
    }

    [Fact]
    public void AnUndefinedStrategyIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Explorer.Run(_ => { }, new ExplorationOptions { Strategy = (Strategy)42 })
        );
        Assert.Contains(
            "Unknown strategy 42; use one of: portfolio, random, pct, dfs, dpor",
            error.Message
        );
    }
}
