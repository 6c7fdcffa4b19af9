using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;

namespace Pool.Reactor.Linux;

/// <summary><see cref="INetwork"/> over <see cref="Native"/>: Linux's non-blocking TCP sockets.</summary>
internal sealed unsafe class LinuxNetwork : INetwork
{
    /// <summary>The one instance (the class has no state).</summary>
    internal static readonly LinuxNetwork Instance = new();

    private LinuxNetwork() { }

    /// <summary>A non-blocking IPv4 listening socket bound to <paramref name="address"/>:<paramref name="port"/> (0: any free port).</summary>
    public int Listen(IPAddress address, int port, int backlog)
    {
        var fd = Native.Socket(
            Native.AfInet,
            Native.SockStream | Native.SockNonblock | Native.SockCloexec,
            0
        );
        if (fd < 0)
        {
            throw Native.Failure("socket");
        }
        try
        {
            var one = 1;
            Native.SetSockOpt(fd, Native.SolSocket, Native.SoReuseaddr, &one, sizeof(int));
            var sockaddr = stackalloc byte[16];
            new Span<byte>(sockaddr, 16).Clear();
            BinaryPrimitives.WriteUInt16LittleEndian(new Span<byte>(sockaddr, 2), Native.AfInet);
            BinaryPrimitives.WriteUInt16BigEndian(new Span<byte>(sockaddr + 2, 2), (ushort)port);
            address.TryWriteBytes(new Span<byte>(sockaddr + 4, 4), out _);
            if (Native.Bind(fd, sockaddr, 16) < 0)
            {
                throw Native.Failure($"bind({address}:{port})");
            }
            if (Native.Listen(fd, backlog) < 0)
            {
                throw Native.Failure("listen");
            }
            return fd;
        }
        catch
        {
            Native.Close(fd);
            throw;
        }
    }

    public int LocalPort(int fd)
    {
        var sockaddr = stackalloc byte[16];
        uint length = 16;
        if (Native.GetSockName(fd, sockaddr, &length) < 0)
        {
            throw Native.Failure("getsockname");
        }
        return BinaryPrimitives.ReadUInt16BigEndian(new ReadOnlySpan<byte>(sockaddr + 2, 2));
    }

    /// <summary>Accepts one connection: its descriptor, or -1 with <paramref name="errno"/> set (EAGAIN: none waiting).</summary>
    public int Accept(int listener, out int errno)
    {
        var fd = Native.Accept4(listener, null, null, Native.SockNonblock | Native.SockCloexec);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return fd;
    }

    /// <summary>Turns off Nagle's algorithm: replies leave at once instead of waiting for the previous one's ACK.</summary>
    public void ConfigureAccepted(int fd)
    {
        var one = 1;
        Native.SetSockOpt(fd, Native.IpprotoTcp, Native.TcpNodelay, &one, sizeof(int));
    }

    /// <summary>Bytes read (0: end of stream), or -1 with <paramref name="errno"/> set.</summary>
    public int Receive(int fd, Span<byte> buffer, out int errno)
    {
        fixed (byte* start = buffer)
        {
            var read = Native.Recv(fd, start, (nuint)buffer.Length, 0);
            errno = read < 0 ? Marshal.GetLastPInvokeError() : 0;
            return (int)read;
        }
    }

    /// <summary>Bytes written, or -1 with <paramref name="errno"/> set (EAGAIN, EPIPE, ECONNRESET...). Never raises SIGPIPE.</summary>
    public int Send(int fd, ReadOnlySpan<byte> data, out int errno)
    {
        fixed (byte* start = data)
        {
            var written = Native.Send(fd, start, (nuint)data.Length, Native.MsgNosignal);
            errno = written < 0 ? Marshal.GetLastPInvokeError() : 0;
            return (int)written;
        }
    }

    public void ShutdownWrite(int fd) => Native.Shutdown(fd, Native.ShutWr);

    public void Close(int fd) => Native.Close(fd);

    /// <summary>A descriptor on /dev/null, or -1.</summary>
    public int OpenSpare() => Native.Open("/dev/null", Native.ORdonly | Native.OCloexec);

    /// <summary>A new epoll instance: any loop may watch any of this process's sockets.</summary>
    public IPoller CreatePoller() => new EpollPoller();
}
