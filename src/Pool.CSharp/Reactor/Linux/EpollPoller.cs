namespace Pool.Reactor.Linux;

/// <summary>
/// <see cref="IPoller"/> over epoll (level-triggered) with an eventfd for <see cref="Wake"/>. The eventfd is
/// registered under a reserved token that <see cref="Wait"/> consumes and never reports.
/// </summary>
internal sealed unsafe class EpollPoller : IPoller
{
    private const ulong WakeToken = ulong.MaxValue;
    private const int Capacity = 256;
    private readonly int _epoll;
    private readonly int _wakeFd;
    private readonly byte[] _events = new byte[Capacity * Native.EpollEventSize];
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
        int count;
        fixed (byte* events = _events)
        {
            do
            {
                count = Native.EpollWait(
                    _epoll,
                    events,
                    Math.Min(Capacity, Math.Max(ready.Length, 1)),
                    milliseconds
                );
            } while (
                count < 0
                && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == Native.Eintr
            );
            if (count < 0)
            {
                throw Native.Failure("epoll_wait");
            }
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
    }

    public void Wake()
    {
        ulong one = 1;
        if (
            Native.Write(_wakeFd, &one, sizeof(ulong)) < 0
            && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != Native.Eagain
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
