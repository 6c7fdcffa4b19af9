using Pool.Scenarios.Network;
using Pool.Scenarios.Support;
using Pool.Systematic;
using Pool.Threading;

namespace Pool.Scenarios;

/// <summary>
/// Small configurations of a connection whose handler runs on a worker, sized so that the <c>dpor</c> search explores
/// every schedule within a preemption bound (tests/Coyote/Tests/Engine/BoundedProofTests.cs): one executor worker,
/// one peer, no partial reads or writes, so that the races left are those of the worker's batch and its written reply
/// against the loop's reads, the peer's close and the server's stop.
/// </summary>
public static class BoundedConnectionScenarios
{
    /// <summary>
    /// The peer sends two messages and reads both echoes before it closes: the worker handles them as one batch or two
    /// (the second submitted before the first reply settles), writes each reply itself unless the loop has output
    /// queued, and the connection is released exactly once after the last reply.
    /// </summary>
    [SystematicTest(CiIterations = 1000)]
    public static void TwoMessagesAnsweredByAWorker(IThreading threading)
    {
        var server = new ServerUnderTest(threading, workers: true);
        var peer = server.Network.Connect();
        peer.Send(1, 2);
        peer.Send(3);
        var received = peer.Read(3);
        Check.That(
            received.SequenceEqual(new byte[] { 1, 2, 3 }),
            $"the peer received [{string.Join(",", received)}], not both echoes in order"
        );
        peer.Close();
        server.StopAndCheck();
    }
}
