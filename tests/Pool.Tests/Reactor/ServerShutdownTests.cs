using System.Net;
using System.Net.Sockets;
using Pool.Reactor;
using Pool.Tests.Pool;

namespace Pool.Tests.Reactor;

/// <summary><see cref="TcpServer.Shutdown"/>: stop accepting, write the replies owed, close when the peers do.</summary>
public sealed class ServerShutdownTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void ShutdownWritesTheRepliesInFlightThenClosesWhenThePeerDoes(int workers)
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
}
