using System.Buffers.Binary;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pool.Diagnostics;
using Pool.Reactor;
using Pool.Tests.Pooling;
using Pool.Tests.Reactor;

namespace Pool.Tests.Diagnostics;

/// <summary>What the reactor logs for an operator, with its event ids; silent without a logger factory.</summary>
public sealed class ReactorLogTests
{
    private static FakeRecord[] Events(Telemetry telemetry, int eventId) =>
        [
            .. telemetry
                .Records.Where(r => r.Id.Id == eventId)
                .Select(r => new FakeRecord(r.Level, r.Message, r.Exception, r.Category)),
        ];

    private sealed record FakeRecord(
        LogLevel Level,
        string Message,
        Exception? Exception,
        string? Category
    );

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void AFailingHandlerIsLoggedWithItsException(int workers)
    {
        using var telemetry = new Telemetry();
        using var running = new RunningLoop(new EventLoop(telemetry: telemetry.Options));
        var server = running.StartServer(
            m =>
                m.Span[0] == 0
                    ? throw new InvalidOperationException("planted handler failure")
                    : m.ToArray(),
            workers
        );
        var client = running.Connect(server);
        client.Send([0]);
        Wait.Until(() => Events(telemetry, 20).Length == 1, "the failure is logged");
        var failure = Events(telemetry, 20).Single();
        Assert.Equal(LogLevel.Error, failure.Level);
        Assert.Equal("planted handler failure", failure.Exception?.Message);
        Assert.Equal("Pool.Reactor.TcpServer", failure.Category);
        Assert.Contains("no reply", failure.Message);
        Assert.Equal(1, server.Errors);
    }

    [Fact]
    public void AFailingCallbackIsLoggedWithItsName()
    {
        using var telemetry = new Telemetry();
        using var running = new RunningLoop(new EventLoop(telemetry: telemetry.Options));
        var server = running.StartServer(
            RunningLoop.Echo,
            configure: s =>
                s.ConnectionOpened = _ =>
                    throw new InvalidOperationException("planted callback failure")
        );
        var client = running.Connect(server);
        Wait.Until(() => Events(telemetry, 40).Length == 1, "the failure is logged");
        var failure = Events(telemetry, 40).Single();
        Assert.Equal(LogLevel.Error, failure.Level);
        Assert.Contains("ConnectionOpened", failure.Message);
        Assert.Equal("planted callback failure", failure.Exception?.Message);
        // The loop went on.
        client.Send([5]);
        Assert.Equal(5, RunningLoop.ReceiveExactly(client, 1)[0]);
    }

    [Fact]
    public void AnOversizeMessageIsLogged()
    {
        using var telemetry = new Telemetry();
        using var running = new RunningLoop(new EventLoop(telemetry: telemetry.Options));
        var server = running.StartServer(
            RunningLoop.Echo,
            options: new TcpServerOptions
            {
                Framing = MessageFraming.LengthPrefixed,
                MaxMessageBytes = 8,
            }
        );
        var client = running.Connect(server);
        var prefix = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(prefix, 9);
        client.Send(prefix);
        Assert.Equal(0, RunningLoop.ReceiveToEnd(client));
        var oversize = Assert.Single(Events(telemetry, 21));
        Assert.Equal(LogLevel.Warning, oversize.Level);
        Assert.Contains("larger than MaxMessageBytes (8 bytes)", oversize.Message);
    }

    [Fact]
    public void WithoutALoggerFactoryTheServerIsSilent()
    {
        using var running = new RunningLoop();
        var server = running.StartServer(RunningLoop.Echo);
        Assert.Same(NullLogger.Instance, server.Logger);
    }

    [Fact]
    public void ALoggerThatThrowsLosesItsEntryNotTheLoop()
    {
        using var loggers = new LoggerFactory([new ThrowingLoggerProvider()]);
        using var running = new RunningLoop(
            new EventLoop(telemetry: new TelemetryOptions { LoggerFactory = loggers })
        );
        var server = running.StartServer(m =>
            m.Span[0] == 0 ? throw new InvalidOperationException("planted") : m.ToArray()
        );
        var failing = running.Connect(server);
        failing.Send([0]); // the handler throws on the loop, and so does the logger
        Assert.Equal(0, RunningLoop.ReceiveToEnd(failing));
        var other = running.Connect(server);
        other.Send([3]);
        Assert.Equal(3, RunningLoop.ReceiveExactly(other, 1)[0]);
        Assert.Equal(1, server.Errors);
    }

    private sealed class ThrowingLoggerProvider : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new ThrowingLogger();

        public void Dispose() { }
    }

    private sealed class ThrowingLogger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => throw new InvalidOperationException("planted scope failure");

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(
            LogLevel logLevel,
            EventId eventId,
            TState state,
            Exception? exception,
            Func<TState, Exception?, string> formatter
        ) => throw new InvalidOperationException("planted logger failure");
    }
}
