using Pool.Threading;

namespace Pool.Systematic.Runtime;

/// <summary>
/// The <see cref="IThreading"/> the explorer hands to a test: every member that can order threads is a
/// scheduling point of <see cref="Iteration"/>. Thread-local values and <see cref="Now"/> are not.
/// </summary>
internal sealed class ControlledThreading(Iteration iteration) : IThreading, IChoiceSource
{
    public IThreadHandle Start(Action body, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        _ = iteration.Current;
        if (iteration.Stopped)
        {
            throw new IterationAbortedException();
        }
        iteration.Drain(iteration.Current); // starting a thread publishes what its creator wrote
        iteration.Coverage?.Started();
        return new ControlledThreadHandle(iteration.CreateThread(body, name));
    }

    public IThreadHandle Start(Action body, string? name, int stackSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stackSize);
        return Start(body, name);
    }

    public ILock CreateLock() => new ControlledLock(iteration);

    public ICondition CreateCondition(ILock lockObject) =>
        lockObject is ControlledLock controlled && controlled.Iteration == iteration
            ? new ControlledCondition(controlled)
            : throw new ArgumentException(
                "The lock was not created by this controlled IThreading (or belongs to another iteration).",
                nameof(lockObject)
            );

    public void Yield() => iteration.Point("Yield", Access.Local, isYield: true);

    public void SpinWait(int iterations) =>
        iteration.Point("SpinWait", Access.Local, isYield: true);

    public void MemoryBarrier() => iteration.Drain(iteration.Point("MemoryBarrier", Access.Local));

    public IThreadLocal<T> CreateThreadLocal<T>() => new ControlledThreadLocal<T>(iteration);

    public IAtomicInt64 CreateAtomic(long initialValue = 0) =>
        new ControlledAtomic(iteration, initialValue);

    public TimeSpan Now => iteration.Now;

    public void Sleep(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        var me = iteration.Point(
            $"Sleep({duration.TotalMilliseconds} ms)",
            Access.Writing(Access.Clock)
        );
        iteration.Drain(me);
        if (duration == TimeSpan.Zero)
        {
            return;
        }
        me.Deadline = iteration.Now + duration;
        me.Block = BlockReason.Sleep;
        while (me.Block == BlockReason.Sleep)
        {
            iteration.Reschedule(me);
        }
    }

    /// <summary>A nondeterministic value in [0, <paramref name="count"/>) chosen (and recorded) by the strategy.</summary>
    public int Choose(int count) => iteration.ChooseValue(count);
}
