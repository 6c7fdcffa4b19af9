using System.Diagnostics;

namespace Coyote.MutationReport;

/// <summary>
/// Times a search the same way under every engine: from just before the engine is called to the end of the last
/// iteration it ran (the failing one, for a kill), as the engine's end-of-iteration callback reports it. What an
/// engine does after that iteration (the explorer draws the failing schedule, Coyote builds its report and trace) is
/// not the search's.
/// </summary>
internal sealed class SearchClock
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly double _processSecondsAtStart = KillResult.SinceProcessStart();
    private TimeSpan _lastIterationEnded;

    /// <summary>Call at the end of every iteration.</summary>
    internal void IterationEnded() => _lastIterationEnded = _clock.Elapsed;

    /// <summary>Seconds from the start to the end of the last iteration.</summary>
    internal double Seconds => _lastIterationEnded.TotalSeconds;

    /// <summary>Seconds from this process's start to the end of the last iteration.</summary>
    internal double ProcessSeconds => _processSecondsAtStart + Seconds;
}
