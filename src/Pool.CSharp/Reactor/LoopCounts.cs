namespace Pool.Reactor;

/// <summary>
/// What one <see cref="EventLoop"/> counts for its metrics (<see cref="LoopMetrics"/>): rounds, functors and timers are
/// counted by the loop thread alone with plain stores; wake-ups by whichever thread writes the eventfd, next to that
/// system call. A listener's thread reads them with volatile loads when it collects. They order no thread, so they stay
/// out of the <c>IThreading</c> seam.
/// </summary>
internal sealed class LoopCounts
{
    private long _iterations; // loop thread writes
    private long _functors; // loop thread writes
    private long _timersFired; // loop thread writes
    private long _wakeUps; // any thread, atomically

    public long Iterations => Volatile.Read(ref _iterations);

    public long Functors => Volatile.Read(ref _functors);

    public long TimersFired => Volatile.Read(ref _timersFired);

    public long WakeUps => Volatile.Read(ref _wakeUps);

    /// <summary>Loop thread: one round (wait, events, timers, functors) begins.</summary>
    public void CountIteration() => Volatile.Write(ref _iterations, _iterations + 1);

    /// <summary>Loop thread: <paramref name="count"/> queued functors are about to run.</summary>
    public void CountFunctors(int count) => Volatile.Write(ref _functors, _functors + count);

    /// <summary>Loop thread: <paramref name="count"/> timer callbacks ran.</summary>
    public void CountTimersFired(int count) =>
        Volatile.Write(ref _timersFired, _timersFired + count);

    /// <summary>Any thread: the loop was woken (an eventfd write).</summary>
    public void CountWakeUp() => Interlocked.Increment(ref _wakeUps);
}
