using System.Diagnostics;

namespace Pool.Threading;

/// <summary>The production <see cref="IThreading"/>: real OS threads, locks and clocks.</summary>
public static class OsThreading
{
    /// <summary>The single, stateless instance; safe to use from any thread.</summary>
    public static IThreading Instance { get; } = new RealThreading();

    private sealed class RealThreading : IThreading
    {
        private static readonly long s_origin = Stopwatch.GetTimestamp();

        public IThreadHandle Start(Action body, string? name = null) => Start(body, name, 0);

        public IThreadHandle Start(Action body, string? name, int stackSize)
        {
            ArgumentNullException.ThrowIfNull(body);
            ArgumentOutOfRangeException.ThrowIfNegative(stackSize);
            var thread = new Thread(() => body(), stackSize) { IsBackground = true, Name = name };
            thread.Start();
            return new OsThreadHandle(thread);
        }

        public ILock CreateLock() => new OsLock();

        public ICondition CreateCondition(ILock lockObject) =>
            lockObject is OsLock osLock
                ? new OsCondition(osLock)
                : throw new ArgumentException(
                    "The lock was not created by OsThreading.Instance.",
                    nameof(lockObject)
                );

        public void Yield() { }

        public void SpinWait(int iterations) => Thread.SpinWait(iterations);

        // Spinning only pays when another core can produce what the spinner waits for.
        public int SpinCountBeforeBlocking { get; } = Environment.ProcessorCount > 1 ? 40 : 0;

        // About 200 us of spinning at most (SpinWait(30) takes about a microsecond): long enough to bridge a
        // round trip on loopback, so a worker serving one busy client need not sleep between its messages.
        public int SpinCountCeiling { get; } = Environment.ProcessorCount > 1 ? 200 : 0;

        public IThreadLocal<T> CreateThreadLocal<T>() => new OsThreadLocal<T>();

        public IAtomicInt64 CreateAtomic(long initialValue = 0) => new OsAtomicInt64(initialValue);

        public TimeSpan Now => Stopwatch.GetElapsedTime(s_origin);

        public void Sleep(TimeSpan duration)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
            Thread.Sleep(duration);
        }
    }
}
