namespace Pool.Reactor;

/// <summary>The life of a <see cref="TcpConnection"/>; it only moves forward.</summary>
public enum ConnectionState
{
    /// <summary>Registered with the loop: reading and writing.</summary>
    Connected,

    /// <summary>Out of the poller at once (peer closed, error, or server stop); the descriptor stays open while replies are in flight.</summary>
    Closed,

    /// <summary>Nothing can touch it any more: the descriptor is closed. Reached exactly once.</summary>
    Released,
}
