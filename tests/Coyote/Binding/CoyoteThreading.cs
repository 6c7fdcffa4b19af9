using Microsoft.Coyote.Random;
using Microsoft.Coyote.Runtime;
using Pool.Systematic;
using Pool.Threading;

namespace Coyote.Binding;

/// <summary>
/// The seam bound to Microsoft Coyote: threads, locks, conditions, yields, spins and atomics are the .NET primitives
/// that Coyote's rewriting controls (<see cref="Thread"/>, <see cref="Monitor"/>, <see cref="Thread.Yield"/>,
/// <see cref="Interlocked"/>, <see cref="Volatile"/>), so that after <c>coyote rewrite</c> every operation the
/// explorer treats as a scheduling point is one for Coyote too. Time is virtual, with the explorer's rule (see
/// <see cref="VirtualTime"/>).
/// </summary>
/// <remarks>
/// Create one per test iteration, on the thread Coyote runs the test on; use it only from threads it started.
/// Outside a Coyote test (not rewritten, or no engine running) it behaves like real threads with a virtual clock.
/// </remarks>
public sealed class CoyoteThreading : IThreading, IChoiceSource
{
    private readonly VirtualTime _time = new();
    private readonly Generator _choices = Generator.Create();

    /// <inheritdoc />
    public IThreadHandle Start(Action body, string? name = null) => Start(body, name, 0);

    /// <inheritdoc />
    /// <remarks>The name is not given to the thread under Coyote (see the comment inside).</remarks>
    public IThreadHandle Start(Action body, string? name, int stackSize)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfNegative(stackSize);
        // No Name: Coyote tells its controlled threads apart by the name it gives them, and a renamed thread would
        // run uncontrolled. Coyote's report names the failing operation and its stack instead.
        var record = _time.Add();
        var thread = new Thread(
            () =>
            {
                _time.Bind(record);
                try
                {
                    body();
                }
                finally
                {
                    record.Finished = true;
                    _time.BeforeBlocking();
                }
            },
            stackSize
        )
        {
            IsBackground = true,
        };
        thread.Start();
        return new CoyoteThreadHandle(thread, record, _time);
    }

    /// <inheritdoc />
    public ILock CreateLock() => new CoyoteLock(_time);

    /// <inheritdoc />
    public ICondition CreateCondition(ILock lockObject) =>
        lockObject is CoyoteLock coyoteLock
            ? new CoyoteCondition(coyoteLock)
            : throw new ArgumentException(
                "The lock was not created by this CoyoteThreading.",
                nameof(lockObject)
            );

    /// <inheritdoc />
    public void Yield() => Thread.Yield();

    /// <summary>A spin is a yield, as under the explorer: one scheduling point, no time passes.</summary>
    public void SpinWait(int iterations) => Thread.Yield();

    /// <summary>A full fence, and a scheduling point as under the explorer.</summary>
    public void MemoryBarrier()
    {
        SchedulingPoint.Interleave();
        Interlocked.MemoryBarrier();
    }

    /// <summary>The operating system's thread-local value: Coyote runs each controlled thread on an OS thread of its own.</summary>
    public IThreadLocal<T> CreateThreadLocal<T>() => OsThreading.Instance.CreateThreadLocal<T>();

    /// <inheritdoc />
    public IAtomicInt64 CreateAtomic(long initialValue = 0) => new CoyoteAtomic(initialValue);

    /// <summary>The virtual time of this test iteration: zero at the start, moved only by timeouts (see <see cref="VirtualTime"/>).</summary>
    public TimeSpan Now => _time.Now;

    /// <summary>A timed block that nothing ends early: it ends when <see cref="VirtualTime"/> times it out.</summary>
    public void Sleep(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        SchedulingPoint.Interleave();
        if (duration > TimeSpan.Zero)
        {
            _time.BlockUntil(_time.Current, _time.Now + duration, onTimeout: null);
        }
    }

    /// <summary>A value in [0, <paramref name="count"/>) chosen (and recorded for replay) by Coyote.</summary>
    public int Choose(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        return _choices.NextInteger(count);
    }
}
