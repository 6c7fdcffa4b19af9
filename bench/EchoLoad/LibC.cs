using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace EchoLoad;

/// <summary>
/// The C library's calls that EchoLoad's epoll client (<see cref="Epoll"/>) and its minimal server
/// (<see cref="MinimalEpollServer"/>) make, bound with <c>LibraryImport</c>; a failure returns -1 and leaves errno in
/// <see cref="Marshal.GetLastPInvokeError"/>. Nothing here is shared with the Pool reactor they measure.
/// </summary>
internal static partial class LibC
{
    internal const int Eintr = 4;
    internal const int Eagain = 11;
    internal const int EpollCloexec = 0x80000;
    internal const int EpollCtlAdd = 1;
    internal const int EpollCtlDel = 2;
    internal const int EpollCtlMod = 3;
    internal const uint EpollIn = 0x001;
    internal const uint EpollOut = 0x004;
    internal const uint EpollErr = 0x008;
    internal const uint EpollHup = 0x010;

    /// <summary><c>struct epoll_event</c> is packed (12 bytes) on x86-64 and naturally aligned (16) elsewhere.</summary>
    internal static readonly int EpollEventSize =
        RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    /// <summary>Where an <c>epoll_event</c>'s data (the token) starts.</summary>
    internal static readonly int EpollDataOffset =
        RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    /// <summary><c>epoll_ctl</c> with an event of <paramref name="events"/> reported as <paramref name="token"/>.</summary>
    internal static int EpollControl(
        int epoll,
        int operation,
        int descriptor,
        uint events,
        ulong token
    )
    {
        Span<byte> epollEvent = stackalloc byte[16];
        epollEvent.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(epollEvent, events);
        BinaryPrimitives.WriteUInt64LittleEndian(epollEvent[EpollDataOffset..], token);
        return EpollCtl(epoll, operation, descriptor, epollEvent);
    }

    /// <summary>The events and token of the <paramref name="index"/>th event <c>epoll_wait</c> wrote.</summary>
    internal static (uint Events, ulong Token) EpollEvent(byte[] events, int index) =>
        (
            BinaryPrimitives.ReadUInt32LittleEndian(events.AsSpan(index * EpollEventSize)),
            BinaryPrimitives.ReadUInt64LittleEndian(
                events.AsSpan(index * EpollEventSize + EpollDataOffset, 8)
            )
        );

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    internal static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtl(
        int epoll,
        int operation,
        int descriptor,
        ReadOnlySpan<byte> epollEvent
    );

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    internal static partial int EpollWait(
        int epoll,
        [Out] byte[] events,
        int maxEvents,
        int timeoutMilliseconds
    );

    [LibraryImport("libc", EntryPoint = "accept4", SetLastError = true)]
    internal static partial int Accept4(
        int descriptor,
        nint address,
        nint addressLength,
        int flags
    );

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    internal static partial int SetSockOpt(
        int descriptor,
        int level,
        int name,
        ref int value,
        int length
    );

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    internal static partial nint Recv(int descriptor, [Out] byte[] buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    internal static partial nint Send(
        int descriptor,
        ReadOnlySpan<byte> buffer,
        nint length,
        int flags
    );

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int descriptor);
}
