using System.Net;

namespace Pool.Reactor;

/// <summary>
/// The reactor's seam to the operating system's sockets: non-blocking TCP calls with errno results
/// (<see cref="Linux.LinuxNetwork"/>), or, for the systematic explorer, a simulated network whose connections,
/// data, peer closes and resets are events the explorer orders. It always pairs with the
/// <see cref="IPoller"/> of the same event loop, which reports the readiness of these descriptors.
/// </summary>
/// <remarks>
/// <para>
/// Called by the reactor (<see cref="EventLoop"/>, <see cref="TcpServer"/> and its connections) on the loop's
/// thread only, except <see cref="Listen"/> and <see cref="LocalPort"/> (any thread, before the descriptor is
/// registered) and <see cref="CreatePoller"/> (any thread). Pass an implementation to
/// <see cref="EventLoop(Threading.IThreading, IPoller, INetwork, Diagnostics.TelemetryOptions?)"/> together with
/// the <see cref="IPoller"/> that reports its descriptors; the loop owns neither.
/// </para>
/// <para>
/// Error numbers are Linux's (errno(3)). The reactor tells apart EAGAIN (11: nothing now, wait for readiness),
/// EINTR (4: try again), ECONNABORTED (103), EMFILE (24) and ENFILE (23) on accept; any other number on a receive
/// or a send closes the connection as an error. An implementation must not throw from these calls, except
/// <see cref="Listen"/>; a descriptor it was not given, or one already closed, is the caller's bug, and what
/// happens then is the implementation's (the Linux one returns EBADF).
/// </para>
/// </remarks>
public interface INetwork
{
    /// <summary>A non-blocking listening socket on <paramref name="address"/>:<paramref name="port"/> (0: any free port).</summary>
    /// <exception cref="ReactorException">The socket cannot be created or bound.</exception>
    int Listen(IPAddress address, int port, int backlog);

    /// <summary>The port a listening socket is bound to.</summary>
    int LocalPort(int listener);

    /// <summary>One waiting connection's descriptor (non-blocking), or -1 with <paramref name="errno"/> set (EAGAIN: none waiting).</summary>
    int Accept(int listener, out int errno);

    /// <summary>Sets the options of an accepted connection (no Nagle delay).</summary>
    void ConfigureAccepted(int connection);

    /// <summary>Bytes read (0: end of stream), or -1 with <paramref name="errno"/> set.</summary>
    int Receive(int connection, Span<byte> buffer, out int errno);

    /// <summary>Bytes written, or -1 with <paramref name="errno"/> set (EAGAIN, EPIPE, ECONNRESET). Never raises SIGPIPE.</summary>
    int Send(int connection, ReadOnlySpan<byte> data, out int errno);

    /// <summary>Ends the outgoing direction after what was written (the peer reads end of stream).</summary>
    void ShutdownWrite(int connection);

    /// <summary>Closes a descriptor this network gave out; it must not be used again.</summary>
    void Close(int descriptor);

    /// <summary>
    /// A new poller that reports the readiness of this network's descriptors, for another event loop over the same
    /// network (a <see cref="TcpServer"/> with several I/O loops makes one per additional loop). Any thread.
    /// </summary>
    IPoller CreatePoller();

    /// <summary>A spare descriptor kept for running out of descriptors (see <see cref="Acceptor"/>), or -1 if none can be had.</summary>
    int OpenSpare();
}
