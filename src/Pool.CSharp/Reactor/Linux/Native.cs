using System.Runtime.InteropServices;

namespace Pool.Reactor.Linux;

/// <summary>
/// The Linux system calls the reactor uses, bound with <c>LibraryImport</c> (no third-party bindings).
/// Every call sets the last P/Invoke error; callers read it with <see cref="Marshal.GetLastPInvokeError"/>.
/// </summary>
internal static partial class Native
{
    internal const int EpollCloexec = 0x80000;
    internal const int EpollCtlAdd = 1;
    internal const int EpollCtlDel = 2;
    internal const int EpollCtlMod = 3;
    internal const uint EpollIn = 0x001;
    internal const uint EpollOut = 0x004;
    internal const uint EpollErr = 0x008;
    internal const uint EpollHup = 0x010;
    internal const uint EpollRdHup = 0x2000;
    internal const int EfdCloexec = 0x80000;
    internal const int EfdNonblock = 0x800;
    internal const int Eintr = 4;
    internal const int Eagain = 11;

    /// <summary>
    /// Size of <c>struct epoll_event</c>: packed (12 bytes, data at offset 4) on x86-64, naturally aligned
    /// (16 bytes, data at offset 8) on arm64 and the other 64-bit ABIs.
    /// </summary>
    internal static readonly int EpollEventSize =
        RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    internal static readonly int EpollDataOffset =
        RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    internal static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    internal static unsafe partial int EpollCtl(
        int epoll,
        int operation,
        int descriptor,
        byte* epollEvent
    );

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    internal static unsafe partial int EpollWait(
        int epoll,
        byte* events,
        int maxEvents,
        int timeoutMilliseconds
    );

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    internal static partial int EventFd(uint initialValue, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    internal static unsafe partial nint Read(int descriptor, void* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    internal static unsafe partial nint Write(int descriptor, void* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int descriptor);

    internal const int AfInet = 2;
    internal const int SockStream = 1;
    internal const int SockNonblock = 0x800;
    internal const int SockCloexec = 0x80000;
    internal const int SolSocket = 1;
    internal const int SoReuseaddr = 2;
    internal const int IpprotoTcp = 6;
    internal const int TcpNodelay = 1;
    internal const int MsgNosignal = 0x4000;
    internal const int ShutWr = 1;
    internal const int Epipe = 32;
    internal const int Econnreset = 104;
    internal const int Emfile = 24;
    internal const int Enfile = 23;
    internal const int Econnaborted = 103;

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    internal static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    internal static unsafe partial int SetSockOpt(
        int socket,
        int level,
        int name,
        void* value,
        uint length
    );

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    internal static unsafe partial int Bind(int socket, byte* address, uint length);

    [LibraryImport("libc", EntryPoint = "listen", SetLastError = true)]
    internal static partial int Listen(int socket, int backlog);

    [LibraryImport("libc", EntryPoint = "accept4", SetLastError = true)]
    internal static unsafe partial int Accept4(int socket, byte* address, uint* length, int flags);

    [LibraryImport("libc", EntryPoint = "getsockname", SetLastError = true)]
    internal static unsafe partial int GetSockName(int socket, byte* address, uint* length);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    internal static unsafe partial nint Recv(int socket, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    internal static unsafe partial nint Send(int socket, byte* buffer, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "shutdown", SetLastError = true)]
    internal static partial int Shutdown(int socket, int how);

    internal const int ORdonly = 0;
    internal const int OCloexec = 0x80000;

    [LibraryImport(
        "libc",
        EntryPoint = "open",
        SetLastError = true,
        StringMarshalling = StringMarshalling.Utf8
    )]
    internal static partial int Open(string path, int flags);

    /// <summary>Throws a <see cref="ReactorException"/> naming the call and the errno, for a failed system call.</summary>
    internal static ReactorException Failure(string call) =>
        new(
            $"{call} failed: errno {Marshal.GetLastPInvokeError()} ({Marshal.GetLastPInvokeErrorMessage()})"
        );
}
