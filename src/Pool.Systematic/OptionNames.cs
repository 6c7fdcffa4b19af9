namespace Pool.Systematic;

/// <summary>
/// The one place where <see cref="Strategy"/>, <see cref="MemoryModel"/> and <see cref="SearchOrder"/> meet text: the command line's values, the
/// trace header and the reports. A name is the member's name in lower case (<c>portfolio</c>, <c>tso</c>).
/// </summary>
public static class OptionNames
{
    /// <summary>Every strategy's name, in declaration order.</summary>
    public static IReadOnlyList<string> Strategies { get; } =
    [.. Enum.GetValues<Strategy>().Select(Of)];

    /// <summary>Every memory model's name, in declaration order.</summary>
    public static IReadOnlyList<string> MemoryModels { get; } =
    [.. Enum.GetValues<MemoryModel>().Select(Of)];

    /// <summary>Every search order's name, in declaration order.</summary>
    public static IReadOnlyList<string> SearchOrders { get; } =
    [.. Enum.GetValues<SearchOrder>().Select(Of)];

    /// <summary>The search order's name on the command line.</summary>
    public static string Of(SearchOrder order) => order.ToString().ToLowerInvariant();

    /// <summary>The search order named <paramref name="name"/> (exactly as <see cref="Of(SearchOrder)"/> writes it).</summary>
    public static bool TryParse(string? name, out SearchOrder order) =>
        TryParseExact(name, out order);

    /// <summary>The strategy's name on the command line.</summary>
    public static string Of(Strategy strategy) => strategy.ToString().ToLowerInvariant();

    /// <summary>The memory model's name on the command line and in a trace header.</summary>
    public static string Of(MemoryModel model) => model.ToString().ToLowerInvariant();

    /// <summary>The strategy named <paramref name="name"/> (exactly as <see cref="Of(Strategy)"/> writes it).</summary>
    public static bool TryParse(string? name, out Strategy strategy) =>
        TryParseExact(name, out strategy);

    /// <summary>The memory model named <paramref name="name"/> (exactly as <see cref="Of(MemoryModel)"/> writes it).</summary>
    public static bool TryParse(string? name, out MemoryModel model) =>
        TryParseExact(name, out model);

    private static bool TryParseExact<TEnum>(string? name, out TEnum value)
        where TEnum : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<TEnum>())
        {
            if (candidate.ToString().ToLowerInvariant() == name)
            {
                value = candidate;
                return true;
            }
        }
        value = default;
        return false;
    }
}
