using System.Buffers.Binary;
using System.ComponentModel;
using System.Runtime.InteropServices;

namespace EchoLoad;

/// <summary>
/// The load generator's own epoll instance (level-triggered, readable only), bound here with <c>LibraryImport</c> so
/// that the client shares no code with the server it measures.
/// </summary>
internal sealed partial class Epoll : IDisposable
{
    private const int EpollCloexec = 0x80000;
    private const int EpollCtlAdd = 1;
    private const int EpollCtlDel = 2;
    private const uint EpollIn = 0x001;
    private const int Eintr = 4;

    /// <summary><c>struct epoll_event</c> is packed (12 bytes) on x86-64 and naturally aligned (16) elsewhere.</summary>
    private static readonly int EventSize =
        RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    private static readonly int DataOffset =
        RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    private readonly int _descriptor;
    private byte[] _events = [];

    internal Epoll()
    {
        _descriptor = EpollCreate1(EpollCloexec);
        if (_descriptor < 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "epoll_create1 failed");
        }
    }

    /// <summary>Watches <paramref name="descriptor"/> for input; <see cref="Wait"/> reports it as <paramref name="token"/>.</summary>
    internal void Add(int descriptor, ulong token) => Control(EpollCtlAdd, descriptor, token);

    internal void Remove(int descriptor) => Control(EpollCtlDel, descriptor, 0);

    /// <summary>Waits up to <paramref name="timeout"/> and writes the tokens of readable descriptors; returns their count.</summary>
    internal int Wait(Span<ulong> tokens, TimeSpan timeout)
    {
        if (_events.Length < tokens.Length * EventSize)
        {
            _events = new byte[tokens.Length * EventSize];
        }
        var count = EpollWait(_descriptor, _events, tokens.Length, (int)timeout.TotalMilliseconds);
        if (count < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == Eintr ? 0 : throw new Win32Exception(errno, "epoll_wait failed");
        }
        for (var i = 0; i < count; i++)
        {
            tokens[i] = BinaryPrimitives.ReadUInt64LittleEndian(
                _events.AsSpan(i * EventSize + DataOffset, 8)
            );
        }
        return count;
    }

    public void Dispose() => Close(_descriptor);

    private void Control(int operation, int descriptor, ulong token)
    {
        Span<byte> epollEvent = stackalloc byte[16];
        epollEvent.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(epollEvent, EpollIn);
        BinaryPrimitives.WriteUInt64LittleEndian(epollEvent[DataOffset..], token);
        if (EpollCtl(_descriptor, operation, descriptor, epollEvent) < 0)
        {
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "epoll_ctl failed");
        }
    }

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtl(
        int epoll,
        int operation,
        int descriptor,
        ReadOnlySpan<byte> epollEvent
    );

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static partial int EpollWait(
        int epoll,
        [Out] byte[] events,
        int maxEvents,
        int timeoutMilliseconds
    );

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}
