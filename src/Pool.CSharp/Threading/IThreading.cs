namespace Pool.Threading;

/// <summary>
/// Everything that orders threads, behind one seam. Product code (the pool, the executor, the
/// reactor) calls only this interface, never <c>System.Threading</c>, so that the systematic
/// explorer can substitute a controlled implementation that decides every interleaving.
/// </summary>
/// <remarks>
/// <see cref="OsThreading.Instance"/> is the production implementation over real threads.
/// Every member may be called from any thread the implementation knows (for the OS
/// implementation, any thread; for a controlled implementation, only its controlled threads).
/// </remarks>
public interface IThreading
{
    /// <summary>Starts a new thread running <paramref name="body"/>.</summary>
    /// <param name="body">The thread's code. An exception escaping it is the caller's bug:
    /// on OS threads it ends the process, under the explorer it is reported.</param>
    /// <param name="name">A name for diagnostics, or null.</param>
    /// <returns>A handle that can be joined exactly once.</returns>
    IThreadHandle Start(Action body, string? name = null);

    /// <summary>Starts a new thread with the given stack size in bytes (0 = the platform default).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stackSize"/> is negative.</exception>
    /// <exception cref="OutOfMemoryException">The platform could not create the thread.</exception>
    IThreadHandle Start(Action body, string? name, int stackSize);

    /// <summary>Creates a non-reentrant mutual-exclusion lock.</summary>
    ILock CreateLock();

    /// <summary>Creates a condition variable whose waits release and re-acquire <paramref name="lockObject"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="lockObject"/> was created by another implementation.</exception>
    ICondition CreateCondition(ILock lockObject);

    /// <summary>A scheduling point: a no-op on OS threads; under the explorer, another thread may run here.</summary>
    void Yield();

    /// <summary>
    /// Busy-waits briefly (about <paramref name="iterations"/> pause instructions on OS threads) before the
    /// caller re-checks shared state; used to avoid sleeping when a wake-up is likely to come soon.
    /// Under the explorer it is a scheduling point like <see cref="Yield"/>, which is the default.
    /// </summary>
    void SpinWait(int iterations) => Yield();

    /// <summary>
    /// How many times a thread about to block should re-check its condition (with <see cref="SpinWait"/>
    /// between checks) before it blocks. A performance hint only: code must be correct for any value.
    /// The default, 1, keeps both the spinning and the blocking path reachable under the explorer at little cost.
    /// </summary>
    int SpinCountBeforeBlocking => 1;

    /// <summary>
    /// The most re-checks an adaptive spinner may grow to (from <see cref="SpinCountBeforeBlocking"/>) while the
    /// work it blocks for keeps arriving soon after it blocks. A performance hint only; the default keeps the
    /// count fixed.
    /// </summary>
    int SpinCountCeiling => SpinCountBeforeBlocking;

    /// <summary>Creates a variable with one independent value per thread (initially <c>default</c>).</summary>
    IThreadLocal<T> CreateThreadLocal<T>();

    /// <summary>Creates a 64-bit integer whose every operation is atomic and a scheduling point.</summary>
    IAtomicInt64 CreateAtomic(long initialValue = 0);

    /// <summary>
    /// A full fence: no read or write of this thread moves across it (<see cref="Interlocked.MemoryBarrier"/> on
    /// real threads). Any thread. Under a controlled implementation it is a scheduling point, and the explorer's
    /// "tso" memory model drains the caller's store buffer here.
    /// </summary>
    void MemoryBarrier() => Interlocked.MemoryBarrier();

    /// <summary>A monotonic clock. Under the explorer it is virtual and only advances when every thread waits.</summary>
    TimeSpan Now { get; }

    /// <summary>Blocks the calling thread for at least <paramref name="duration"/> of <see cref="Now"/>'s time.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="duration"/> is negative.</exception>
    void Sleep(TimeSpan duration);
}
