using System.Buffers;
using System.Net;
using System.Net.Sockets;

namespace EchoLoad;

/// <summary>
/// The baseline a .NET user would write: a Socket accept loop and one async receive/send loop per connection
/// on the .NET thread pool, with pooled buffers. Each received chunk costs fib(<paramref name="work"/>) of CPU
/// before it is echoed (0: none), as on our echo server's workers.
/// </summary>
internal sealed class AsyncEchoServer(int port, int work)
{
    private readonly Socket _listener = new(
        AddressFamily.InterNetwork,
        SocketType.Stream,
        ProtocolType.Tcp
    );

    internal int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    internal void Start()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
        _listener.Listen(1024);
        _ = AcceptLoop();
    }

    internal void Stop() => _listener.Close();

    private async Task AcceptLoop()
    {
        while (true)
        {
            Socket connection;
            try
            {
                connection = await _listener.AcceptAsync();
            }
            catch (Exception exception)
                when (exception is SocketException or ObjectDisposedException)
            {
                return;
            }
            connection.NoDelay = true;
            _ = Echo(connection);
        }
    }

    private async Task Echo(Socket connection)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (true)
            {
                var read = await connection.ReceiveAsync(buffer.AsMemory(), SocketFlags.None);
                if (read == 0)
                {
                    return;
                }
                if (work > 0)
                {
                    _ = Work.Fibonacci(work);
                }
                await connection.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        }
        catch (SocketException)
        {
            // the client went away
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            connection.Dispose();
        }
    }
}
