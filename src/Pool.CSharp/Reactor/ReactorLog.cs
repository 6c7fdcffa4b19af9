using Microsoft.Extensions.Logging;

namespace Pool.Reactor;

/// <summary>
/// What the reactor tells an operator, through <c>Microsoft.Extensions.Logging</c> (source-generated: nothing is
/// formatted or allocated unless the level is enabled). Silent unless a logger factory is given
/// (<see cref="Diagnostics.TelemetryOptions.LoggerFactory"/>). Event ids are stable: 1-19 accepting, 20-39 messages
/// and connections, 40-59 callbacks. Each event is also counted in <see cref="TcpServer.Errors"/> where it is an error.
/// </summary>
internal static partial class ReactorLog
{
    [LoggerMessage(
        EventId = 1,
        EventName = "AcceptFailed",
        Level = LogLevel.Warning,
        Message = "Accepting a connection on port {Port} failed (errno {Errno}); the listener pauses and retries every {RetryMilliseconds} ms until an accept succeeds"
    )]
    public static partial void AcceptFailed(
        ILogger logger,
        int port,
        int errno,
        double retryMilliseconds
    );

    [LoggerMessage(
        EventId = 2,
        EventName = "DescriptorsExhausted",
        Level = LogLevel.Warning,
        Message = "Out of file descriptors on port {Port} (errno {Errno}): waiting connections are accepted and closed at once (shed) until descriptors are free again"
    )]
    public static partial void DescriptorsExhausted(ILogger logger, int port, int errno);

    [LoggerMessage(
        EventId = 3,
        EventName = "AcceptRecovered",
        Level = LogLevel.Information,
        Message = "Accepting on port {Port} again; {Shed} connections were shed meanwhile"
    )]
    public static partial void AcceptRecovered(ILogger logger, int port, long shed);

    [LoggerMessage(
        EventId = 20,
        EventName = "HandlerFailed",
        Level = LogLevel.Error,
        Message = "The message handler threw: its message gets no reply (run on the loop thread, its connection is closed as HandlerFailed)"
    )]
    public static partial void HandlerFailed(ILogger logger, Exception exception);

    [LoggerMessage(
        EventId = 21,
        EventName = "MessageTooLarge",
        Level = LogLevel.Warning,
        Message = "Connection {ConnectionId} announced a message larger than MaxMessageBytes ({MaxMessageBytes} bytes); the connection is closed as MessageTooLarge"
    )]
    public static partial void MessageTooLarge(
        ILogger logger,
        long connectionId,
        int maxMessageBytes
    );

    [LoggerMessage(
        EventId = 22,
        EventName = "WorkersGone",
        Level = LogLevel.Warning,
        Message = "A message of connection {ConnectionId} arrived after the server's workers were destroyed: it gets no reply (destroy the workers after the server stopped)"
    )]
    public static partial void WorkersGone(ILogger logger, long connectionId);

    [LoggerMessage(
        EventId = 40,
        EventName = "CallbackFailed",
        Level = LogLevel.Error,
        Message = "The server callback {Callback} threw; the loop goes on"
    )]
    public static partial void CallbackFailed(ILogger logger, string callback, Exception exception);
}
