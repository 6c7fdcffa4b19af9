using System.Net;
using System.Net.Sockets;
using Pool.Reactor;
using Pool.Tests.Pooling;

namespace Pool.Tests.Reactor;

/// <summary><see cref="TcpServer.Shutdown"/>: stop accepting, write the replies owed, close when the peers do.</summary>
public sealed class ServerShutdownTests
{
    /// <summary>With two loops the connection is on the loop the server started: the shutdown reaches it there.</summary>
    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(0, 2)]
    [InlineData(1, 2)]
    public void ShutdownWritesTheRepliesInFlightThenClosesWhenThePeerDoes(int workers, int loops)
    {
        using var running = new RunningLoop();
        using var gate = new ManualResetEventSlim(workers == 0); // inline handlers must not block the loop
        var reasons = new System.Collections.Concurrent.ConcurrentQueue<CloseReason>();
        var server = running.StartServer(
            m =>
            {
                gate.Wait();
                return m.ToArray();
            },
            workers,
            new TcpServerOptions { Loops = loops },
            configure: s => s.ConnectionClosed = c => reasons.Enqueue(c.CloseReason)
        );
        var client = running.Connect(server);
        client.Send([1, 2, 3]);
        Wait.Until(() => server.Messages == 1, "the server has read the message");

        server.Shutdown(); // queued before the reply can come back, so it is processed first
        gate.Set();
        Assert.Equal(3, RunningLoop.ReceiveToEnd(client)); // the reply, then the server's end of stream
        Assert.Equal(1, server.OpenConnections); // until the peer ends its stream too
        Assert.Throws<SocketException>(() =>
        {
            using var late = new Socket(
                AddressFamily.InterNetwork,
                SocketType.Stream,
                ProtocolType.Tcp
            );
            late.Connect(IPAddress.Loopback, server.Port);
        });

        client.Shutdown(SocketShutdown.Send);
        Wait.Until(() => server.OpenConnections == 0, "the connection is released");
        Wait.Until(() => reasons.Count == 1, "the close is reported");
        Assert.Equal([CloseReason.LocalShutdown], reasons.ToArray());
        Assert.Equal(0, server.DroppedSends);
        server.Shutdown(); // again: nothing more
        server.Stop();
    }

    /// <summary>
    /// The server is stopped and its loop has finished while a worker still holds a message (and, with
    /// <paramref name="queuedBehind"/>, a second one waits in its queue and is cancelled when the workers are
    /// destroyed): the late reply and the cancellation are settled on their own threads, and the closed connection
    /// is still released, its descriptor closed, once. With two loops the connection is on the loop the server
    /// started, which finished with the server's loop.
    /// </summary>
    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 1)]
    [InlineData(false, 2)]
    [InlineData(true, 2)]
    public async Task AReplyThatOutlivesItsLoopStillReleasesTheConnection(
        bool queuedBehind,
        int loops
    )
    {
        var loop = new EventLoop();
        var loopThread = new Thread(loop.Run) { IsBackground = true };
        loopThread.Start();
        using var gate = new ManualResetEventSlim(false);
        var workers = new global::Pool.Executor(1);
        var server = new TcpServer(
            loop,
            m =>
            {
                gate.Wait();
                return m.ToArray();
            },
            new TcpServerOptions { Loops = loops },
            workers: workers
        );
        server.Start();
        using var client = new Socket(
            AddressFamily.InterNetwork,
            SocketType.Stream,
            ProtocolType.Tcp
        );
        client.Connect(IPAddress.Loopback, server.Port);
        client.Send([1]);
        Wait.Until(() => server.Messages == 1, "the server has read the first message");
        if (queuedBehind)
        {
            client.Send([2]);
            Wait.Until(() => server.Messages == 2, "the server has read the second message");
        }

        server.Stop();
        loop.Quit();
        Assert.True(loopThread.Join(Wait.Limit), "the loop finishes");
        Assert.Equal(0, server.ReleasedConnections); // closed, but a reply is still in flight
        var destroy = Task.Run(workers.Destroy); // waits for the running handler; cancels what is queued
        gate.Set();
        await destroy.WaitAsync(Wait.Limit); // throws TimeoutException if the destroy hangs
        Wait.Until(() => server.ReleasedConnections == 1, "the connection is released");
        Assert.Equal(0, server.OpenConnections);
        loop.Dispose();
    }
}
