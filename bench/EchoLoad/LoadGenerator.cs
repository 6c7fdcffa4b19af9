using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EchoLoad;

/// <summary>
/// Drives an echo server: each connection keeps <c>depth</c> messages outstanding (1: ping-pong) for the
/// duration, and records each message's round-trip time (send of its first byte to receipt of its last).
/// </summary>
internal static class LoadGenerator
{
    internal static async Task<LoadResult> Run(
        int port,
        int connections,
        int size,
        int depth,
        TimeSpan duration
    )
    {
        var sockets = new List<Socket>();
        for (var i = 0; i < connections; i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
            {
                NoDelay = true,
            };
            await socket.ConnectAsync(IPAddress.Loopback, port);
            sockets.Add(socket);
        }
        var clock = Stopwatch.StartNew();
        var deadline = clock.Elapsed + duration;
        var results = await Task.WhenAll(
            sockets.Select(s => Drive(s, size, depth, clock, deadline))
        );
        var elapsed = clock.Elapsed;
        sockets.ForEach(s => s.Dispose());
        var latencies = results.SelectMany(r => r.Latencies).ToArray();
        Array.Sort(latencies);
        var messages = results.Sum(r => (long)r.Latencies.Count);
        return new LoadResult(
            messages,
            messages * size,
            elapsed,
            latencies,
            results.Sum(r => r.Errors)
        );
    }

    private static async Task<(List<long> Latencies, long Errors)> Drive(
        Socket socket,
        int size,
        int depth,
        Stopwatch clock,
        TimeSpan deadline
    )
    {
        var message = new byte[size];
        var buffer = new byte[Math.Max(size * depth, 4096)];
        var sentAt = new Queue<long>();
        var latencies = new List<long>();
        long received = 0;
        try
        {
            for (var i = 0; i < depth; i++)
            {
                sentAt.Enqueue(clock.ElapsedTicks);
                await socket.SendAsync(message, SocketFlags.None);
            }
            while (sentAt.Count > 0)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0)
                {
                    return (latencies, 1);
                }
                received += read;
                while (received >= size && sentAt.Count > 0)
                {
                    received -= size;
                    latencies.Add(clock.ElapsedTicks - sentAt.Dequeue());
                    if (clock.Elapsed < deadline)
                    {
                        sentAt.Enqueue(clock.ElapsedTicks);
                        await socket.SendAsync(message, SocketFlags.None);
                    }
                }
            }
            return (latencies, 0);
        }
        catch (SocketException)
        {
            return (latencies, 1);
        }
    }
}
