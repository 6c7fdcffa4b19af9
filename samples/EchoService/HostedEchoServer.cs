using System.Buffers;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pool;
using Pool.Diagnostics;
using Pool.Reactor;

namespace EchoService;

/// <summary>
/// The echo server as a hosted service: <see cref="StartAsync"/> binds (a bind error fails the host's start), runs the
/// event loop on a thread of its own and the handler on an <see cref="Executor"/>; <see cref="StopAsync"/> (SIGTERM,
/// SIGINT or the application's stop) stops accepting, lets every reply in flight be written, waits for the clients to
/// close within <see cref="EchoOptions.DrainTimeout"/>, then closes what is left and stops the loop and the workers.
/// Metrics go to the host's <see cref="IMeterFactory"/>, logs to its logger factory.
/// </summary>
internal sealed class HostedEchoServer(
    IOptions<EchoOptions> options,
    IMeterFactory meterFactory,
    ILoggerFactory loggerFactory,
    IHostApplicationLifetime lifetime,
    ILogger<HostedEchoServer> logger
) : IHostedService
{
    private static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(10);
    private readonly EchoOptions _options = options.Value;
    private EventLoop? _loop;
    private Executor? _workers;
    private Thread? _loopThread;

    /// <summary>The server once started (the port it listens on, its counters).</summary>
    public TcpServer? Server { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var telemetry = new TelemetryOptions
        {
            MeterFactory = meterFactory,
            LoggerFactory = loggerFactory,
            Name = "echo",
        };
        var loop = new EventLoop(telemetry: telemetry);
        Executor? workers = null;
        try
        {
            workers =
                _options.Threads > 0 ? new Executor(_options.Threads, telemetry: telemetry) : null;
            var server = new TcpServer(
                loop,
                Reply,
                new TcpServerOptions
                {
                    Address = _options.ParsedAddress,
                    Port = _options.Port,
                    MaxConnections = _options.MaxConnections,
                    Framing = _options.Framing,
                    Loops = _options.Loops,
                },
                workers
            );
            server.Start();
            Server = server;
        }
        catch
        {
            workers?.Destroy();
            loop.Dispose();
            throw;
        }
        _loop = loop;
        _workers = workers;
        _loopThread = new Thread(RunLoop) { Name = "echo-loop" };
        _loopThread.Start();
        EchoLog.Listening(
            logger,
            _options.Address,
            Server.Port,
            _options.Loops,
            _options.Threads,
            _options.Work,
            _options.Framing.ToString(),
            _options.DrainTimeout
        );
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Server is not { } server || _loop is not { } loop)
        {
            return; // never started
        }
        EchoLog.Draining(logger, server.OpenConnections);
        try
        {
            server.Shutdown();
            using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            drain.CancelAfter(_options.DrainTimeout);
            while (server.OpenConnections > 0)
            {
                await Task.Delay(DrainPoll, drain.Token);
            }
            EchoLog.Drained(logger);
        }
        catch (OperationCanceledException)
        {
            EchoLog.DrainTimedOut(logger, _options.DrainTimeout, server.OpenConnections);
        }
        catch (InvalidOperationException)
        {
            // the loop already ended (it failed): nothing is left to drain
        }
        try
        {
            server.Stop();
        }
        catch (InvalidOperationException)
        {
            // the loop already ended
        }
        // Workers first: replies still running come back (dropped and counted, their connections closed) and
        // sessions never started are cancelled, while the loop still runs to release their connections.
        _workers?.Destroy();
        loop.Quit();
        _loopThread!.Join();
        loop.Dispose();
        EchoLog.Stopped(
            logger,
            server.AcceptedConnections,
            server.RefusedConnections,
            server.ShedConnections,
            server.Messages,
            server.Errors,
            server.DroppedSends
        );
    }

    private void Reply(ReadOnlyMemory<byte> message, IBufferWriter<byte> reply)
    {
        if (_options.Work > 0)
        {
            _ = Pool.Samples.Fibonacci.Of(_options.Work);
        }
        if (_options.HandlerDelay > TimeSpan.Zero)
        {
            Thread.Sleep(_options.HandlerDelay);
        }
        reply.Write(message.Span);
    }

    private void RunLoop()
    {
        try
        {
            _loop!.Run();
        }
        catch (Exception failure)
        {
            EchoLog.LoopFailed(logger, failure);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }
}
