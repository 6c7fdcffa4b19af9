namespace Pool.Reactor;

/// <summary>One readiness report: the registration's token and what it is ready for.</summary>
/// <param name="Token">The token given at registration (slot and generation, never a managed reference).</param>
/// <param name="Readable">Data (or end of stream) can be read.</param>
/// <param name="Writable">Data can be written.</param>
/// <param name="Closed">The peer hung up or an error is pending.</param>
public readonly record struct ReadyEvent(ulong Token, bool Readable, bool Writable, bool Closed);
