using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Pool.Reactor;
using Pool.Tests.Pooling;

namespace Pool.Tests.Reactor;

/// <summary>An event loop on its own thread with the servers and client sockets of one test; disposing tears all down.</summary>
internal sealed class RunningLoop : IDisposable
{
    private readonly Thread _thread;
    private readonly List<IDisposable> _owned = [];
    private global::Pool.Executor? _workers;

    public RunningLoop()
        : this(new EventLoop()) { }

    /// <summary>Runs <paramref name="loop"/> (made with options of the test's choosing).</summary>
    public RunningLoop(EventLoop loop)
    {
        Loop = loop;
        _thread = new Thread(Loop.Run) { IsBackground = true };
        _thread.Start();
    }

    public EventLoop Loop { get; }

    public void Dispose()
    {
        Loop.Quit();
        Assert.True(_thread.Join(Wait.Limit));
        _workers?.Destroy();
        _owned.ForEach(o => o.Dispose());
        Loop.Dispose();
    }

    /// <summary>A server on this loop (with <paramref name="workers"/> executor threads, 0: inline); <paramref name="configure"/> sets callbacks before it starts.</summary>
    public TcpServer StartServer(
        Func<ReadOnlyMemory<byte>, byte[]> handler,
        int workers = 0,
        TcpServerOptions? options = null,
        Action<TcpServer>? configure = null
    ) =>
        StartServer((message, reply) => reply.Write(handler(message)), workers, options, configure);

    /// <summary>The same, with a handler that writes its reply.</summary>
    public TcpServer StartServer(
        MessageHandler handler,
        int workers = 0,
        TcpServerOptions? options = null,
        Action<TcpServer>? configure = null
    )
    {
        _workers = workers > 0 ? new global::Pool.Executor(workers) : null;
        var server = new TcpServer(Loop, handler, options, _workers);
        configure?.Invoke(server);
        server.Start();
        return server;
    }

    /// <summary>A blocking client socket connected to <paramref name="server"/>, closed with the loop.</summary>
    public Socket Connect(TcpServer server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Connect(IPAddress.Loopback, server.Port);
        socket.ReceiveTimeout = (int)Wait.Limit.TotalMilliseconds;
        _owned.Add(socket);
        return socket;
    }

    public static byte[] Echo(ReadOnlyMemory<byte> message) => message.ToArray();

    /// <summary><paramref name="payload"/> with its 4-byte big-endian length prefix (MessageFraming.LengthPrefixed).</summary>
    public static byte[] Frame(byte[] payload)
    {
        var framed = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(framed, payload.Length);
        payload.CopyTo(framed, 4);
        return framed;
    }

    /// <summary>Receives exactly <paramref name="count"/> bytes, failing if the server closes first.</summary>
    public static byte[] ReceiveExactly(Socket socket, int count)
    {
        var buffer = new byte[count];
        var received = 0;
        while (received < count)
        {
            var n = socket.Receive(buffer, received, count - received, SocketFlags.None);
            Assert.True(
                n > 0,
                $"the server closed the connection after {received} of {count} bytes"
            );
            received += n;
        }
        return buffer;
    }

    /// <summary>Receives until the server ends the stream; returns the byte count.</summary>
    public static long ReceiveToEnd(Socket socket)
    {
        var buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = socket.Receive(buffer)) > 0)
        {
            total += n;
        }
        return total;
    }
}
