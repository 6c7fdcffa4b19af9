namespace Pool.Systematic.Runtime;

/// <summary>A failed iteration: what failed, where, and a signature to tell whether another run failed the same way.</summary>
internal sealed record Bug(BugKind Kind, string Message, string Thread, string Signature)
{
    internal static Bug FromException(Exception exception, ControlledThread thread) =>
        new(
            BugKind.Exception,
            $"{exception.GetType().Name} on thread '{thread.Name}': {exception.Message}",
            thread.Name,
            $"{BugKind.Exception}:{exception.GetType().FullName}:{exception.Message}"
        );

    internal static Bug Of(BugKind kind, string message, string thread) =>
        new(kind, message, thread, kind.ToString());
}
