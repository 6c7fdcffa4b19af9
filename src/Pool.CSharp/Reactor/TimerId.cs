namespace Pool.Reactor;

/// <summary>
/// Names a timer of one <see cref="EventLoop"/>. Ids are never reused, so an id stays safe to cancel after its
/// timer fired or was cancelled (that cancel does nothing).
/// </summary>
/// <param name="Value">A sequence number unique within the loop.</param>
public readonly record struct TimerId(long Value);
