using System.Globalization;

namespace Pool.Explorer;

/// <summary>A slice <c>I/N</c> of an exploration's iterations (0-based index I of N shards).</summary>
internal readonly record struct ShardSpec(int Index, int Count)
{
    internal static ShardSpec Whole => new(0, 1);

    /// <exception cref="UsageException">The text is not <c>I/N</c> with 0 &lt;= I &lt; N.</exception>
    internal static ShardSpec Parse(string text)
    {
        var parts = text.Split('/');
        if (
            parts.Length == 2
            && int.TryParse(
                parts[0],
                NumberStyles.None,
                CultureInfo.InvariantCulture,
                out var index
            )
            && int.TryParse(
                parts[1],
                NumberStyles.None,
                CultureInfo.InvariantCulture,
                out var count
            )
            && count > 0
            && index < count
        )
        {
            return new ShardSpec(index, count);
        }
        throw new UsageException($"--shard '{text}' is not I/N with 0 <= I < N (for example 0/4).");
    }

    public override string ToString() => $"{Index}/{Count}";
}
