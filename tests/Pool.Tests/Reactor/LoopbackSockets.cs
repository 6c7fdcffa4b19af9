using System.Globalization;

namespace Pool.Tests.Reactor;

/// <summary>
/// The TCP sockets of this machine's network namespace, from /proc/net/tcp and /proc/net/tcp6: which of them this
/// process holds, and how many bytes a socket has received that its owner has not read yet.
/// </summary>
internal static class LoopbackSockets
{
    /// <summary>One socket: its ports, the bytes waiting in its receive queue, its inode (0: no descriptor holds it).</summary>
    public readonly record struct Row(int LocalPort, int RemotePort, long Unread, string Inode);

    public static List<Row> Rows()
    {
        var rows = new List<Row>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                rows.Add(
                    new Row(
                        Hex(fields[1][(fields[1].LastIndexOf(':') + 1)..]),
                        Hex(fields[2][(fields[2].LastIndexOf(':') + 1)..]),
                        Hex(fields[4][(fields[4].IndexOf(':') + 1)..]),
                        fields[9]
                    )
                );
            }
        }
        return rows;
    }

    /// <summary>
    /// Descriptors of this process that are TCP sockets bound to <paramref name="port"/> on this side: a server's
    /// listener and the connections it accepted (its clients are bound to ports of their own). Sockets of other
    /// ports, opened by tests running at the same time, and the runtime's other descriptors are not counted.
    /// </summary>
    public static int DescriptorsOfPort(int port)
    {
        var inodes = Rows()
            .Where(r => r.LocalPort == port && r.Inode != "0")
            .Select(r => r.Inode)
            .ToHashSet();
        var count = 0;
        foreach (var descriptor in Directory.GetFiles("/proc/self/fd"))
        {
            var target = new FileInfo(descriptor).LinkTarget; // socket:[inode]; null if closed meanwhile
            if (
                target is not null
                && target.StartsWith("socket:[", StringComparison.Ordinal)
                && inodes.Contains(target["socket:[".Length..^1])
            )
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>
    /// Bytes the server's end of a connection (<paramref name="serverPort"/> to <paramref name="clientPort"/>) has
    /// received and its process not yet read; null while no such socket exists.
    /// </summary>
    public static long? UnreadByServer(int serverPort, int clientPort) =>
        Rows()
            .Where(r => r.LocalPort == serverPort && r.RemotePort == clientPort)
            .Select(r => (long?)r.Unread)
            .FirstOrDefault();

    private static int Hex(string digits) =>
        int.Parse(digits, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
