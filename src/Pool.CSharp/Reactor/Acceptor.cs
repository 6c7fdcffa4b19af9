using Pool.Reactor.Linux;

namespace Pool.Reactor;

/// <summary>The listening socket's channel: accepts every waiting connection when it is readable.</summary>
internal sealed class Acceptor(TcpServer server, int listener) : IChannel
{
    internal int Descriptor => listener;

    internal ulong Token { get; set; }

    void IChannel.HandleEvent(in ReadyEvent ready)
    {
        while (true)
        {
            var fd = SocketCalls.Accept(listener, out var errno);
            if (fd >= 0)
            {
                server.Accepted(fd);
                continue;
            }
            if (errno is Native.Eagain or Native.Eintr or Native.Econnaborted)
            {
                return;
            }
            // EMFILE/ENFILE and other failures: counted; the level-triggered listener is retried next round.
            server.CountError();
            return;
        }
    }
}
