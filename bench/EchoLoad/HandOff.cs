namespace EchoLoad;

/// <summary>
/// Where <see cref="MinimalEpollServer"/>'s loops hand a connection with input waiting, when it has workers: the same
/// server with each piece of ours put in, one at a time, tells which part of our worker mode costs what.
/// </summary>
internal enum HandOff
{
    /// <summary>Its own queue: one lock and condition, polled by its own worker threads (the native server's design).</summary>
    Own,

    /// <summary>Our <c>Pool.ThreadPool</c>: one task per connection with input waiting.</summary>
    Pool,

    /// <summary>Our <c>Pool.Executor</c>'s concurrent queues, four per worker, as our server's worker mode uses them.</summary>
    Executor,
}
