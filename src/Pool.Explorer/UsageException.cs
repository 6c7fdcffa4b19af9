namespace Pool.Explorer;

/// <summary>A problem with the command line or with what it names (exit code 2), with a message for the user.</summary>
internal sealed class UsageException(string message) : Exception(message);
