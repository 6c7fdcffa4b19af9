using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Pool.Reactor;
using Pool.Reactor.Linux;
using Pool.Tests.Pooling;

namespace Pool.Tests.Reactor;

/// <summary>Lowering the process's descriptor limit affects every test of the process: run these alone.</summary>
[CollectionDefinition(nameof(DescriptorLimit), DisableParallelization = true)]
public sealed class DescriptorLimit;

/// <summary>Running out of descriptors (EMFILE): the server sheds the connection it cannot keep instead of spinning.</summary>
[Collection(nameof(DescriptorLimit))]
public sealed partial class DescriptorExhaustionTests
{
    private const int RlimitNofile = 7;

    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetLimit(int resource, out ResourceLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetLimit(int resource, in ResourceLimit limit);

    [LibraryImport(
        "libc",
        EntryPoint = "open",
        SetLastError = true,
        StringMarshalling = StringMarshalling.Utf8
    )]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);

    private static int HighestOpenDescriptor() =>
        Directory.GetFiles("/proc/self/fd").Select(f => int.Parse(Path.GetFileName(f))).Max();

    /// <summary>Opens /dev/null until the limit is reached: no free descriptor number is left below it.</summary>
    private static List<int> FillDescriptorTable()
    {
        var fillers = new List<int>();
        for (var fd = Native.Open("/dev/null", 0); fd >= 0; fd = Native.Open("/dev/null", 0))
        {
            fillers.Add(fd);
        }
        return fillers;
    }

    /// <summary>
    /// Receives on a connection the server closed: 0 for its end of stream, and 0 for a reset (ECONNRESET); data is
    /// returned as its count, and a time-out (the connection left open) or any other error throws.
    /// </summary>
    private static int ReceiveUntilClosed(Socket socket)
    {
        try
        {
            return socket.Receive(new byte[1]);
        }
        catch (SocketException reset) when (reset.SocketErrorCode == SocketError.ConnectionReset)
        {
            return 0;
        }
    }

    /// <summary>With two loops, the first connection is served by the loop the server started, the one made after the
    /// exhaustion by the accepting loop.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void OutOfDescriptorsTheServerShedsTheConnectionAndKeepsServing(int loops)
    {
        using var telemetry = new Diagnostics.Telemetry();
        var loop = new EventLoop(telemetry: telemetry.Options);
        var thread = new Thread(loop.Run) { IsBackground = true };
        thread.Start();
        var server = new TcpServer(loop, m => m.ToArray(), new TcpServerOptions { Loops = loops });
        server.Start();
        var first = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        first.Connect(IPAddress.Loopback, server.Port);
        Wait.Until(() => server.AcceptedConnections == 1, "the first connection is accepted");

        // Whatever the server's two log events load (an assembly takes a descriptor to load) is loaded now: with no
        // descriptor free, a type that fails to initialise stays broken, and the events would be lost.
        using (var warmUp = new Diagnostics.Telemetry())
        {
            var logger = warmUp.LoggerFactory.CreateLogger<TcpServer>();
            ReactorLog.DescriptorsExhausted(logger, server.Port, 24);
            ReactorLog.AcceptRecovered(logger, server.Port, 1);
            Assert.Equal(2, warmUp.Records.Count);
        }

        Assert.Equal(0, GetLimit(RlimitNofile, out var original));
        var clients = new List<Socket> { first };
        var fillers = new List<int>();
        try
        {
            Assert.Equal(
                0,
                SetLimit(
                    RlimitNofile,
                    original with
                    {
                        Current = (ulong)HighestOpenDescriptor() + 16,
                    }
                )
            );
            fillers = FillDescriptorTable();
            Native.Close(fillers[^1]); // exactly one free descriptor: for the client; the server's accept hits EMFILE
            fillers.RemoveAt(fillers.Count - 1);
            var second = new Socket(
                AddressFamily.InterNetwork,
                SocketType.Stream,
                ProtocolType.Tcp
            );
            clients.Add(second);
            second.Connect(IPAddress.Loopback, server.Port);
            Wait.Until(
                () => server.ShedConnections >= 1,
                "the server sheds the connection it cannot keep"
            );
        }
        finally
        {
            fillers.ForEach(fd => Native.Close(fd));
            Assert.Equal(0, SetLimit(RlimitNofile, original));
        }

        // The shed client sees its connection closed (read with descriptors free again, so that a failure is
        // reported as one and does not take the test host down with it).
        var shed = clients[^1];
        shed.ReceiveTimeout = (int)Wait.Limit.TotalMilliseconds;
        Assert.Equal(0, ReceiveUntilClosed(shed)); // closed by the server: not left waiting

        // The loop survived the exhaustion: the connection it kept still echoes.
        first.Send([42]);
        var reply = new byte[1];
        first.ReceiveTimeout = (int)Wait.Limit.TotalMilliseconds;
        Assert.Equal(1, first.Receive(reply));
        Assert.Equal(42, reply[0]);

        // And a new connection is served. (It used to be shed now and then: the acceptor kept looping in its
        // shed path, because Linux reports EMFILE before it looks at the queue, until the limit came back.)
        using var third = new Socket(
            AddressFamily.InterNetwork,
            SocketType.Stream,
            ProtocolType.Tcp
        );
        third.Connect(IPAddress.Loopback, server.Port);
        third.ReceiveTimeout = (int)Wait.Limit.TotalMilliseconds;
        third.Send([7]);
        Assert.Equal(1, third.Receive(reply));
        Assert.Equal(7, reply[0]);
        Assert.Equal(0, server.Errors);

        // The operator is told once that descriptors ran out, and once that accepting works again.
        var events = telemetry.Records.Where(r => r.Id.Id is 2 or 3).ToList();
        Assert.Equal([2, 3], events.Select(r => r.Id.Id));
        Assert.Contains("Out of file descriptors", events[0].Message);
        Assert.Contains($"{server.ShedConnections} connections were shed", events[1].Message);
        Assert.Equal(
            server.ShedConnections,
            telemetry.Read(
                "Pool.TcpServer",
                "pool.tcp_server.connections.rejected",
                ("server.port", server.Port),
                ("error.type", "descriptor_limit")
            )
        );

        clients.ForEach(c => c.Dispose());
        server.Stop();
        loop.Quit();
        Assert.True(thread.Join(Wait.Limit));
        loop.Dispose();
    }
}
