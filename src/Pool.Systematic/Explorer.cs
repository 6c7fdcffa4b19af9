using System.Diagnostics;
using Pool.Systematic.Coverage;
using Pool.Systematic.Runtime;
using Pool.Systematic.Strategies;
using Pool.Systematic.Traces;
using Pool.Threading;

namespace Pool.Systematic;

/// <summary>
/// Runs a concurrent test many times under a controlled scheduler, one reproducible interleaving per
/// iteration, and reports the first failing one as a replayable, minimised trace.
/// </summary>
/// <remarks>
/// Call from any ordinary thread (not from a controlled one). The test receives an <see cref="IThreading"/>
/// it must use for every thread, lock, condition, atomic, thread-local and clock; code that blocks behind
/// its back is reported as uncontrolled blocking by the watchdog. Explorations may run concurrently on
/// different threads; each iteration's threads run one at a time.
/// </remarks>
public static class Explorer
{
    private const int MinimizeMaxRuns = 2000;
    private static readonly TimeSpan MinimizeMaxTime = TimeSpan.FromSeconds(20);

    /// <summary>Explores <paramref name="test"/> and reports the first bug, if any.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="test"/> is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid (unknown strategy, non-positive iterations, bad shard).</exception>
    /// <exception cref="InvalidOperationException">
    /// Nothing was explored: the test never reached a scheduling point (it does not go through the seam).
    /// </exception>
    public static ExplorationReport Run(Action<IThreading> test, ExplorationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(test);
        options ??= new ExplorationOptions();
        StrategyFactory.Validate(options);
        var strategy = StrategyFactory.Create(options);
        var clock = Stopwatch.StartNew();
        var statistics = new RunStatistics();
        IterationResult? failing = null;
        var finished = false;
        var outOfTime = false;
        var reachedPoint = false;
        string? failingStrategy = null;
        // dpor shards its tree itself (each shard meets every iteration's prefix); the others deal out iterations.
        var sharedByStrategy = options.Strategy == Strategy.Dpor;
        var coverage = options.Coverage ? new CoverageRecorder() : null;
        for (
            long index = sharedByStrategy ? 0 : options.ShardIndex;
            index < options.Iterations;
            index += sharedByStrategy ? 1 : options.ShardCount
        )
        {
            if (options.TimeLimit is { } limit && clock.Elapsed > limit)
            {
                outOfTime = true;
                break;
            }
            strategy.BeginIteration(index);
            var result = RunOnce(test, strategy, options, captureLocations: false, coverage);
            reachedPoint |= result.Steps > 1 || result.Bug is not null;
            var more = strategy.EndIteration(result.Steps);
            if (strategy is DporStrategy { LastIterationForeign: true })
            {
                result = result with { Pruned = true };
            }
            statistics.Add(result);
            options.Progress?.Invoke(statistics.Iterations);
            if (result.Bug is not null)
            {
                failing = result;
                statistics.BugIteration = (int)index + 1;
                failingStrategy = strategy is PortfolioStrategy portfolio
                    ? portfolio.Current.Name
                    : strategy.Name;
                break;
            }
            if (!more)
            {
                finished = true;
                break;
            }
        }
        if (failing is null && statistics.Iterations > 0 && !reachedPoint)
        {
            throw new InvalidOperationException(
                "Nothing was explored: the test body never reached a scheduling point, so no two schedules differ. "
                    + "Its threads, locks, conditions and atomics must come from the IThreading it receives."
            );
        }
        if (failing is null)
        {
            return WithCoverage(
                statistics.Report(
                    clock.Elapsed,
                    End(options, finished, outOfTime, statistics),
                    bound: options.PreemptionBound
                ),
                coverage
            );
        }
        var reported = failing;
        if (options.Minimize && failing.Bug!.Kind != BugKind.UncontrolledBlocking)
        {
            reported = new Minimizer(
                guided =>
                {
                    guided.BeginIteration(0);
                    return RunOnce(test, guided, options, captureLocations: false);
                },
                MinimizeMaxRuns,
                MinimizeMaxTime
            ).Minimize(failing);
        }
        var rendered = Render(test, reported, options);
        return WithCoverage(
            statistics.Report(
                clock.Elapsed,
                SearchEnd.BugFound,
                failing,
                rendered,
                failingStrategy,
                options.PreemptionBound
            ),
            coverage
        );
    }

    private static SearchEnd End(
        ExplorationOptions options,
        bool finished,
        bool outOfTime,
        RunStatistics statistics
    )
    {
        if (options.Strategy is not (Strategy.Dfs or Strategy.Dpor))
        {
            return SearchEnd.Sampled;
        }
        if (!finished)
        {
            return outOfTime ? SearchEnd.CutByTime : SearchEnd.CutByIterations;
        }
        return statistics.MaxStepsHits > 0 ? SearchEnd.CutBySteps : SearchEnd.Exhaustive;
    }

    private static ExplorationReport WithCoverage(
        ExplorationReport report,
        CoverageRecorder? coverage
    )
    {
        if (coverage is not null)
        {
            report.Coverage = coverage.Points();
        }
        return report;
    }

    /// <summary>
    /// Runs <paramref name="test"/> once, following <paramref name="trace"/> exactly. The report has
    /// <see cref="ExplorationReport.BugFound"/> set when the bug reproduces, and
    /// <see cref="ExplorationReport.Diverged"/> set (kind <see cref="BugKind.Divergence"/>) when the code no
    /// longer follows the trace.
    /// </summary>
    /// <exception cref="FormatException"><paramref name="trace"/> is not a trace this explorer wrote.</exception>
    public static ExplorationReport Replay(
        Action<IThreading> test,
        string trace,
        ExplorationOptions? options = null
    )
    {
        ArgumentNullException.ThrowIfNull(test);
        var (decisions, memoryModel, guardsBlocking) = TraceCodec.Decode(trace);
        options ??= new ExplorationOptions();
        // The trace names its memory model: a tso trace replays under tso whatever the options say.
        options = options with
        {
            MaxSteps = Math.Max(options.MaxSteps, decisions.Count),
            MemoryModel = memoryModel,
        };
        var clock = Stopwatch.StartNew();
        var strategy = new ReplayStrategy(decisions, guardsBlocking);
        strategy.BeginIteration(0);
        var result = RunOnce(test, strategy, options, captureLocations: true);
        var statistics = new RunStatistics();
        statistics.Add(result);
        if (result.Bug is not null)
        {
            statistics.BugIteration = 1;
            return statistics.Report(clock.Elapsed, SearchEnd.BugFound, result, result, "replay");
        }
        return statistics.Report(clock.Elapsed, SearchEnd.Sampled);
    }

    private static IterationResult RunOnce(
        Action<IThreading> test,
        ISchedulingStrategy strategy,
        ExplorationOptions options,
        bool captureLocations,
        CoverageRecorder? coverage = null
    ) =>
        new Iteration(
            strategy,
            options.MaxSteps,
            options.FailOnMaxSteps,
            captureLocations,
            options.MemoryModel
        )
        {
            Coverage = coverage,
        }.Run(test, options.Watchdog);

    /// <summary>Replays the reported schedule with source locations; keeps the unrendered run if that diverges.</summary>
    private static IterationResult Render(
        Action<IThreading> test,
        IterationResult reported,
        ExplorationOptions options
    )
    {
        if (reported.Bug!.Kind == BugKind.UncontrolledBlocking)
        {
            return reported;
        }
        var replay = new ReplayStrategy(reported.Decisions, reported.GuardsBlocking);
        replay.BeginIteration(0);
        var rendered = RunOnce(
            test,
            replay,
            options with
            {
                MaxSteps = Math.Max(options.MaxSteps, reported.Steps),
            },
            true
        );
        return rendered.Bug?.Signature == reported.Bug.Signature ? rendered : reported;
    }
}
