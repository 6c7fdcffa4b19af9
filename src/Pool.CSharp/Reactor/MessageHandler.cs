using System.Buffers;

namespace Pool.Reactor;

/// <summary>
/// Answers one message of a connection by writing its reply (zero or more bytes) to <paramref name="reply"/>.
/// Called on the loop thread when the server has no workers, otherwise on a worker, one call at a time per
/// connection and in the order the messages arrived.
/// </summary>
/// <param name="message">The message, lent for the call only (a pooled buffer the server reuses): copy what you keep.</param>
/// <param name="reply">
/// Where the reply goes, lent for the call only: writing to it after the call returns corrupts another reply.
/// Replies of one connection reach the peer in the order of their messages.
/// </param>
/// <remarks>
/// A handler that throws is counted in <see cref="TcpServer.Errors"/> and logged, and whatever it wrote is
/// discarded: without workers the connection is closed (<see cref="CloseReason.HandlerFailed"/>); with workers
/// the message gets no reply and the connection stays open.
/// </remarks>
public delegate void MessageHandler(ReadOnlyMemory<byte> message, IBufferWriter<byte> reply);
