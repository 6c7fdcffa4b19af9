namespace Pool.Reactor;

/// <summary>
/// The reactor's seam to the operating system's readiness notification: epoll on Linux
/// (<see cref="Linux.EpollPoller"/>), and, for the systematic explorer, a simulated network whose
/// <see cref="Wait"/> is a timed condition wait of <c>IThreading</c> and whose events the explorer orders.
/// </summary>
/// <remarks>
/// Owned by one event loop (given to
/// <see cref="EventLoop(Threading.IThreading, IPoller, INetwork, Diagnostics.TelemetryOptions?)"/>, which disposes
/// it when it is disposed): every member but <see cref="Wake"/> is called by the loop on the loop's thread only.
/// Level-triggered: a registration stays reported while it is ready. The loop registers each descriptor once, with
/// a token it chose, and removes it before closing it; adding a registered descriptor, or modifying or removing one
/// that is not, is the loop's bug, which an implementation may report by throwing <see cref="ReactorException"/>
/// (the epoll one does). A <see cref="Wait"/> blocks through the loop's threading seam or the operating system, never
/// by spinning.
/// </remarks>
public interface IPoller : IDisposable
{
    /// <summary>Registers <paramref name="descriptor"/> with <paramref name="token"/> and <paramref name="interest"/>.</summary>
    void Add(int descriptor, ulong token, Interest interest);

    /// <summary>Changes the token or interest of a registered descriptor.</summary>
    void Modify(int descriptor, ulong token, Interest interest);

    /// <summary>Unregisters a descriptor; after it returns, <see cref="Wait"/> never reports its token again.</summary>
    void Remove(int descriptor);

    /// <summary>
    /// Blocks until a registration is ready, <see cref="Wake"/> is called, or <paramref name="timeout"/>
    /// passes (null: no timeout); fills <paramref name="ready"/> and returns how many it filled.
    /// </summary>
    int Wait(Span<ReadyEvent> ready, TimeSpan? timeout);

    /// <summary>Any thread: makes the current or the next <see cref="Wait"/> return. Calls may coalesce.</summary>
    void Wake();
}
