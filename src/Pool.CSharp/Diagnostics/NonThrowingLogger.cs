using Microsoft.Extensions.Logging;

namespace Pool.Diagnostics;

/// <summary>
/// A logger that never throws into its caller: the reactor logs on its loop thread, where an exception from a logging
/// provider would end the loop and with it every connection. An entry whose provider throws is lost (there is nowhere
/// safer to report it); the loop goes on.
/// </summary>
internal sealed class NonThrowingLogger(ILogger inner) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull
    {
        try
        {
            return inner.BeginScope(state);
        }
        catch (Exception)
        {
            return null;
        }
    }

    public bool IsEnabled(LogLevel logLevel)
    {
        try
        {
            return inner.IsEnabled(logLevel);
        }
        catch (Exception)
        {
            return false;
        }
    }

    public void Log<TState>(
        LogLevel logLevel,
        EventId eventId,
        TState state,
        Exception? exception,
        Func<TState, Exception?, string> formatter
    )
    {
        try
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
        }
        catch (Exception)
        {
            // A provider failed: this entry is lost, the caller (the loop thread) goes on.
        }
    }
}
