using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EchoLoad;

/// <summary>
/// The same load as <see cref="LoadGenerator"/> (each connection keeps <c>depth</c> messages outstanding,
/// latency from send to the receipt of the last byte), driven by one thread over epoll with non-blocking
/// sockets. It costs a few microseconds per message where the async-socket client costs about 20, so on
/// a machine shared with the server it measures the server rather than itself.
/// </summary>
internal static class EpollLoadGenerator
{
    private sealed class Connection(Socket socket, int size)
    {
        public readonly Socket Socket = socket;
        public readonly Queue<long> SentAt = new();
        public long Received;
        public bool Dead;

        /// <summary>Sends one message whole: a non-blocking send of a few KiB rarely stops short; if it does, retry.</summary>
        public bool SendMessage(byte[] message)
        {
            SentAt.Enqueue(Stopwatch.GetTimestamp());
            var sent = 0;
            while (sent < size)
            {
                var n = Socket.Send(
                    message.AsSpan(sent, size - sent),
                    SocketFlags.None,
                    out var error
                );
                if (n > 0)
                {
                    sent += n;
                }
                else if (error is SocketError.WouldBlock or SocketError.Interrupted)
                {
                    Thread.Yield();
                }
                else
                {
                    return false;
                }
            }
            return true;
        }
    }

    private static int Descriptor(Socket socket) => (int)socket.SafeHandle.DangerousGetHandle();

    internal static LoadResult Run(
        int port,
        int connections,
        int size,
        int depth,
        TimeSpan duration
    )
    {
        var message = new byte[size];
        var buffer = new byte[Math.Max(64 * 1024, size * depth)];
        var all = new List<Connection>(connections);
        using var poller = new Epoll();
        for (var i = 0; i < connections; i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
            {
                NoDelay = true,
            };
            socket.Connect(IPAddress.Loopback, port);
            socket.Blocking = false;
            var connection = new Connection(socket, size);
            all.Add(connection);
            poller.Add(Descriptor(socket), (ulong)i);
        }
        var latencies = new List<long>(1 << 20);
        long errors = 0;
        var start = Stopwatch.GetTimestamp();
        var deadline = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var giveUp = deadline + 2 * Stopwatch.Frequency; // replies still owed after this are errors
        var outstanding = 0L;
        foreach (var connection in all)
        {
            for (var i = 0; i < depth; i++)
            {
                if (!connection.SendMessage(message))
                {
                    connection.Dead = true;
                    errors++;
                    break;
                }
                outstanding++;
            }
        }
        Span<ulong> ready = stackalloc ulong[256];
        while (outstanding > 0 && Stopwatch.GetTimestamp() < giveUp)
        {
            var count = poller.Wait(ready, TimeSpan.FromMilliseconds(100));
            for (var e = 0; e < count; e++)
            {
                var connection = all[(int)ready[e]];
                if (connection.Dead)
                {
                    continue;
                }
                var read = connection.Socket.Receive(buffer, SocketFlags.None, out var error);
                if (error is SocketError.WouldBlock or SocketError.Interrupted)
                {
                    continue;
                }
                if (read <= 0 || error != SocketError.Success)
                {
                    connection.Dead = true; // closed or reset by the server
                    poller.Remove(Descriptor(connection.Socket));
                    errors++;
                    outstanding -= connection.SentAt.Count;
                    continue;
                }
                connection.Received += read;
                while (connection.Received >= size && connection.SentAt.Count > 0)
                {
                    connection.Received -= size;
                    var now = Stopwatch.GetTimestamp();
                    latencies.Add(now - connection.SentAt.Dequeue());
                    outstanding--;
                    if (now < deadline)
                    {
                        if (connection.SendMessage(message))
                        {
                            outstanding++;
                        }
                        else
                        {
                            connection.Dead = true; // its replies still owed will not come
                            poller.Remove(Descriptor(connection.Socket));
                            errors++;
                            outstanding -= connection.SentAt.Count - 1;
                            break;
                        }
                    }
                }
            }
        }
        var elapsed = Stopwatch.GetElapsedTime(start);
        errors += outstanding;
        all.ForEach(c => c.Socket.Dispose());
        var sorted = latencies.ToArray(); // Stopwatch ticks, as LoadResult expects
        Array.Sort(sorted);
        return new LoadResult(
            latencies.Count,
            (long)latencies.Count * size,
            elapsed,
            sorted,
            errors
        );
    }
}
