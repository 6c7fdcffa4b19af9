using System.Runtime.CompilerServices;
using Pool.Systematic;
using Pool.Systematic.Coverage;
using Pool.Threading;

namespace Coyote.Tests.Engine;

/// <summary>What --coverage counts at a scheduling point, and the seam call sites found statically in the product.</summary>
public class CoverageTests
{
    // Returns 1, and the line it was called from: the line of the seam call it is an argument of.
    private static long Mark(ref int line, [CallerLineNumber] int caller = 0)
    {
        line = caller;
        return 1;
    }

    private static PointCoverage At(ExplorationReport report, string operation, int line) =>
        Assert.Single(
            report.Coverage,
            p =>
                p.Operation == operation
                && p.Line == line
                && Path.GetFileName(p.File) == "CoverageTests.cs"
        );

    [Fact]
    public void CountsEveryPointReachedAndWhetherAScheduleSwitchedThere()
    {
        int alone = 0,
            started = 0,
            raced = 0;
        void Body(IThreading threading)
        {
            var counter = threading.CreateAtomic();
            counter.Add(Mark(ref alone)); // the only thread: nobody to switch to
            var worker = threading.Start(() => counter.Add(1), $"worker{Mark(ref started)}");
            counter.Add(Mark(ref raced)); // the worker can run here instead
            worker.Join();
        }

        var report = Explorer.Run(
            Body,
            new ExplorationOptions
            {
                Strategy = Strategy.Dfs,
                Iterations = 1000,
                Coverage = true,
            }
        );

        Assert.True(report.Exhausted);
        var first = At(report, "Atomic.Add", alone);
        Assert.Equal(report.Iterations, first.Count);
        Assert.False(first.Switched);
        var start = At(report, "Start", started);
        Assert.Equal(report.Iterations, start.Count);
        Assert.False(start.Switched);
        var second = At(report, "Atomic.Add", raced);
        Assert.Equal(report.Iterations, second.Count);
        Assert.True(second.Switched);
        // dfs takes both branches there: some schedules switch, the others let the body go on.
        Assert.InRange(second.Switches, 1, second.Count - 1);
    }

    [Fact]
    public void WithoutTheOptionNothingIsCounted()
    {
        var report = Explorer.Run(
            threading => threading.CreateAtomic().Add(1),
            new ExplorationOptions { Iterations = 5 }
        );
        Assert.Empty(report.Coverage);
    }

    [Fact]
    public void FindsTheProductsSeamCallsWithTheirLines()
    {
        var sites = SeamCallSites.InProduct();

        // IdleConsumers.Sleep: a lock held around a loop of exchange and wait, released in a finally.
        var sleep = sites.Where(s => s.Method == "IdleConsumers.Sleep").ToList();
        Assert.Equal(
            ["Lock.Enter", "Atomic.Exchange", "Condition.Wait", "Atomic.Write", "Lock.Exit"],
            sleep.Select(s => s.Operation)
        );
        Assert.All(sleep, s => Assert.EndsWith("IdleConsumers.cs", s.File));
        Assert.Equal([false, false, false, false, true], sleep.Select(s => s.InFinally));
        // Each site's line starts the statement that calls its member (a condition may go on for a line or two).
        Assert.All(
            sites,
            s =>
                Assert.Contains(
                    $".{Member(s.Operation)}(",
                    string.Join('\n', File.ReadLines(Source(s.File)).Skip(s.Line - 1).Take(3))
                )
        );
        Assert.Contains(sites, s => s.Operation == "Start" && s.Method == "ThreadPool.StartWorker");
    }

    private static string Member(string operation) =>
        operation.Contains('.') ? operation[(operation.IndexOf('.') + 1)..] : operation;

    // A deterministic (CI) build maps the source root to "/_/" in the PDB: read such a file from this checkout.
    private static string Source(string file)
    {
        if (!file.StartsWith("/_/", StringComparison.Ordinal))
        {
            return file;
        }
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Pool.sln")))
        {
            directory = directory.Parent;
        }
        return Path.Combine(
            directory?.FullName
                ?? throw new InvalidOperationException("no Pool.sln above the tests"),
            file["/_/".Length..]
        );
    }
}
