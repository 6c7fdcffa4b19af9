namespace Pool.Tasks;

/// <summary>A callback posted to a <see cref="PoolSynchronizationContext"/> and its argument: the context of one pool task.</summary>
internal sealed record PostedCallback(SendOrPostCallback Callback, object? State);
