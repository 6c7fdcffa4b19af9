using Pool.Reactor;
using Pool.Scenarios.Support;
using Pool.Threading;

namespace Pool.Scenarios.Network;

/// <summary>
/// An echo <see cref="TcpServer"/> on the simulated network under the explorer: the real loop, connections and
/// (optionally) executor, unchanged. <see cref="StopAndCheck"/> tears everything down and checks what every
/// connection case must end with: each connection closed and released exactly once, no descriptor left
/// open, every byte ever accepted for sending either written or dropped.
/// </summary>
internal sealed class ServerUnderTest
{
    private readonly IThreadHandle _loopThread;
    private readonly Executor? _workers;
    private readonly Latch _opened;
    private readonly Latch? _allOpened; // with more than one connection expected

    // Written by the loops' callbacks until the loops are joined (under the explorer one thread runs at a time).
    private readonly Dictionary<long, int> _closedCallbacks = [];
    private readonly List<(TcpConnection Connection, bool OnServersLoop)> _all = [];
    private TcpConnection? _first; // loop thread until _opened is released

    /// <param name="threading">The explorer's threading.</param>
    /// <param name="workers">Handlers on an executor rather than inline on the loop.</param>
    /// <param name="window">The peers' receive window in bytes.</param>
    /// <param name="chooses">Whether reads and writes may be partial at the explorer's choice.</param>
    /// <param name="options">Server options (default: the defaults).</param>
    /// <param name="handler">The message handler (default: echo).</param>
    /// <param name="workerThreads">The executor's workers, when <paramref name="workers"/> is true.</param>
    /// <param name="loops">The server's I/O loops (<see cref="TcpServerOptions.Loops"/>).</param>
    /// <param name="connections">The connections <see cref="AwaitConnections"/> waits for.</param>
    /// <param name="keepsSpare">Whether the server can keep a spare descriptor (<see cref="SimulatedNetwork.KeepsSpare"/>).</param>
    public ServerUnderTest(
        IThreading threading,
        bool workers,
        int window = 1024,
        bool chooses = false,
        TcpServerOptions? options = null,
        Func<ReadOnlyMemory<byte>, byte[]>? handler = null,
        int workerThreads = 1,
        int loops = 1,
        int connections = 1,
        bool keepsSpare = false
    )
    {
        Network = new SimulatedNetwork(threading, window, chooses) { KeepsSpare = keepsSpare };
        Loop = new EventLoop(threading, Network, Network);
        _workers = workers ? new Executor(workerThreads, 0, threading) : null;
        _opened = new Latch(threading, 1);
        _allOpened = connections > 1 ? new Latch(threading, connections) : null;
        Server = new TcpServer(
            Loop,
            handler ?? (message => message.ToArray()),
            loops == 1 ? options : (options ?? new TcpServerOptions()) with { Loops = loops },
            _workers,
            threading
        )
        {
            ConnectionOpened = connection =>
            {
                _all.Add((connection, Loop.IsInLoopThread));
                if (_first is null)
                {
                    _first = connection;
                    _opened.CountDown();
                }
                _allOpened?.CountDown();
            },
            ConnectionClosed = connection =>
                _closedCallbacks[connection.Id] =
                    _closedCallbacks.GetValueOrDefault(connection.Id) + 1,
        };
        Server.Start();
        _loopThread = threading.Start(Loop.Run, "loop");
    }

    public SimulatedNetwork Network { get; }

    public EventLoop Loop { get; }

    public TcpServer Server { get; }

    /// <summary>Blocks until the server has accepted its first connection; returns it.</summary>
    public TcpConnection AwaitFirstConnection()
    {
        _opened.Await();
        return _first!;
    }

    /// <summary>
    /// Blocks until the server has opened the connections given to the constructor; returns each with whether its
    /// callback ran on the server's own loop (false: on another of its loops).
    /// </summary>
    public IReadOnlyList<(TcpConnection Connection, bool OnServersLoop)> AwaitConnections()
    {
        (_allOpened ?? _opened).Await();
        return [.. _all];
    }

    /// <summary>Every connection opened so far (read after <see cref="StopAndCheck"/>, or after <see cref="AwaitConnections"/>).</summary>
    public IReadOnlyList<(TcpConnection Connection, bool OnServersLoop)> Connections => _all;

    /// <summary>
    /// Stops the server, destroys the workers, quits the loop (and with it the server's other loops), and checks the
    /// teardown invariants for every connection.
    /// </summary>
    /// <param name="afterLoopFinished">When given, the loop is quit and joined before the workers are destroyed, and
    /// this runs in between (the workers outlive the loop); by default the workers are destroyed first.</param>
    /// <returns>The first connection, if one was accepted (for scenario-specific checks).</returns>
    public TcpConnection? StopAndCheck(Action? afterLoopFinished = null)
    {
        Server.Stop();
        if (afterLoopFinished is null)
        {
            _workers?.Destroy();
        }
        Loop.Quit();
        _loopThread.Join();
        if (afterLoopFinished is not null)
        {
            afterLoopFinished();
            _workers?.Destroy();
        }
        Check.That(Network.OpenConnections == 0, "a connection's descriptor was never closed");
        Check.That(
            Server.ReleasedConnections == Server.AcceptedConnections - Server.RefusedConnections,
            $"{Server.AcceptedConnections} accepted but {Server.ReleasedConnections} released"
        );
        Check.That(Server.OpenConnections == 0, "the server still counts open connections");
        foreach (var (connection, _) in _all)
        {
            Check.That(
                connection.State == ConnectionState.Released,
                $"connection left in state {connection.State}"
            );
            Check.That(
                _closedCallbacks.GetValueOrDefault(connection.Id) == 1,
                "the close callback did not run exactly once"
            );
            Check.That(
                connection.UnsentBytes == 0,
                $"{connection.UnsentBytes} bytes neither written nor dropped"
            );
        }
        return _first;
    }
}
