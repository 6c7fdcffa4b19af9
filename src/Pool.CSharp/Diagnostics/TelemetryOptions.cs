using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Pool.Diagnostics;

/// <summary>
/// Where a <see cref="ThreadPool"/>, <see cref="Executor"/>, <see cref="Reactor.EventLoop"/> or
/// <see cref="Reactor.TcpServer"/> reports: the factory of its <see cref="Meter"/>, the factory of its logger, and the
/// name that tells instances of one kind apart in measurements. Every property is optional; with none, metrics go to
/// meters shared by the process (<c>Pool.ThreadPool</c>, <c>Pool.EventLoop</c>, <c>Pool.TcpServer</c>) and nothing is
/// logged.
/// </summary>
/// <remarks>
/// Every instrument is observable: a component counts what it counts whether or not anybody listens (plain stores on
/// memory its thread already owns), and the listener's thread reads the counts when it collects, so a listener that
/// throws from its measurement callback throws on its own thread, never on the event loop or a worker. Only
/// components on the operating system's threads (the default <c>IThreading</c>) are measured: under a controlled
/// scheduler a read from the listener's thread would be a step of a thread the scheduler does not know.
/// </remarks>
public sealed record TelemetryOptions
{
    /// <summary>
    /// Creates the component's meter (the .NET way under dependency injection: the host's <see cref="IMeterFactory"/>).
    /// Null: a meter shared by the process, created by this library.
    /// </summary>
    public IMeterFactory? MeterFactory { get; init; }

    /// <summary>Creates the component's logger. Null: nothing is logged (<c>NullLogger</c>).</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>
    /// The instance's name in the tags of its measurements (<c>pool.thread_pool.name</c>, <c>pool.event_loop.name</c>);
    /// give each instance of one kind its own. Null: a name numbered in creation order within the process
    /// (<c>pool-1</c>, <c>loop-1</c>). A server is told apart by <c>server.address</c> and <c>server.port</c> instead.
    /// </summary>
    public string? Name { get; init; }
}
