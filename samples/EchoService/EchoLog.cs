using Microsoft.Extensions.Logging;

namespace EchoService;

/// <summary>What the echo service tells its operator (the reactor's own events come from category Pool.Reactor.TcpServer).</summary>
internal static partial class EchoLog
{
    [LoggerMessage(
        EventId = 1,
        EventName = "Listening",
        Level = LogLevel.Information,
        Message = "Echo service listening on {Address}:{Port} ({Loops} I/O loops, {Threads} worker threads, work fib({Work}), framing {Framing}, drain timeout {DrainTimeout})"
    )]
    public static partial void Listening(
        ILogger logger,
        string address,
        int port,
        int loops,
        int threads,
        int work,
        string framing,
        TimeSpan drainTimeout
    );

    [LoggerMessage(
        EventId = 2,
        EventName = "Draining",
        Level = LogLevel.Information,
        Message = "Stopping: no new connections; draining {Open} open connections (replies in flight are written, then each closes when its client does)"
    )]
    public static partial void Draining(ILogger logger, long open);

    [LoggerMessage(
        EventId = 3,
        EventName = "Drained",
        Level = LogLevel.Information,
        Message = "Every connection drained and closed"
    )]
    public static partial void Drained(ILogger logger);

    [LoggerMessage(
        EventId = 4,
        EventName = "DrainTimedOut",
        Level = LogLevel.Warning,
        Message = "The drain timed out after {DrainTimeout} with {Open} connections still open: closing them, unsent replies are dropped"
    )]
    public static partial void DrainTimedOut(ILogger logger, TimeSpan drainTimeout, long open);

    [LoggerMessage(
        EventId = 5,
        EventName = "Stopped",
        Level = LogLevel.Information,
        Message = "Stopped: {Accepted} connections ({Refused} refused, {Shed} shed), {Messages} messages, {Errors} errors, {Dropped} replies dropped"
    )]
    public static partial void Stopped(
        ILogger logger,
        long accepted,
        long refused,
        long shed,
        long messages,
        long errors,
        long dropped
    );

    [LoggerMessage(
        EventId = 6,
        EventName = "LoopFailed",
        Level = LogLevel.Critical,
        Message = "The event loop ended with an exception; the service stops"
    )]
    public static partial void LoopFailed(ILogger logger, Exception exception);
}
