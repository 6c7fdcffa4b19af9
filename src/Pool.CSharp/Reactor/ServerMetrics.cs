using System.Diagnostics.Metrics;
using System.Net;
using Pool.Diagnostics;
using Pool.Threading;

namespace Pool.Reactor;

/// <summary>
/// The TCP server's instruments on a meter named <see cref="MeterName"/>, one set per meter, reporting every started
/// server of that meter with the tags <c>server.address</c> and <c>server.port</c> (OpenTelemetry's names, as Kestrel's
/// <c>kestrel.*</c> instruments carry them). Bytes carry <c>network.io.direction</c>, rejections <c>error.type</c>,
/// closes <c>pool.close_reason</c>.
/// </summary>
internal sealed class ServerMetrics
{
    /// <summary>The meter's name (what <c>dotnet-counters monitor --counters</c> takes).</summary>
    public const string MeterName = "Pool.TcpServer";

    private static readonly MeterCatalog<ServerMetrics> s_catalog = new(
        MeterName,
        (meter, publication) => new ServerMetrics(meter, publication)
    );

    // The tag value of each close reason, by the enum's value (snake case, as OpenTelemetry's enumerated values).
    private static readonly (CloseReason Reason, string Tag)[] s_closeReasons =
    [
        .. Enum.GetValues<CloseReason>()
            .Where(reason => reason != CloseReason.None)
            .Select(reason => (reason, SnakeCase(reason.ToString()))),
    ];

    private readonly ObservedInstances<TcpServer> _servers = new();

    private ServerMetrics(Meter meter, InstrumentPublication publication)
    {
        publication.Publish(() =>
            meter.CreateObservableUpDownCounter(
                "pool.tcp_server.connections.active",
                () => _servers.Measure(s => s.OpenConnections),
                "{connection}",
                "Connections accepted and not yet released."
            )
        );
        publication.Publish(() =>
            meter.CreateObservableUpDownCounter(
                "pool.tcp_server.loop.connections",
                () =>
                    _servers.Measure(
                        (server, tags, measurements) =>
                        {
                            foreach (var loop in server.Loops)
                            {
                                measurements.Add(
                                    new(
                                        loop.OpenConnections,
                                        ObservedInstances<TcpServer>.With(
                                            tags,
                                            LoopMetrics.NameTag,
                                            loop.Loop.Name
                                        )
                                    )
                                );
                            }
                        }
                    ),
                "{connection}",
                "Connections open on each of the server's I/O loops (TcpServerOptions.Loops), by the loop's name."
            )
        );
        publication.Publish(() =>
            meter.CreateObservableCounter(
                "pool.tcp_server.connections.accepted",
                () => _servers.Measure(s => s.AcceptedConnections),
                "{connection}",
                "Connections accepted, including those refused over the connection limit."
            )
        );
        publication.Publish(() =>
            meter.CreateObservableCounter(
                "pool.tcp_server.connections.rejected",
                () =>
                    _servers.Measure(
                        (server, tags, measurements) =>
                        {
                            measurements.Add(
                                new(
                                    server.RefusedConnections,
                                    ObservedInstances<TcpServer>.With(
                                        tags,
                                        "error.type",
                                        "connection_limit"
                                    )
                                )
                            );
                            measurements.Add(
                                new(
                                    server.ShedConnections,
                                    ObservedInstances<TcpServer>.With(
                                        tags,
                                        "error.type",
                                        "descriptor_limit"
                                    )
                                )
                            );
                        }
                    ),
                "{connection}",
                "Connections closed at once: over MaxConnections (connection_limit) or out of file descriptors (descriptor_limit)."
            )
        );
        publication.Publish(() =>
            meter.CreateObservableCounter(
                "pool.tcp_server.connections.closed",
                () =>
                    _servers.Measure(
                        (server, tags, measurements) =>
                        {
                            foreach (var (reason, tag) in s_closeReasons)
                            {
                                var closed = server.Counts.Closed(reason);
                                if (closed > 0)
                                {
                                    measurements.Add(
                                        new(
                                            closed,
                                            ObservedInstances<TcpServer>.With(
                                                tags,
                                                "pool.close_reason",
                                                tag
                                            )
                                        )
                                    );
                                }
                            }
                        }
                    ),
                "{connection}",
                "Connections closed, by reason (TcpConnection.CloseReason)."
            )
        );
        publication.Publish(() =>
            meter.CreateObservableCounter(
                "pool.tcp_server.messages",
                () => _servers.Measure(s => s.Messages),
                "{message}",
                "Messages received (each dispatched to the handler)."
            )
        );
        publication.Publish(() =>
            meter.CreateObservableCounter(
                "pool.tcp_server.io",
                () =>
                    _servers.Measure(
                        (server, tags, measurements) =>
                        {
                            measurements.Add(
                                new(
                                    server.Counts.BytesReceived,
                                    ObservedInstances<TcpServer>.With(
                                        tags,
                                        "network.io.direction",
                                        "receive"
                                    )
                                )
                            );
                            measurements.Add(
                                new(
                                    server.Counts.BytesSent,
                                    ObservedInstances<TcpServer>.With(
                                        tags,
                                        "network.io.direction",
                                        "transmit"
                                    )
                                )
                            );
                        }
                    ),
                "By",
                "Bytes read from and written to connections."
            )
        );
        publication.Publish(() =>
            meter.CreateObservableCounter(
                "pool.tcp_server.sends.dropped",
                () => _servers.Measure(s => s.DroppedSends),
                "{send}",
                "Sends and replies dropped because their connection had closed."
            )
        );
        publication.Publish(() =>
            meter.CreateObservableCounter(
                "pool.tcp_server.errors",
                () => _servers.Measure(s => s.Errors),
                "{error}",
                "Socket errors, failed accepts, handler and callback failures, oversize messages."
            )
        );
    }

    /// <summary>
    /// The instruments on the meter of <paramref name="telemetry"/> (see <see cref="TelemetryOptions"/>), or null for a
    /// server on a controlled <paramref name="threading"/>, which is not reported.
    /// </summary>
    /// <exception cref="InvalidOperationException">A metrics listener threw while the instruments were published.</exception>
    public static ServerMetrics? For(TelemetryOptions? telemetry, IThreading threading) =>
        ReferenceEquals(threading, OsThreading.Instance) ? s_catalog.For(telemetry) : null;

    /// <summary>Reports a started <paramref name="server"/> from now on.</summary>
    public void Observe(TcpServer server, IPAddress address) =>
        _servers.Add(
            server,
            [new("server.address", address.ToString()), new("server.port", server.Port)]
        );

    private static string SnakeCase(string pascal) =>
        string.Concat(
            pascal.Select(
                (c, i) =>
                    char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()
            )
        );
}
