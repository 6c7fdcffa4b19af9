using Pool.Diagnostics;
using Pool.Threading;

namespace Pool;

/// <summary>
/// One worker thread of a <see cref="ThreadPool"/>. <see cref="Handle"/> is written under the pool
/// lock before the thread can leave; the two flags are written and read only by the worker's own
/// thread (from inside the task it runs), so they need no lock.
/// </summary>
internal sealed class Worker(string name)
{
    public string Name { get; } = name;

    public IThreadHandle? Handle { get; set; }

    /// <summary>The running task called <see cref="ThreadPool.Exit"/>: leave after it returns.</summary>
    public bool ExitRequested { get; set; }

    /// <summary>The running task destroyed the pool: the worker already left the count and ends after the task.</summary>
    public bool Detached { get; set; }

    private readonly PaddedCount _tasksStarted = new(); // incremented by the worker's own thread only

    /// <summary>Tasks this worker took and ran (any thread; see <see cref="PoolCounts"/>).</summary>
    public long TasksStarted => _tasksStarted.Value;

    /// <summary>The worker's own thread, before it runs a task: a plain store on a line of its own.</summary>
    public void CountStarted() => _tasksStarted.Increment();
}
