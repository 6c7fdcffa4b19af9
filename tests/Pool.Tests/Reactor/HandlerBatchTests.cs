using System.Buffers;
using System.Collections.Concurrent;
using Pool.Reactor;
using Pool.Tests.Pooling;

namespace Pool.Tests.Reactor;

/// <summary>
/// A connection's input while its handler runs on a worker (one handler task per connection at a time, the
/// input read meanwhile handled by the next one), and handlers that write their reply, on real loopback sockets.
/// </summary>
public sealed class HandlerBatchTests : IDisposable
{
    private readonly RunningLoop _running = new();

    public void Dispose() => _running.Dispose();

    [Fact]
    public void ChunksReadWhileTheHandlerRunsReachItTogetherInTheNextCall()
    {
        using var release = new ManualResetEventSlim();
        using var entered = new ManualResetEventSlim();
        var calls = new ConcurrentQueue<byte[]>();
        var server = _running.StartServer(
            message =>
            {
                calls.Enqueue(message.ToArray());
                entered.Set();
                Wait.For(release); // the first call holds the connection's handler
                return message.ToArray();
            },
            workers: 2
        );
        var client = _running.Connect(server);
        client.Send([1]);
        Wait.For(entered);
        client.Send([2]);
        Wait.Until(() => server.Messages == 2, "the second chunk is read");
        client.Send([3, 4]);
        Wait.Until(() => server.Messages == 3, "the third chunk is read");
        release.Set();
        Assert.Equal([1, 2, 3, 4], RunningLoop.ReceiveExactly(client, 4));
        Assert.Equal(
            [
                [1],
                [2, 3, 4],
            ],
            calls.ToArray()
        );
    }

    [Fact]
    public void FramedMessagesReadWhileTheHandlerRunsAreStillOneCallEachAndAnsweredInOrder()
    {
        using var release = new ManualResetEventSlim();
        using var entered = new ManualResetEventSlim();
        var calls = new ConcurrentQueue<byte[]>();
        var server = _running.StartServer(
            (message, reply) =>
            {
                calls.Enqueue(message.ToArray());
                entered.Set();
                Wait.For(release);
                reply.Write(message.Span);
            },
            workers: 2,
            new TcpServerOptions { Framing = MessageFraming.LengthPrefixed }
        );
        var client = _running.Connect(server);
        client.Send(RunningLoop.Frame([1]));
        Wait.For(entered);
        client.Send([.. RunningLoop.Frame([2, 2]), .. RunningLoop.Frame([3, 3, 3])]);
        Wait.Until(() => server.Messages == 3, "the later messages are read");
        release.Set();
        byte[] expected =
        [
            .. RunningLoop.Frame([1]),
            .. RunningLoop.Frame([2, 2]),
            .. RunningLoop.Frame([3, 3, 3]),
        ];
        Assert.Equal(expected, RunningLoop.ReceiveExactly(client, expected.Length));
        Assert.Equal(
            [
                [1],
                [2, 2],
                [3, 3, 3],
            ],
            calls.ToArray()
        );
    }

    [Fact]
    public void WhatAFailingWorkerHandlerWroteIsDiscardedAndTheOtherRepliesOfItsBatchGoOut()
    {
        var server = _running.StartServer(
            (message, reply) =>
            {
                reply.Write(message.Span);
                if (message.Span[0] == 0)
                {
                    throw new InvalidDataException("bad message");
                }
            },
            workers: 2,
            new TcpServerOptions { Framing = MessageFraming.LengthPrefixed }
        );
        var client = _running.Connect(server);
        client.Send([.. RunningLoop.Frame([0, 9]), .. RunningLoop.Frame([5])]); // one send: usually one read, one batch
        Assert.Equal(
            RunningLoop.Frame([5]),
            RunningLoop.ReceiveExactly(client, RunningLoop.Frame([5]).Length)
        );
        Assert.Equal(1, server.Errors);
        client.Send(RunningLoop.Frame([6]));
        Assert.Equal(
            RunningLoop.Frame([6]),
            RunningLoop.ReceiveExactly(client, RunningLoop.Frame([6]).Length)
        );
    }

    [Fact]
    public void WhatAFailingInlineHandlerWroteIsDiscardedAndItsConnectionCloses()
    {
        var server = _running.StartServer(
            (message, reply) =>
            {
                reply.Write(message.Span);
                throw new InvalidDataException("bad message");
            }
        );
        var client = _running.Connect(server);
        client.Send([1, 2, 3]);
        Assert.Equal(0, RunningLoop.ReceiveToEnd(client));
        Wait.Until(() => server.ReleasedConnections == 1, "released");
        Assert.Equal(1, server.Errors);
    }

    [Fact]
    public void AReplyLargerThanTheWriterFirstHoldsArrivesWhole()
    {
        var payload = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();
        var server = _running.StartServer(
            (message, reply) =>
            {
                for (var i = 0; i < payload.Length; i += 1000)
                {
                    reply.Write(payload.AsSpan(i, 1000)); // many small writes: the writer grows
                }
            },
            workers: 2
        );
        var client = _running.Connect(server);
        client.Send([1]);
        Assert.Equal(payload, RunningLoop.ReceiveExactly(client, payload.Length));
    }
}
