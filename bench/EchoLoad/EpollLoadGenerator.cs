using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Pool.Reactor;
using Pool.Reactor.Linux;

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
        public readonly int Descriptor = (int)socket.SafeHandle.DangerousGetHandle();
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
                var n = LinuxNetwork.Instance.Send(Descriptor, message.AsSpan(sent), out var errno);
                if (n > 0)
                {
                    sent += n;
                }
                else if (errno is Native.Eagain or Native.Eintr)
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
        using var poller = new EpollPoller();
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
            poller.Add(connection.Descriptor, (ulong)i, Interest.Readable);
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
        Span<ReadyEvent> ready = stackalloc ReadyEvent[256];
        while (outstanding > 0 && Stopwatch.GetTimestamp() < giveUp)
        {
            var count = poller.Wait(ready, TimeSpan.FromMilliseconds(100));
            for (var e = 0; e < count; e++)
            {
                var connection = all[(int)ready[e].Token];
                if (connection.Dead)
                {
                    continue;
                }
                var read = LinuxNetwork.Instance.Receive(
                    connection.Descriptor,
                    buffer,
                    out var errno
                );
                if (read <= 0)
                {
                    if (read < 0 && errno is Native.Eagain or Native.Eintr)
                    {
                        continue;
                    }
                    connection.Dead = true; // closed or reset by the server
                    poller.Remove(connection.Descriptor);
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
                            poller.Remove(connection.Descriptor);
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
