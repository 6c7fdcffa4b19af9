namespace Pool;

/// <summary>Internal carrier: the threading implementation failed to start a worker (the cause is inner).</summary>
internal sealed class ThreadStartFailedException(Exception cause) : Exception(cause.Message, cause);
