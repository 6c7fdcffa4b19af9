using System.Globalization;
using System.Text;
using Pool.Systematic.Runtime;

namespace Pool.Systematic.Traces;

/// <summary>
/// The trace text: <c>pool-trace/1:</c> then the decisions separated by dots, each a thread id or <c>v</c>
/// and a chosen value, with <c>*n</c> for n repeats, e.g. <c>pool-trace/1:0*3.1.v2.0*2</c>.
/// </summary>
internal static class TraceCodec
{
    private const string Header = "pool-trace/1:";

    /// <summary>A trace's first word: the format, and the memory model unless it is the default.</summary>
    // A trace of dpor says so: dpor never offers a thread whose lock is held or whose join target runs, so its
    // decisions only replay under the same rule (Iteration.GuardsBlocking). dpor explores sc only.
    private const string GuardedHeader = "pool-trace/1/guarded:";

    private static string HeaderOf(MemoryModel memoryModel) =>
        memoryModel == MemoryModel.Sc ? Header : $"pool-trace/1/{OptionNames.Of(memoryModel)}:";

    // A trace explored under a store-buffer memory model names it (pool-trace/1/tso:): its flush choices only make
    // sense there. A sequentially consistent trace keeps the plain header.
    internal static string Encode(
        IReadOnlyList<Decision> decisions,
        MemoryModel memoryModel = MemoryModel.Sc,
        bool guardsBlocking = false
    )
    {
        var text = new StringBuilder(guardsBlocking ? GuardedHeader : HeaderOf(memoryModel));
        for (var i = 0; i < decisions.Count; )
        {
            var run = 1;
            while (i + run < decisions.Count && decisions[i + run] == decisions[i])
            {
                run++;
            }
            if (i > 0)
            {
                text.Append('.');
            }
            if (decisions[i].IsValue)
            {
                text.Append('v');
            }
            text.Append(decisions[i].Choice.ToString(CultureInfo.InvariantCulture));
            if (run > 1)
            {
                text.Append('*').Append(run.ToString(CultureInfo.InvariantCulture));
            }
            i += run;
        }
        return text.ToString();
    }

    /// <summary>The decisions of a trace, and the memory model it was explored under.</summary>
    /// <exception cref="FormatException">The text is not a trace in this format.</exception>
    internal static (List<Decision> Decisions, MemoryModel MemoryModel, bool GuardsBlocking) Decode(
        string trace
    )
    {
        ArgumentNullException.ThrowIfNull(trace);
        trace = trace.Trim();
        if (trace.StartsWith(GuardedHeader, StringComparison.Ordinal))
        {
            var (guarded, _, _) = Decode(Header + trace[GuardedHeader.Length..]);
            return (guarded, MemoryModel.Sc, true);
        }
        // "pool-trace/1:" is a prefix of no other header, so at most one model's header matches.
        var memoryModel = Enum.GetValues<MemoryModel>()
            .FirstOrDefault(
                model => trace.StartsWith(HeaderOf(model), StringComparison.Ordinal),
                MemoryModel.Sc
            );
        var header = HeaderOf(memoryModel);
        if (!trace.StartsWith(header, StringComparison.Ordinal))
        {
            throw new FormatException(
                $"Not a pool-explore trace: it must start with '{Header}' (or pool-trace/1/tso:, pool-trace/1/pso:, pool-trace/1/guarded:)."
            );
        }
        var decisions = new List<Decision>();
        var body = trace[header.Length..];
        if (body.Length == 0)
        {
            return (decisions, memoryModel, false);
        }
        foreach (var token in body.Split('.'))
        {
            var star = token.IndexOf('*', StringComparison.Ordinal);
            var choice = star < 0 ? token : token[..star];
            var run = star < 0 ? 1 : Number(token[(star + 1)..], token);
            var isValue = choice.StartsWith('v');
            var decision = new Decision(isValue, Number(isValue ? choice[1..] : choice, token));
            if (run < 1)
            {
                throw new FormatException($"Bad repeat count in trace token '{token}'.");
            }
            decisions.AddRange(Enumerable.Repeat(decision, run));
        }
        return (decisions, memoryModel, false);
    }

    private static int Number(string text, string token) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"Bad trace token '{token}'.");
}
