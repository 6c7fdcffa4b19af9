using System.ComponentModel;
using System.Runtime.InteropServices;

namespace EchoLoad;

/// <summary>
/// The load generator's own epoll instance (level-triggered, readable only), over <see cref="LibC"/>'s bindings, so
/// that the client shares no code with the Pool reactor it measures.
/// </summary>
internal sealed class Epoll : IDisposable
{
    private readonly int _descriptor;
    private byte[] _events = [];

    internal Epoll()
    {
        _descriptor = LibC.EpollCreate1(LibC.EpollCloexec);
        if (_descriptor < 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "epoll_create1 failed");
        }
    }

    /// <summary>Watches <paramref name="descriptor"/> for input; <see cref="Wait"/> reports it as <paramref name="token"/>.</summary>
    internal void Add(int descriptor, ulong token) => Control(LibC.EpollCtlAdd, descriptor, token);

    internal void Remove(int descriptor) => Control(LibC.EpollCtlDel, descriptor, 0);

    /// <summary>Waits up to <paramref name="timeout"/> and writes the tokens of readable descriptors; returns their count.</summary>
    internal int Wait(Span<ulong> tokens, TimeSpan timeout)
    {
        if (_events.Length < tokens.Length * LibC.EpollEventSize)
        {
            _events = new byte[tokens.Length * LibC.EpollEventSize];
        }
        var count = LibC.EpollWait(
            _descriptor,
            _events,
            tokens.Length,
            (int)timeout.TotalMilliseconds
        );
        if (count < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == LibC.Eintr ? 0 : throw new Win32Exception(errno, "epoll_wait failed");
        }
        for (var i = 0; i < count; i++)
        {
            tokens[i] = LibC.EpollEvent(_events, i).Token;
        }
        return count;
    }

    public void Dispose() => LibC.Close(_descriptor);

    private void Control(int operation, int descriptor, ulong token)
    {
        if (LibC.EpollControl(_descriptor, operation, descriptor, LibC.EpollIn, token) < 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "epoll_ctl failed");
        }
    }
}
