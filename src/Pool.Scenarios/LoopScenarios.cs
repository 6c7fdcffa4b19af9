using Pool.Reactor;
using Pool.Scenarios.Network;
using Pool.Scenarios.Support;
using Pool.Systematic;
using Pool.Threading;

namespace Pool.Scenarios;

/// <summary>
/// A server with two I/O loops (<see cref="TcpServerOptions.Loops"/>) on the simulated network: its own loop accepts
/// and hands every second connection to the other loop, which serves it for its life. The real loops, server and
/// connections; every scenario ends with <see cref="ServerUnderTest.StopAndCheck"/> over every connection.
/// </summary>
public static class LoopScenarios
{
    /// <summary>
    /// Two peers send at once: the first connection is served by the accepting loop, the second is handed to the
    /// other loop, and both loops read and answer at the same time; each peer receives its own echo, nothing else.
    /// </summary>
    [SystematicTest(CiIterations = 1000)]
    public static void ConnectionsServedOnTwoLoops(IThreading threading) =>
        ServedOnTwoLoopsCase(threading, workers: true);

    /// <summary><see cref="ConnectionsServedOnTwoLoops(IThreading)"/> with the handler inline on each loop.</summary>
    [SystematicTest(CiIterations = 1000)]
    public static void ConnectionsServedOnTwoLoopsInline(IThreading threading) =>
        ServedOnTwoLoopsCase(threading, workers: false);

    /// <summary>
    /// Another thread stops the server while two peers connect and send, replies in flight on workers: each
    /// connection is accepted before the stop (and closed by its own loop, the other loop's too) or refused with the
    /// listener; each peer receives a prefix of its echo, then the end of the stream, and every connection is
    /// released exactly once.
    /// </summary>
    [SystematicTest(CiIterations = 1000)]
    public static void StopWithRepliesInFlightOnTwoLoops(IThreading threading) =>
        StopOnTwoLoopsCase(threading, workers: true);

    /// <summary><see cref="StopWithRepliesInFlightOnTwoLoops(IThreading)"/> with the handler inline on each loop.</summary>
    [SystematicTest(CiIterations = 1000)]
    public static void StopWhileServingOnTwoLoopsInline(IThreading threading) =>
        StopOnTwoLoopsCase(threading, workers: false);

    /// <summary>
    /// A graceful shutdown with a connection on each loop and their messages in flight: each loop shuts its own
    /// connection down; each peer receives a prefix of its echo (what was read before the shutdown is answered), then
    /// the end of the stream, and when it closes, its connection closes as a local shutdown.
    /// </summary>
    [SystematicTest(CiIterations = 1000)]
    public static void ShutdownDrainsTwoLoops(IThreading threading) =>
        ShutdownOnTwoLoopsCase(threading, workers: true);

    /// <summary><see cref="ShutdownDrainsTwoLoops(IThreading)"/> with the handler inline on each loop.</summary>
    [SystematicTest(CiIterations = 1000)]
    public static void ShutdownDrainsTwoLoopsInline(IThreading threading) =>
        ShutdownOnTwoLoopsCase(threading, workers: false);

    private static void StopOnTwoLoopsCase(IThreading threading, bool workers)
    {
        var server = new ServerUnderTest(threading, workers, loops: 2, chooses: true);
        var first = server.Network.Connect();
        var second = server.Network.Connect();
        var stopper = threading.Start(server.Server.Stop, "stopper");
        first.Send(1, 2);
        second.Send(3, 4);
        var firstReceived = first.ReadToEnd();
        var secondReceived = second.ReadToEnd();
        CheckPrefix([1, 2], firstReceived, "a stopped connection's first peer");
        CheckPrefix([3, 4], secondReceived, "a stopped connection's second peer");
        first.Close();
        second.Close();
        stopper.Join();
        server.StopAndCheck();
        foreach (var (connection, _) in server.Connections)
        {
            Check.That(
                connection.CloseReason == CloseReason.ServerStopped,
                $"a connection of a stopped server closed for {connection.CloseReason}"
            );
        }
    }

    private static void ShutdownOnTwoLoopsCase(IThreading threading, bool workers)
    {
        var server = new ServerUnderTest(threading, workers, loops: 2, connections: 2);
        var first = server.Network.Connect();
        var second = server.Network.Connect();
        var closer = threading.Start(
            () =>
            {
                server.AwaitConnections();
                server.Server.Shutdown();
            },
            "closer"
        );
        first.Send(1, 2);
        second.Send(3, 4);
        CheckPrefix([1, 2], first.ReadToEnd(), "a drained connection's first peer");
        CheckPrefix([3, 4], second.ReadToEnd(), "a drained connection's second peer");
        first.Close();
        second.Close();
        first.AwaitRelease();
        second.AwaitRelease();
        closer.Join();
        server.StopAndCheck();
        foreach (var (connection, _) in server.Connections)
        {
            Check.That(
                connection.CloseReason == CloseReason.LocalShutdown,
                $"a drained connection closed for {connection.CloseReason}"
            );
        }
    }

    private static void ServedOnTwoLoopsCase(IThreading threading, bool workers)
    {
        var server = new ServerUnderTest(threading, workers, loops: 2, connections: 2);
        var first = server.Network.Connect();
        var second = server.Network.Connect();
        first.Send(1, 2, 3);
        second.Send(4, 5, 6);
        var firstReceived = first.Read(3);
        var secondReceived = second.Read(3);
        Check.That(
            firstReceived.SequenceEqual(new byte[] { 1, 2, 3 }),
            $"the first peer received [{string.Join(",", firstReceived)}], not its own echo"
        );
        Check.That(
            secondReceived.SequenceEqual(new byte[] { 4, 5, 6 }),
            $"the second peer received [{string.Join(",", secondReceived)}], not its own echo"
        );
        var opened = server.AwaitConnections();
        Check.That(
            opened.Count(c => c.OnServersLoop) == 1 && opened.Count(c => !c.OnServersLoop) == 1,
            "the two connections are not served one by each loop"
        );
        first.Close();
        second.Close();
        server.StopAndCheck();
    }

    private static void CheckPrefix(byte[] sent, byte[] received, string who) =>
        Check.That(
            sent.AsSpan().StartsWith(received),
            $"{who} received [{string.Join(",", received)}], not a prefix of its echo"
        );
}
