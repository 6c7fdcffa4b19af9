namespace Pool;

/// <summary>One submitted unit of an <see cref="ExecQueue"/>: what to run, and what to call if it never runs.</summary>
internal readonly record struct ExecSession(Action Execute, Action? Cancelled);
