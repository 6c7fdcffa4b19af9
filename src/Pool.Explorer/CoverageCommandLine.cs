using System.CommandLine;

namespace Pool.Explorer;

/// <summary>The <c>--coverage</c> option where it does not apply: accepted by the parser, refused with a reason.</summary>
internal static class CoverageCommandLine
{
    /// <summary>A hidden <c>--coverage</c> for <c>replay</c>, so that it is refused with a reason rather than as unknown.</summary>
    internal static Option<bool> NotOnReplay() => new("--coverage") { Hidden = true };

    /// <exception cref="UsageException"><paramref name="given"/> is true.</exception>
    internal static void RefuseOnReplay(bool given)
    {
        if (given)
        {
            throw new UsageException(
                "--coverage applies to 'test' only: a replay runs one recorded schedule, which says nothing of what "
                    + "an exploration covers. Run 'pool-explore test -m METHOD --coverage' instead."
            );
        }
    }
}
