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
        var clock = Stopwatch.StartNew();
        var search =
            options.Workers > 1
                ? SearchTogether(test, options, clock)
                : Search(test, options, clock);
        var statistics = search.Statistics;
        var failing = search.Failing;
        var coverage = search.CoveragePoints;
        if (failing is null && statistics.Iterations > 0 && !search.ReachedPoint)
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
                    End(options, search.Finished, search.OutOfTime, statistics),
                    bound: options.PreemptionBound,
                    workers: search.SchedulesPerWorker
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
                search.FailingStrategy,
                options.PreemptionBound,
                search.SchedulesPerWorker
            ),
            coverage
        );
    }

    /// <summary>One worker runs the iterations in turn.</summary>
    private static SearchResult Search(
        Action<IThreading> test,
        ExplorationOptions options,
        Stopwatch clock
    )
    {
        var strategy = StrategyFactory.Create(options);
        var result = new SearchResult();
        var recorder = options.Coverage ? new CoverageRecorder() : null;
        var statistics = result.Statistics;
        // dpor shards its tree itself (each shard meets every iteration's prefix); the others deal out iterations.
        var sharedByStrategy = options.Strategy == Strategy.Dpor;
        for (
            long index = sharedByStrategy ? 0 : options.ShardIndex;
            index < options.Iterations;
            index += sharedByStrategy ? 1 : options.ShardCount
        )
        {
            if (options.TimeLimit is { } limit && clock.Elapsed > limit)
            {
                result.OutOfTime = true;
                break;
            }
            strategy.BeginIteration(index);
            var run = RunOnce(test, strategy, options, captureLocations: false, recorder);
            result.ReachedPoint |= run.Steps > 1 || run.Bug is not null;
            var more = strategy.EndIteration(run.Steps);
            if (strategy is DporStrategy { LastIterationForeign: true })
            {
                run = run with { Pruned = true };
            }
            statistics.Add(run);
            options.Progress?.Invoke(statistics.Iterations);
            if (run.Bug is not null)
            {
                result.Failing = run;
                statistics.BugIteration = (int)index + 1;
                result.FailingStrategy = strategy is PortfolioStrategy portfolio
                    ? portfolio.Current.Name
                    : strategy.Name;
                break;
            }
            if (!more)
            {
                result.Finished = true;
                break;
            }
        }
        result.CoveragePoints = recorder?.Points();
        return result;
    }

    /// <summary>
    /// <see cref="ExplorationOptions.Workers"/> threads explore one dpor search, sharing its tree (see
    /// <see cref="DporSearch"/>), the budget of iterations and time, and the first bug.
    /// </summary>
    private static SearchResult SearchTogether(
        Action<IThreading> test,
        ExplorationOptions options,
        Stopwatch clock
    )
    {
        var search = new DporSearch(options.Workers, options.Order);
        var result = new SearchResult();
        var gate = new object();
        long started = 0;
        var workers = new (Thread Thread, RunStatistics Statistics, CoverageRecorder? Coverage)[
            options.Workers
        ];
        Exception? crash = null;
        for (var w = 0; w < workers.Length; w++)
        {
            var strategy = new DporStrategy(options.PreemptionBound, search: search);
            var statistics = new RunStatistics();
            var coverage = options.Coverage ? new CoverageRecorder() : null;
            var thread = new Thread(() =>
            {
                try
                {
                    Work(strategy, statistics, coverage);
                }
                catch (Exception exception)
                {
                    lock (gate)
                    {
                        crash ??= exception;
                    }
                    search.Stop();
                }
            })
            {
                IsBackground = true,
                Name = $"dpor-worker-{w}",
            };
            workers[w] = (thread, statistics, coverage);
        }
        foreach (var worker in workers)
        {
            worker.Thread.Start();
        }
        foreach (var worker in workers)
        {
            worker.Thread.Join();
        }
        if (crash is not null)
        {
            throw new InvalidOperationException("A dpor worker failed: " + crash.Message, crash);
        }
        foreach (var worker in workers)
        {
            result.Statistics.Merge(worker.Statistics);
        }
        result.Statistics.BugIteration = result.BugIteration;
        result.SchedulesPerWorker = [.. workers.Select(w => w.Statistics.Schedules)];
        if (options.Coverage)
        {
            result.CoveragePoints = PointCoverage.Merge(workers.Select(w => w.Coverage!.Points()));
        }
        result.Finished = search.Exhausted;
        return result;

        void Work(DporStrategy strategy, RunStatistics statistics, CoverageRecorder? coverage)
        {
            if (!strategy.JoinSearch())
            {
                return;
            }
            while (true)
            {
                if (options.TimeLimit is { } limit && clock.Elapsed > limit)
                {
                    lock (gate)
                    {
                        result.OutOfTime = true;
                    }
                    search.Stop();
                    return;
                }
                var index = Interlocked.Increment(ref started) - 1;
                if (index >= options.Iterations)
                {
                    search.Stop();
                    return;
                }
                strategy.BeginIteration(index);
                var run = RunOnce(test, strategy, options, captureLocations: false, coverage);
                if (run.Bug is not null)
                {
                    statistics.Add(run);
                    lock (gate)
                    {
                        result.ReachedPoint = true;
                        if (result.Failing is null)
                        {
                            result.Failing = run;
                            result.BugIteration = (int)index + 1;
                            result.FailingStrategy = strategy.Name;
                        }
                    }
                    search.Stop();
                    return;
                }
                var more = strategy.EndIteration(run.Steps);
                statistics.Add(run);
                lock (gate)
                {
                    result.ReachedPoint |= run.Steps > 1;
                    options.Progress?.Invoke(
                        (int)Math.Min(Interlocked.Read(ref started), options.Iterations)
                    );
                }
                if (!more)
                {
                    return;
                }
            }
        }
    }

    /// <summary>What a search ran and found, before the report is built.</summary>
    private sealed class SearchResult
    {
        internal RunStatistics Statistics { get; } = new();
        internal IterationResult? Failing { get; set; }
        internal int? BugIteration { get; set; }
        internal string? FailingStrategy { get; set; }
        internal bool Finished { get; set; }
        internal bool OutOfTime { get; set; }
        internal bool ReachedPoint { get; set; }
        internal IReadOnlyList<PointCoverage>? CoveragePoints { get; set; }
        internal IReadOnlyList<int>? SchedulesPerWorker { get; set; }
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
        IReadOnlyList<PointCoverage>? coverage
    )
    {
        if (coverage is not null)
        {
            report.Coverage = coverage;
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
