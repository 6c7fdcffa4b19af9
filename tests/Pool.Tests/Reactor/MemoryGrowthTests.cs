using System.Net;
using System.Net.Sockets;
using Pool.Tests.Pooling;

namespace Pool.Tests.Reactor;

/// <summary>Live memory measured with nothing else running: other tests' allocations would be noise.</summary>
[CollectionDefinition(nameof(AloneInTheProcess), DisableParallelization = true)]
public sealed class AloneInTheProcess;

/// <summary>Opening and closing connections leaves no managed memory behind (12,500 connections, about 5 s).</summary>
[Collection(nameof(AloneInTheProcess))]
public sealed class MemoryGrowthTests : IDisposable
{
    private readonly RunningLoop _running = new();

    public void Dispose() => _running.Dispose();

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void ManyConnectionsLeaveNoMemoryBehind(int workers)
    {
        var server = _running.StartServer(RunningLoop.Echo, workers);
        var served = 0;
        void Serve(int connections)
        {
            for (var i = 0; i < connections; i++)
            {
                using var socket = new Socket(
                    AddressFamily.InterNetwork,
                    SocketType.Stream,
                    ProtocolType.Tcp
                );
                socket.Connect(IPAddress.Loopback, server.Port);
                socket.Send("m"u8);
                Assert.Equal("m"u8.ToArray(), RunningLoop.ReceiveExactly(socket, 1));
            }
            served += connections;
            Wait.Until(() => server.ReleasedConnections == served, "every connection released");
        }
        static long LiveBytes()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            return GC.GetTotalMemory(forceFullCollection: true);
        }
        Serve(500); // warm-up: JIT, socket caches, table sizes
        // A connection kept alive by any table costs well over 250 bytes, so a leak adds at least 1 MB to every
        // batch of 4,000; the runtime's own noise (allocation contexts, caches) comes and goes. So the smallest
        // growth of three batches must stay below half a megabyte.
        var growths = new List<long>();
        var previous = LiveBytes();
        for (var batch = 0; batch < 3; batch++)
        {
            Serve(4000);
            var now = LiveBytes();
            growths.Add(now - previous);
            previous = now;
        }
        Assert.True(
            growths.Min() < 512 * 1024,
            $"live memory grew in every batch of 4,000 connections: {string.Join(", ", growths)} bytes"
        );
    }
}
