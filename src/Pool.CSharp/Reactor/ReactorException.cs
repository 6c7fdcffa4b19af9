namespace Pool.Reactor;

/// <summary>A system call the reactor depends on failed; the message names the call and the errno.</summary>
public sealed class ReactorException(string message) : Exception(message);
