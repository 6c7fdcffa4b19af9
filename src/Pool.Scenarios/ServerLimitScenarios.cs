using Pool.Reactor;
using Pool.Scenarios.Network;
using Pool.Scenarios.Support;
using Pool.Systematic;
using Pool.Threading;

namespace Pool.Scenarios;

/// <summary>
/// The server's and the loop's paths at their limits, on the simulated network: a refusal at
/// <see cref="TcpServerOptions.MaxConnections"/>, connections shed when descriptors run out, a reply completed after
/// the loop finished, and a loop disposed while it runs and after.
/// </summary>
public static partial class ConnectionScenarios
{
    /// <summary>
    /// One connection at most: a second peer connecting while the first is served is refused (its connection is
    /// closed at once, and it reads the end of the stream), and the server's counts say exactly that: two accepted,
    /// one refused, one message, no error.
    /// </summary>
    [SystematicTest(CiIterations = 300)]
    public static void MaxConnectionsRefusesTheSecondPeer(IThreading threading)
    {
        var server = new ServerUnderTest(
            threading,
            workers: true,
            options: new TcpServerOptions { MaxConnections = 1 }
        );
        var first = server.Network.Connect();
        first.Send(Message);
        Check.That(
            first.Read(Message.Length).SequenceEqual(Message),
            "the first peer was not served"
        );
        var second = server.Network.Connect();
        var refused = second.ReadToEnd();
        Check.That(refused.Length == 0, $"a refused peer received [{string.Join(",", refused)}]");
        second.Close();
        first.Close();
        server.StopAndCheck();
        var counts = server.Server;
        Check.That(
            counts.AcceptedConnections == 2 && counts.RefusedConnections == 1,
            $"{counts.AcceptedConnections} accepted and {counts.RefusedConnections} refused, not 2 and 1"
        );
        Check.That(
            counts.Messages == 1 && counts.Errors == 0,
            $"{counts.Messages} messages and {counts.Errors} errors counted, not 1 and 0"
        );
    }

    /// <summary>
    /// The process is out of descriptors for the first virtual second, but the server keeps a spare: two peers
    /// waiting then are each accepted on the spare's number and closed at once (shed; they read the end of the
    /// stream), without the listener pausing; a peer connecting after is served. Two shed, one accepted.
    /// </summary>
    [SystematicTest(CiIterations = 300)]
    public static void PeersShedWhileOutOfDescriptors(IThreading threading)
    {
        var server = new ServerUnderTest(threading, workers: false, keepsSpare: true);
        server.Network.OutOfDescriptorsUntil = TimeSpan.FromSeconds(1);
        var first = server.Network.Connect();
        var second = server.Network.Connect();
        Check.That(first.ReadToEnd().Length == 0, "the first waiting peer was not shed");
        Check.That(second.ReadToEnd().Length == 0, "the second waiting peer was not shed");
        threading.Sleep(TimeSpan.FromSeconds(1)); // descriptors are back
        var third = server.Network.Connect();
        third.Send(Message);
        Check.That(
            third.Read(Message.Length).SequenceEqual(Message),
            "the peer after the shortage was not served"
        );
        first.Close();
        second.Close();
        third.Close();
        server.StopAndCheck();
        Check.That(
            server.Server.ShedConnections == 2 && server.Server.AcceptedConnections == 1,
            $"{server.Server.ShedConnections} shed and {server.Server.AcceptedConnections} accepted, not 2 and 1"
        );
    }

    /// <summary>
    /// Worker mode: the server stops and its loop finishes while a handler still holds the connection's batch. The
    /// worker's late reply cannot go through the loop any more: it is dropped, the in-flight count is settled, and the
    /// connection (closed by the stop) is released by the worker, exactly once, with nothing unaccounted for.
    /// </summary>
    [SystematicTest(CiIterations = 300)]
    public static void ReplyCompletedAfterTheLoopFinished(IThreading threading)
    {
        var handling = new Latch(threading, 1);
        var release = new Latch(threading, 1);
        var server = new ServerUnderTest(
            threading,
            workers: true,
            handler: message =>
            {
                handling.CountDown();
                release.Await();
                return message.ToArray();
            }
        );
        var peer = server.Network.Connect();
        peer.Send(Message);
        handling.Await();
        var connection = server.StopAndCheck(afterLoopFinished: release.CountDown);
        Check.That(
            connection?.CloseReason == CloseReason.ServerStopped,
            $"closed for {connection?.CloseReason}, not because the server stopped"
        );
        var received = peer.ReadToEnd();
        Check.That(
            received.Length == 0,
            $"the peer received [{string.Join(",", received)}] after the loop had finished"
        );
        peer.Close();
    }

    /// <summary>
    /// An event loop refuses to be disposed while it runs (<see cref="InvalidOperationException"/>, the poller kept);
    /// quit, it is disposed while <see cref="EventLoop.Run"/> may still be returning: either refused again or done,
    /// and never with the poller used after; in the end the poller is disposed exactly once.
    /// </summary>
    [SystematicTest(CiIterations = 300)]
    public static void LoopDisposedOnlyOnceItHasRun(IThreading threading)
    {
        var network = new SimulatedNetwork(threading);
        var loop = new EventLoop(threading, network, network);
        var running = new Latch(threading, 1);
        loop.RunInLoop(running.CountDown);
        var loopThread = threading.Start(loop.Run, "loop");
        running.Await();
        Check.That(DisposeRefused(loop), "a running loop was disposed");
        Check.That(network.Disposals == 0, "a refused dispose released the poller");
        loop.Quit();
        var refusedAfterQuit = DisposeRefused(loop); // races Run's return
        loopThread.Join();
        if (refusedAfterQuit)
        {
            Check.That(!DisposeRefused(loop), "the loop was not disposed after Run returned");
        }
        Check.That(
            network.Disposals == 1,
            $"the poller was disposed {network.Disposals} times, not once"
        );
    }

    private static bool DisposeRefused(EventLoop loop)
    {
        try
        {
            loop.Dispose();
            return false;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }
}
