using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Pool.Reactor.Linux;

/// <summary>
/// <see cref="IPoller"/> over epoll (level-triggered) with an eventfd for <see cref="Wake"/>. The eventfd is
/// registered under a reserved token that <see cref="Wait"/> consumes and never reports. A wait that follows one
/// that found events polls without blocking for a short while first (<see cref="BusyPoll"/>).
/// </summary>
internal sealed unsafe class EpollPoller : IPoller
{
    private const ulong WakeToken = ulong.MaxValue;
    private const int Capacity = 256;
    private readonly int _epoll;
    private readonly int _wakeFd;
    private readonly byte[] _events = new byte[Capacity * Native.EpollEventSize];
    private readonly BusyPoll _busyPoll = new(BusyPoll.DefaultCeilingTicks);
    private bool _disposed;

    internal EpollPoller()
    {
        _epoll = Native.EpollCreate1(Native.EpollCloexec);
        if (_epoll < 0)
        {
            throw Native.Failure("epoll_create1");
        }
        _wakeFd = Native.EventFd(0, Native.EfdCloexec | Native.EfdNonblock);
        if (_wakeFd < 0)
        {
            var failure = Native.Failure("eventfd");
            Native.Close(_epoll);
            throw failure;
        }
        Control(Native.EpollCtlAdd, _wakeFd, WakeToken, Native.EpollIn);
    }

    public void Add(int descriptor, ulong token, Interest interest) =>
        Control(Native.EpollCtlAdd, descriptor, Checked(token), Mask(interest));

    public void Modify(int descriptor, ulong token, Interest interest) =>
        Control(Native.EpollCtlMod, descriptor, Checked(token), Mask(interest));

    public void Remove(int descriptor) => Control(Native.EpollCtlDel, descriptor, 0, 0);

    public int Wait(Span<ReadyEvent> ready, TimeSpan? timeout)
    {
        var milliseconds = timeout is { } t
            ? (int)Math.Clamp(Math.Ceiling(t.TotalMilliseconds), 0, int.MaxValue)
            : -1;
        var capacity = Math.Min(Capacity, Math.Max(ready.Length, 1));
        fixed (byte* events = _events)
        {
            var spinTicks = _busyPoll.SpinTicks(milliseconds);
            var spun = 0L;
            if (spinTicks > 0)
            {
                var found = Spin(events, capacity, spinTicks, out spun);
                if (found > 0)
                {
                    return Fill(events, found, ready);
                }
                if (milliseconds > 0)
                {
                    var spunMilliseconds = spun * 1000.0 / Stopwatch.Frequency;
                    milliseconds = (int)Math.Max(0, Math.Ceiling(milliseconds - spunMilliseconds));
                }
            }
            var sleepStarted = Stopwatch.GetTimestamp();
            var count = Poll(events, capacity, milliseconds);
            _busyPoll.Blocked(spun, Stopwatch.GetTimestamp() - sleepStarted, count > 0);
            return Fill(events, count, ready);
        }
    }

    // Polls without blocking until events come (their count) or spinTicks have passed (0, with the time spun).
    private int Spin(byte* events, int capacity, long spinTicks, out long spun)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var found = Poll(events, capacity, 0);
            spun = Stopwatch.GetTimestamp() - started;
            if (found > 0 || spun >= spinTicks)
            {
                return found;
            }
            Thread.Yield(); // to a thread ready on this processor: the spin only uses time nobody else wants
        }
    }

    // One epoll_wait, restarted when a signal interrupts it.
    private int Poll(byte* events, int capacity, int milliseconds)
    {
        int count;
        do
        {
            count = Native.EpollWait(_epoll, events, capacity, milliseconds);
        } while (count < 0 && Marshal.GetLastPInvokeError() == Native.Eintr);
        if (count < 0)
        {
            throw Native.Failure("epoll_wait");
        }
        return count;
    }

    // Copies the events a wait returned into ready, consuming the wake-up's instead of reporting it.
    private int Fill(byte* events, int count, Span<ReadyEvent> ready)
    {
        var filled = 0;
        for (var i = 0; i < count; i++)
        {
            var entry = events + (i * Native.EpollEventSize);
            var flags = *(uint*)entry;
            var token = *(ulong*)(entry + Native.EpollDataOffset);
            if (token == WakeToken)
            {
                DrainWake();
                continue;
            }
            ready[filled++] = new ReadyEvent(
                token,
                Readable: (flags & (Native.EpollIn | Native.EpollRdHup)) != 0,
                Writable: (flags & Native.EpollOut) != 0,
                Closed: (flags & (Native.EpollHup | Native.EpollErr)) != 0
            );
        }
        return filled;
    }

    public void Wake()
    {
        ulong one = 1;
        if (
            Native.Write(_wakeFd, &one, sizeof(ulong)) < 0
            && Marshal.GetLastPInvokeError() != Native.Eagain
        )
        {
            throw Native.Failure("write(eventfd)");
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        Native.Close(_wakeFd);
        Native.Close(_epoll);
    }

    private void DrainWake()
    {
        ulong value;
        Native.Read(_wakeFd, &value, sizeof(ulong)); // EAGAIN when already drained: nothing to do
    }

    private void Control(int operation, int descriptor, ulong token, uint flags)
    {
        var entry = stackalloc byte[16];
        *(uint*)entry = flags;
        *(ulong*)(entry + Native.EpollDataOffset) = token;
        if (Native.EpollCtl(_epoll, operation, descriptor, entry) < 0)
        {
            throw Native.Failure($"epoll_ctl(op {operation}, fd {descriptor})");
        }
    }

    private static ulong Checked(ulong token) =>
        token == WakeToken
            ? throw new ArgumentOutOfRangeException(nameof(token), "This token is reserved.")
            : token;

    private static uint Mask(Interest interest) =>
        ((interest & Interest.Readable) != 0 ? Native.EpollIn | Native.EpollRdHup : 0)
        | ((interest & Interest.Writable) != 0 ? Native.EpollOut : 0);
}
