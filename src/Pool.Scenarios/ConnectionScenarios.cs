using Pool.Reactor;
using Pool.Scenarios.Network;
using Pool.Scenarios.Support;
using Pool.Systematic;
using Pool.Threading;

namespace Pool.Scenarios;

/// <summary>
/// Connection teardown under the explorer, on the simulated network, each case with workers and inline on the
/// loop (single-threaded mode): the real loop, connection and server code. Every scenario ends with
/// <see cref="ServerUnderTest.StopAndCheck"/>: closed and released exactly once, no use after release (the
/// network refuses any call on a closed descriptor), no descriptor leaked, no byte unaccounted for.
/// </summary>
public static partial class ConnectionScenarios
{
    private static readonly byte[] Message = [1, 2, 3];

    /// <summary>The peer sends and closes before the server reads anything.</summary>
    [SystematicTest(CiIterations = 2000)]
    public static void PeerClosesBeforeRead(IThreading threading) =>
        PeerClosesBeforeReadCase(threading, workers: true);

    /// <summary><see cref="PeerClosesBeforeRead(IThreading)"/> with the handler inline on the loop.</summary>
    [SystematicTest(CiIterations = 2000)]
    public static void PeerClosesBeforeReadInline(IThreading threading) =>
        PeerClosesBeforeReadCase(threading, workers: false);

    /// <summary>
    /// The peer sends two messages and half-closes while their replies may be in flight; it must still
    /// receive every reply, in order, and then the end of the stream.
    /// </summary>
    [SystematicTest(CiIterations = 2000)]
    public static void PeerClosesWithRepliesInFlight(IThreading threading) =>
        PeerClosesWithRepliesInFlightCase(threading, workers: true);

    /// <summary><see cref="PeerClosesWithRepliesInFlight(IThreading)"/> with the handler inline on the loop.</summary>
    [SystematicTest(CiIterations = 2000)]
    public static void PeerClosesWithRepliesInFlightInline(IThreading threading) =>
        PeerClosesWithRepliesInFlightCase(threading, workers: false);

    /// <summary>The peer reads every reply, then closes.</summary>
    [SystematicTest(CiIterations = 2000)]
    public static void PeerClosesAfterAllSent(IThreading threading) =>
        PeerClosesAfterAllSentCase(threading, workers: true);

    /// <summary><see cref="PeerClosesAfterAllSent(IThreading)"/> with the handler inline on the loop.</summary>
    [SystematicTest(CiIterations = 2000)]
    public static void PeerClosesAfterAllSentInline(IThreading threading) =>
        PeerClosesAfterAllSentCase(threading, workers: false);

    /// <summary>The peer's window is 2 bytes, so replies wait in the output buffer; the peer resets mid-write.</summary>
    [SystematicTest(CiIterations = 2000)]
    public static void ResetDuringWrite(IThreading threading) =>
        ResetDuringWriteCase(threading, workers: true);

    /// <summary><see cref="ResetDuringWrite(IThreading)"/> with the handler inline on the loop.</summary>
    [SystematicTest(CiIterations = 2000)]
    public static void ResetDuringWriteInline(IThreading threading) =>
        ResetDuringWriteCase(threading, workers: false);

    /// <summary>Another thread holding the connection sends while the peer closes it: before or after its release.</summary>
    [SystematicTest(CiIterations = 2000)]
    public static void WorkerSendAfterRelease(IThreading threading) =>
        WorkerSendAfterReleaseCase(threading, workers: true);

    /// <summary><see cref="WorkerSendAfterRelease(IThreading)"/> with the handler inline on the loop.</summary>
    [SystematicTest(CiIterations = 2000)]
    public static void WorkerSendAfterReleaseInline(IThreading threading) =>
        WorkerSendAfterReleaseCase(threading, workers: false);

    /// <summary>
    /// A thread shuts the connection down, then sends: the send comes after the shutdown, so it is dropped
    /// (never written directly by that thread, however the loop and the peer interleave), and the peer reads the end
    /// of the stream without it.
    /// </summary>
    [SystematicTest(CiIterations = 1000)]
    public static void SendAfterShutdownIsDropped(IThreading threading)
    {
        var server = new ServerUnderTest(threading, workers: true);
        var peer = server.Network.Connect();
        var closer = threading.Start(
            () =>
            {
                var connection = server.AwaitFirstConnection();
                connection.Shutdown();
                connection.Send(new byte[] { 7 });
            },
            "closer"
        );
        var received = peer.ReadToEnd();
        Check.That(
            received.Length == 0,
            $"the peer received [{string.Join(",", received)}] sent after the shutdown"
        );
        peer.Close();
        closer.Join();
        server.StopAndCheck();
        Check.That(server.Server.DroppedSends == 1, "the late send is counted as dropped");
    }

    /// <summary>
    /// Another thread shuts the connection down locally while a message is answered; partial reads and writes
    /// at the explorer's choice. The peer sees a prefix of its echo, then the end of the stream.
    /// </summary>
    [SystematicTest(CiIterations = 2000)]
    public static void LocalShutdownWhileAnswering(IThreading threading) =>
        LocalShutdownCase(threading, workers: true);

    /// <summary><see cref="LocalShutdownWhileAnswering(IThreading)"/> with the handler inline on the loop.</summary>
    [SystematicTest(CiIterations = 2000)]
    public static void LocalShutdownWhileAnsweringInline(IThreading threading) =>
        LocalShutdownCase(threading, workers: false);

    /// <summary>
    /// Two workers answer: a connection's next batch may run on the other worker, but it is submitted only once the
    /// reply before it is written or handed to the loop, so the peer receives every reply in order. Reads may be
    /// partial, so two sends make two or more messages.
    /// </summary>
    [SystematicTest(CiIterations = 1000)]
    public static void RepliesKeepTheirOrderOnTwoWorkers(IThreading threading)
    {
        var server = new ServerUnderTest(threading, workers: true, chooses: true, workerThreads: 2);
        var peer = server.Network.Connect();
        peer.Send(1, 2);
        peer.Send(3, 4, 5);
        var received = peer.Read(5);
        Check.That(
            received.SequenceEqual(new byte[] { 1, 2, 3, 4, 5 }),
            $"the peer received [{string.Join(",", received)}], not every reply in order"
        );
        peer.Close();
        server.StopAndCheck();
    }

    /// <summary>
    /// Length-prefixed messages on two workers, reads and writes partial at the explorer's choice: the frames read
    /// while the connection's handler task runs wait in its batch and are handled one call each by the next task,
    /// whose replies go out as one write; the peer receives every framed reply, in order, and nothing else.
    /// </summary>
    [SystematicTest(CiIterations = 1000)]
    public static void FramedMessagesKeepTheirOrderAcrossBatches(IThreading threading)
    {
        var server = new ServerUnderTest(
            threading,
            workers: true,
            chooses: true,
            options: new TcpServerOptions { Framing = MessageFraming.LengthPrefixed },
            handler: message => [.. message.ToArray().Reverse()],
            workerThreads: 2
        );
        var peer = server.Network.Connect();
        peer.Send(0, 0, 0, 2, 1, 2, 0, 0);
        peer.Send(0, 1, 3, 0, 0, 0, 3, 4, 5, 6);
        byte[] expected = [0, 0, 0, 2, 2, 1, 0, 0, 0, 1, 3, 0, 0, 0, 3, 6, 5, 4];
        var received = peer.Read(expected.Length);
        Check.That(
            received.SequenceEqual(expected),
            $"the peer received [{string.Join(",", received)}], not every framed reply in order"
        );
        peer.Close();
        server.StopAndCheck();
    }

    /// <summary>
    /// The process is out of descriptors for the first virtual second (accept fails with EMFILE and no spare can
    /// be had): the listener pauses and retries instead of spinning, and the waiting client is served after.
    /// </summary>
    [SystematicTest(CiIterations = 500)]
    public static void AcceptOutOfDescriptorsPausesAndRetries(IThreading threading)
    {
        var server = new ServerUnderTest(threading, workers: false);
        server.Network.OutOfDescriptorsUntil = TimeSpan.FromSeconds(1);
        var peer = server.Network.Connect();
        peer.Send(Message);
        Check.That(
            peer.Read(Message.Length).SequenceEqual(Message),
            "the waiting client was not served"
        );
        peer.Close();
        server.StopAndCheck();
        Check.That(server.Network.FailedAccepts >= 1, "the scenario never ran out of descriptors");
    }

    private static void PeerClosesBeforeReadCase(IThreading threading, bool workers)
    {
        var server = new ServerUnderTest(threading, workers);
        var peer = server.Network.Connect();
        peer.Send(Message);
        peer.Close();
        server.StopAndCheck();
    }

    private static void PeerClosesWithRepliesInFlightCase(IThreading threading, bool workers)
    {
        var server = new ServerUnderTest(threading, workers, window: 4, chooses: true);
        var peer = server.Network.Connect();
        peer.Send(1, 2);
        peer.Send(3, 4, 5);
        peer.ShutdownWrite();
        var received = peer.ReadToEnd();
        Check.That(
            received.SequenceEqual(new byte[] { 1, 2, 3, 4, 5 }),
            $"a half-closed peer received [{string.Join(",", received)}], not every reply in order"
        );
        var connection = server.StopAndCheck();
        Check.That(
            connection?.CloseReason == CloseReason.PeerClosed,
            $"closed for {connection?.CloseReason}, not because the peer closed"
        );
    }

    private static void PeerClosesAfterAllSentCase(IThreading threading, bool workers)
    {
        var server = new ServerUnderTest(threading, workers);
        var peer = server.Network.Connect();
        peer.Send(Message);
        var received = peer.Read(Message.Length);
        Check.That(received.SequenceEqual(Message), "the reply differs from the message");
        peer.Close();
        server.StopAndCheck();
    }

    private static void ResetDuringWriteCase(IThreading threading, bool workers)
    {
        var server = new ServerUnderTest(threading, workers, window: 2);
        var peer = server.Network.Connect();
        peer.Send(1, 2, 3, 4, 5, 6);
        peer.Read(1);
        peer.Reset();
        var connection = server.StopAndCheck();
        Check.That(
            connection?.CloseReason is CloseReason.SocketError or CloseReason.ServerStopped,
            $"a reset connection closed for {connection?.CloseReason}"
        );
    }

    private static void WorkerSendAfterReleaseCase(IThreading threading, bool workers)
    {
        var server = new ServerUnderTest(threading, workers);
        var peer = server.Network.Connect();
        var sender = threading.Start(
            () => server.AwaitFirstConnection().Send(new byte[] { 9, 9 }),
            "sender"
        );
        peer.Send(Message);
        peer.Close();
        sender.Join();
        server.StopAndCheck();
    }

    private static void LocalShutdownCase(IThreading threading, bool workers)
    {
        var server = new ServerUnderTest(threading, workers, window: 2, chooses: true);
        var peer = server.Network.Connect();
        var closer = threading.Start(() => server.AwaitFirstConnection().Shutdown(), "closer");
        peer.Send(Message);
        var received = peer.ReadToEnd();
        Check.That(
            Message.AsSpan().StartsWith(received),
            $"after a local shutdown the peer received [{string.Join(",", received)}], not a prefix of its echo"
        );
        peer.Close();
        closer.Join();
        var connection = server.StopAndCheck();
        Check.That(
            connection?.CloseReason is CloseReason.LocalShutdown or CloseReason.ServerStopped,
            $"a shut-down connection closed for {connection?.CloseReason}"
        );
    }
}
