namespace Pool.Reactor;

/// <summary>
/// What one loop of a <see cref="TcpServer"/> counts for its metrics (<see cref="ServerMetrics"/>) beyond the counters it keeps
/// anyway: bytes read and written, and closes by reason. Reads and closes are counted on the loop's thread
/// with plain stores; bytes written with an atomic add, since a worker writes its reply itself when it can
/// (<see cref="TcpConnection"/>); a listener's thread reads them with volatile loads when it collects. They order
/// no thread (statistics only), so they stay out of the <c>IThreading</c> seam.
/// </summary>
internal sealed class ServerCounts
{
    private readonly long[] _closed = new long[Enum.GetValues<CloseReason>().Length]; // loop thread writes
    private long _bytesReceived; // loop thread writes
    private long _bytesSent; // any thread adds

    public long BytesReceived => Volatile.Read(ref _bytesReceived);

    public long BytesSent => Volatile.Read(ref _bytesSent);

    /// <summary>Connections closed for <paramref name="reason"/>.</summary>
    public long Closed(CloseReason reason) => Volatile.Read(ref _closed[(int)reason]);

    /// <summary>Loop thread: bytes read from a connection.</summary>
    public void CountReceived(int bytes) =>
        Volatile.Write(ref _bytesReceived, _bytesReceived + bytes);

    /// <summary>Any thread: bytes written to a connection (0 or more).</summary>
    public void CountSent(int bytes)
    {
        if (bytes > 0)
        {
            Interlocked.Add(ref _bytesSent, bytes);
        }
    }

    /// <summary>Loop thread: a connection closed for <paramref name="reason"/>.</summary>
    public void CountClosed(CloseReason reason) =>
        Volatile.Write(ref _closed[(int)reason], _closed[(int)reason] + 1);
}

/// <summary>The sums of the <see cref="ServerCounts"/> of a server's loops, read when a listener collects.</summary>
internal readonly struct ServerTotals(IReadOnlyList<IoLoop> loops)
{
    public long BytesReceived => Sum(c => c.BytesReceived);

    public long BytesSent => Sum(c => c.BytesSent);

    /// <summary>Connections closed for <paramref name="reason"/>.</summary>
    public long Closed(CloseReason reason) => Sum(c => c.Closed(reason));

    private long Sum(Func<ServerCounts, long> count)
    {
        long sum = 0;
        foreach (var loop in loops)
        {
            sum += count(loop.Counts);
        }
        return sum;
    }
}
