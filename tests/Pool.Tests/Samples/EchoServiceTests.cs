using System.Buffers.Binary;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using EchoService;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Pool.Reactor;
using Pool.Tests.Pooling;
using Pool.Tests.Reactor;

namespace Pool.Tests.Samples;

/// <summary>
/// samples/EchoService on the generic host: replies in flight are drained on stop (in process, and with a real SIGTERM
/// to a child process), a drain that times out closes what is left, and bad configuration or an unusable port fail
/// the start with the reason and a non-zero exit code.
/// </summary>
public sealed class EchoServiceTests
{
    private const int MessageBytes = 16;

    /// <summary><paramref name="count"/> length-prefixed messages in one buffer (one write: one segment on loopback).</summary>
    private static byte[] Messages(int connection, int count)
    {
        var buffer = new byte[count * (4 + MessageBytes)];
        for (var i = 0; i < count; i++)
        {
            var at = i * (4 + MessageBytes);
            BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(at), MessageBytes);
            buffer.AsSpan(at + 4, MessageBytes).Fill((byte)(connection * 16 + i));
        }
        return buffer;
    }

    private const int LargeMessageBytes = 1_000_000; // under the default MaxMessageBytes (1 MiB)

    /// <summary>
    /// <paramref name="count"/> length-prefixed messages of <see cref="LargeMessageBytes"/> each: with 16 of them, more
    /// echo than a client that does not read holds (<see cref="ConnectNotReading"/>) plus the server's socket buffer
    /// (at most net.ipv4.tcp_wmem's largest, 4 MiB by default), so the rest waits in the server's own output.
    /// </summary>
    private static byte[] LargeMessages(int connection, int count)
    {
        var buffer = new byte[count * (4 + LargeMessageBytes)];
        for (var i = 0; i < count; i++)
        {
            var at = i * (4 + LargeMessageBytes);
            BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(at), LargeMessageBytes);
            buffer.AsSpan(at + 4, LargeMessageBytes).Fill((byte)(connection * 16 + i));
        }
        return buffer;
    }

    /// <summary>A client with a small, fixed receive buffer (no auto-tuning): until it reads, replies stay with the server.</summary>
    private static Socket ConnectNotReading(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveTimeout = (int)Wait.Limit.TotalMilliseconds,
            ReceiveBufferSize = 64 * 1024,
        };
        socket.Connect(IPAddress.Loopback, port);
        return socket;
    }

    private static Socket Connect(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveTimeout = (int)Wait.Limit.TotalMilliseconds,
        };
        socket.Connect(IPAddress.Loopback, port);
        return socket;
    }

    /// <summary>Reads every reply up to the server's end of stream, then closes (as a client does on end of stream).</summary>
    private static byte[] RepliesToEnd(Socket socket)
    {
        using var stream = new MemoryStream();
        var buffer = new byte[4096];
        int n;
        while ((n = socket.Receive(buffer)) > 0)
        {
            stream.Write(buffer, 0, n);
        }
        socket.Dispose();
        return stream.ToArray();
    }

    [Fact]
    public async Task AStopDrainsEveryReplyInFlight()
    {
        using var host = EchoHost.Build([
            "--port",
            "0",
            "--threads",
            "2",
            "--handler-delay",
            "00:00:00.300",
            "--framing",
            "LengthPrefixed",
            "--Logging:LogLevel:Default",
            "Warning",
        ]);
        await host.StartAsync();
        var server = host.Services.GetRequiredService<HostedEchoServer>().Server!;
        using var messages = new MetricCollector<long>(
            host.Services.GetRequiredService<IMeterFactory>(),
            "Pool.TcpServer",
            "pool.tcp_server.messages"
        );
        const int connections = 4;
        const int perConnection = 5;
        var clients = Enumerable.Range(0, connections).Select(_ => Connect(server.Port)).ToList();
        for (var c = 0; c < connections; c++)
        {
            clients[c].Send(Messages(c, perConnection));
        }
        // Every message was read (the metric says so); its reply takes 300 ms, one after another per connection, so
        // replies are in flight when the stop begins. Nothing sent later is part of the test.
        Wait.Until(
            () =>
            {
                messages.RecordObservableInstruments();
                return messages.LastMeasurement?.Value == connections * perConnection;
            },
            "the server has read every message"
        );
        // The host's stopping event comes before the service's stop: what was written by then, it did not drain.
        var sentWhenStopping = -1L;
        host.Services.GetRequiredService<IHostApplicationLifetime>()
            .ApplicationStopping.Register(() => sentWhenStopping = server.Counts.BytesSent);
        var stopping = host.StopAsync();
        var replies = await Task.WhenAll(clients.Select(c => Task.Run(() => RepliesToEnd(c))));
        await stopping.WaitAsync(Wait.Limit);

        var total = connections * Messages(0, perConnection).Length;
        Assert.InRange(sentWhenStopping, 0, total - 1); // replies were in flight when the stop began
        Assert.Equal(total, server.Counts.BytesSent); // and the stop wrote them

        for (var c = 0; c < connections; c++)
        {
            Assert.Equal(Messages(c, perConnection), replies[c]);
        }
        Assert.Equal(0, server.OpenConnections);
        Assert.Equal(0, server.DroppedSends);
        Assert.Equal(0, server.Errors);
    }

    [Fact]
    public async Task SigtermDrainsRepliesInFlightAndExitsZero()
    {
        using var service = EchoServiceProcess.Start(
            "--port",
            "0",
            "--threads",
            "2",
            "--framing",
            "LengthPrefixed"
        );
        var port = service.WaitForPort();
        const int connections = 3;
        const int perConnection = 16;
        var clients = Enumerable
            .Range(0, connections)
            .Select(_ => ConnectNotReading(port))
            .ToList();
        for (var c = 0; c < connections; c++)
        {
            clients[c].Send(LargeMessages(c, perConnection));
        }
        // Every byte was handed to the service's socket; once the service has read them all, every message is
        // dispatched. The clients have read nothing, so most of the echo is still the service's to write.
        foreach (var client in clients)
        {
            var clientPort = ((IPEndPoint)client.LocalEndPoint!).Port;
            Wait.Until(
                () => LoopbackSockets.UnreadByServer(port, clientPort) == 0,
                "the service has read every message"
            );
            Assert.InRange(client.Available, 0, LargeMessages(0, perConnection).Length - 1);
        }
        service.Terminate();
        var replies = await Task.WhenAll(clients.Select(c => Task.Run(() => RepliesToEnd(c))))
            .WaitAsync(Wait.Limit);
        for (var c = 0; c < connections; c++)
        {
            var expected = LargeMessages(c, perConnection);
            Assert.Equal(expected.Length, replies[c].Length);
            Assert.True(expected.AsSpan().SequenceEqual(replies[c]), "the echo differs");
        }
        Assert.Equal(0, service.WaitForExit());
        Assert.Contains("draining 3 open connections", service.Output);
        Assert.Contains("Every connection drained", service.Output);
        Assert.Contains("48 messages, 0 errors, 0 replies dropped", service.Output);
    }

    [Fact]
    public async Task ADrainThatTimesOutClosesWhatIsLeftAndSaysSo()
    {
        var builder = EchoHost.CreateBuilder([
            "--port",
            "0",
            "--threads",
            "1",
            "--framing",
            "LengthPrefixed",
            "--drain-timeout",
            "00:00:00.100",
        ]);
        var logs = new FakeLoggerProvider();
        builder.Logging.ClearProviders().AddProvider(logs);
        using var host = builder.Build();
        await host.StartAsync();
        var server = host.Services.GetRequiredService<HostedEchoServer>().Server!;
        using var client = ConnectNotReading(server.Port);
        const int count = 16;
        var sent = LargeMessages(0, count);
        client.Send(sent);
        Wait.Until(() => server.Messages == count, "the server has read every message");
        // This client neither reads nor closes, so the drain cannot finish: after 100 ms the stop closes the
        // connection, and the echo it could not write by then is dropped.
        await host.StopAsync().WaitAsync(Wait.Limit);
        var received = RunningLoop.ReceiveToEnd(client);
        Assert.InRange(received, 0, sent.Length - 1);
        Assert.True(server.DroppedSends >= 1, "the unsent echo is dropped and counted");
        Assert.Equal(0, server.OpenConnections);
        Assert.Equal(1, server.Counts.Closed(CloseReason.ServerStopped));
        var timedOut = Assert.Single(
            logs.Collector.GetSnapshot(),
            r => r.Id.Id == 4 && r.Category == typeof(HostedEchoServer).FullName
        );
        Assert.Equal(LogLevel.Warning, timedOut.Level);
        Assert.Contains("with 1 connections still open: closing them", timedOut.Message);
        Assert.Contains(
            logs.Collector.GetSnapshot(),
            r =>
                r.Id.Id == 5
                && r.Message.Contains($"{count} messages", StringComparison.Ordinal)
                && r.Message.Contains(
                    $"{server.DroppedSends} replies dropped",
                    StringComparison.Ordinal
                )
        );
    }

    [Theory]
    [InlineData(
        "--threads",
        "-1",
        "Echo:Threads must be 0 (handlers on the loop thread) or more (got -1)."
    )]
    [InlineData("--port", "70000", "Echo:Port must be from 0 to 65535 (got 70000).")]
    [InlineData("--loops", "0", "Echo:Loops must be from 1 to 256 (got 0).")]
    [InlineData("--drain-timeout", "-00:00:01", "Echo:DrainTimeout must not be negative")]
    [InlineData(
        "--address",
        "localhost",
        "Echo:Address must be an IPv4 address (got 'localhost')."
    )]
    public async Task BadConfigurationFailsTheStartWithTheReason(
        string key,
        string value,
        string reason
    )
    {
        using var host = EchoHost.Build(["--port", "0", key, value]);
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(reason, failure.Message);
    }

    [Fact]
    public async Task AMetricsListenerThatThrowsFailsTheStartAndLeavesNothingRunning()
    {
        using var host = EchoHost.Build(["--port", "0", "--Logging:LogLevel:Default", "Warning"]);
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (
                    instrument.Meter.Scope == meters
                    && instrument.Meter.Name.StartsWith("Pool.", StringComparison.Ordinal)
                )
                {
                    throw new InvalidOperationException("planted: this listener is broken");
                }
            },
        };
        listener.Start();
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("A metrics listener threw", failure.Message);
        Assert.Contains("planted: this listener is broken", failure.Message);
        var service = host.Services.GetRequiredService<HostedEchoServer>();
        Assert.Null(service.Server); // nothing listens, no loop thread runs
        await host.StopAsync(); // and stopping what never started is harmless
    }

    [Fact]
    public void ANegativeThreadCountExitsNonZeroWithTheReason()
    {
        using var service = EchoServiceProcess.Start("--port", "0", "--threads", "-1");
        Assert.Equal(EchoHost.StartupFailed, service.WaitForExit());
        Assert.Contains(
            "EchoService could not start: invalid configuration: Echo:Threads must be 0 (handlers on the loop thread) or more (got -1).",
            service.Errors
        );
    }

    [Fact]
    public void AConfigurationFromTheEnvironmentIsValidatedToo()
    {
        using var service = EchoServiceProcess.StartWith(
            [("Echo__MaxConnections", "0")],
            "--port",
            "0"
        );
        Assert.Equal(EchoHost.StartupFailed, service.WaitForExit());
        Assert.Contains("Echo:MaxConnections must be 1 or more (got 0).", service.Errors);
    }

    [Fact]
    public void APortInUseIsReportedAndExitsNonZero()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        using var service = EchoServiceProcess.Start(
            "--port",
            port.ToString(System.Globalization.CultureInfo.InvariantCulture)
        );
        Assert.Equal(EchoHost.StartupFailed, service.WaitForExit());
        Assert.Contains(
            $"EchoService could not start: bind(127.0.0.1:{port}) failed",
            service.Errors
        );
        Assert.Contains("Address already in use", service.Errors);
    }

    [Fact]
    public async Task TheHostsMetersCarryTheServicesMetrics()
    {
        using var host = EchoHost.Build(["--port", "0", "--Logging:LogLevel:Default", "Warning"]);
        await host.StartAsync();
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        var server = host.Services.GetRequiredService<HostedEchoServer>().Server!;
        using (var client = Connect(server.Port))
        {
            client.Send([1, 2, 3]);
            Assert.Equal(3, RunningLoop.ReceiveExactly(client, 3).Length);
        }
        using var threads = new MetricCollector<long>(
            meters,
            "Pool.ThreadPool",
            "pool.thread_pool.thread.count"
        );
        using var rounds = new MetricCollector<long>(
            meters,
            "Pool.EventLoop",
            "pool.event_loop.iterations"
        );
        using var bytes = new MetricCollector<long>(meters, "Pool.TcpServer", "pool.tcp_server.io");
        threads.RecordObservableInstruments();
        rounds.RecordObservableInstruments();
        bytes.RecordObservableInstruments();
        Assert.Equal(2, threads.LastMeasurement!.Value);
        Assert.Equal("echo", threads.LastMeasurement.Tags["pool.thread_pool.name"]);
        Assert.True(rounds.LastMeasurement!.Value > 0);
        Assert.Contains(
            bytes.GetMeasurementSnapshot(),
            m => m.Value == 3 && Equals(m.Tags["network.io.direction"], "receive")
        );
        await host.StopAsync();
    }
}
