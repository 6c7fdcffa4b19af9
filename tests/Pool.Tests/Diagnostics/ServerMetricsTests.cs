using System.Buffers.Binary;
using System.Net.Sockets;
using Pool.Reactor;
using Pool.Tests.Pooling;
using Pool.Tests.Reactor;

namespace Pool.Tests.Diagnostics;

/// <summary>The TCP server's instruments (meter Pool.TcpServer), tagged with its address and port.</summary>
public sealed class ServerMetricsTests
{
    private const string Meter = "Pool.TcpServer";

    private static long Read(
        Telemetry telemetry,
        TcpServer server,
        string instrument,
        params (string, object?)[] tags
    ) =>
        telemetry.Read(
            Meter,
            instrument,
            [("server.address", "127.0.0.1"), ("server.port", server.Port), .. tags]
        )
        ?? throw new Xunit.Sdk.XunitException(
            $"{instrument} {string.Join(",", tags)} was not reported"
        );

    private static (RunningLoop Loop, TcpServer Server) Start(
        Telemetry telemetry,
        int workers = 0,
        TcpServerOptions? options = null,
        Func<ReadOnlyMemory<byte>, byte[]>? handler = null
    )
    {
        var running = new RunningLoop(new EventLoop(telemetry: telemetry.Options));
        var server = running.StartServer(handler ?? RunningLoop.Echo, workers, options);
        return (running, server);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void MessagesBytesAndConnectionsAreCounted(int workers)
    {
        using var telemetry = new Telemetry();
        var (running, server) = Start(telemetry, workers);
        using (running)
        {
            var client = running.Connect(server);
            for (var i = 0; i < 3; i++)
            {
                client.Send(new byte[100]);
                RunningLoop.ReceiveExactly(client, 100);
            }
            Assert.Equal(1, Read(telemetry, server, "pool.tcp_server.connections.active"));
            Assert.Equal(1, Read(telemetry, server, "pool.tcp_server.connections.accepted"));
            Assert.Equal(3, Read(telemetry, server, "pool.tcp_server.messages"));
            Assert.Equal(
                300,
                Read(telemetry, server, "pool.tcp_server.io", ("network.io.direction", "receive"))
            );
            // A write is counted when send() returns, which may be just after the client read the reply.
            Wait.Until(
                () =>
                    Read(
                        telemetry,
                        server,
                        "pool.tcp_server.io",
                        ("network.io.direction", "transmit")
                    ) == 300,
                "every reply byte is counted as transmitted"
            );

            client.Shutdown(SocketShutdown.Send);
            Assert.Equal(0, RunningLoop.ReceiveToEnd(client));
            Wait.Until(() => server.OpenConnections == 0, "the server releases the connection");
            Assert.Equal(0, Read(telemetry, server, "pool.tcp_server.connections.active"));
            Assert.Equal(
                1,
                Read(
                    telemetry,
                    server,
                    "pool.tcp_server.connections.closed",
                    ("pool.close_reason", "peer_closed")
                )
            );
            Assert.Equal(0, Read(telemetry, server, "pool.tcp_server.errors"));
            Assert.Equal(0, Read(telemetry, server, "pool.tcp_server.sends.dropped"));
        }
    }

    [Fact]
    public void RefusalsAndCloseReasonsCarryTheirTags()
    {
        using var telemetry = new Telemetry();
        var (running, server) = Start(
            telemetry,
            options: new TcpServerOptions
            {
                MaxConnections = 1,
                Framing = MessageFraming.LengthPrefixed,
                MaxMessageBytes = 16,
            }
        );
        using (running)
        {
            var kept = running.Connect(server);
            Wait.Until(() => server.AcceptedConnections == 1, "the first connection is accepted");
            var refused = running.Connect(server);
            Assert.Equal(0, RunningLoop.ReceiveToEnd(refused));
            Assert.Equal(
                1,
                Read(
                    telemetry,
                    server,
                    "pool.tcp_server.connections.rejected",
                    ("error.type", "connection_limit")
                )
            );
            Assert.Equal(
                0,
                Read(
                    telemetry,
                    server,
                    "pool.tcp_server.connections.rejected",
                    ("error.type", "descriptor_limit")
                )
            );

            var prefix = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(prefix, 17);
            kept.Send(prefix); // one byte over the limit
            Assert.Equal(0, RunningLoop.ReceiveToEnd(kept));
            Wait.Until(() => server.OpenConnections == 0, "the oversize connection is released");
            Assert.Equal(
                1,
                Read(
                    telemetry,
                    server,
                    "pool.tcp_server.connections.closed",
                    ("pool.close_reason", "message_too_large")
                )
            );
            // Only reasons that happened are reported.
            var reasons = telemetry
                .Series(Meter, "pool.tcp_server.connections.closed")
                .Select(s => s.Tags)
                .ToList();
            Assert.Single(reasons);
            Assert.Equal(1, Read(telemetry, server, "pool.tcp_server.errors"));
        }
    }

    [Fact]
    public void ServersOfOneMeterAreToldApartByPort()
    {
        using var telemetry = new Telemetry();
        var (running, first) = Start(telemetry);
        using (running)
        {
            var second = new TcpServer(running.Loop, RunningLoop.Echo);
            second.Start();
            var client = running.Connect(second);
            client.Send([1, 2, 3]);
            RunningLoop.ReceiveExactly(client, 3);
            Assert.Equal(1, Read(telemetry, second, "pool.tcp_server.messages"));
            Assert.Equal(0, Read(telemetry, first, "pool.tcp_server.messages"));
            second.Stop();
        }
    }

    /// <summary>
    /// Each I/O loop reports its open connections under its name (the server's own loop's, then that name with the
    /// loop's number); the server's totals add up every loop's bytes.
    /// </summary>
    [Fact]
    public void EachLoopReportsItsConnectionsAndTheTotalsAddThemUp()
    {
        using var telemetry = new Telemetry("echo");
        var (running, server) = Start(telemetry, options: new TcpServerOptions { Loops = 2 });
        using (running)
        {
            var clients = Enumerable.Range(0, 3).Select(_ => running.Connect(server)).ToList();
            foreach (var client in clients)
            {
                client.Send(new byte[10]);
                RunningLoop.ReceiveExactly(client, 10);
            }
            const string perLoop = "pool.tcp_server.loop.connections";
            Assert.Equal(1, Read(telemetry, server, perLoop, ("pool.event_loop.name", "echo")));
            Assert.Equal(2, Read(telemetry, server, perLoop, ("pool.event_loop.name", "echo-1")));
            Assert.Equal(3, Read(telemetry, server, "pool.tcp_server.connections.active"));
            Assert.Equal(
                30,
                Read(telemetry, server, "pool.tcp_server.io", ("network.io.direction", "receive"))
            );
            // The loop the server started reports as a loop too, under its own name.
            Assert.NotNull(
                telemetry.Read(
                    "Pool.EventLoop",
                    "pool.event_loop.iterations",
                    [("pool.event_loop.name", "echo-1")]
                )
            );
            clients.ForEach(c => c.Shutdown(SocketShutdown.Send));
            Wait.Until(() => server.OpenConnections == 0, "every connection is released");
            Assert.Equal(0, Read(telemetry, server, perLoop, ("pool.event_loop.name", "echo-1")));
        }
    }
}
