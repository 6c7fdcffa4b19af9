namespace Pool.Systematic;

/// <summary>What a blocked controlled thread waits for (recorded only while a trace is rendered).</summary>
/// <param name="ThreadId">Controlled thread number (0 is the test body).</param>
/// <param name="ThreadName">The thread's name.</param>
/// <param name="Kind"><c>lock</c>, <c>condition</c>, <c>join</c> or <c>sleep</c>.</param>
/// <param name="WaitsFor">Readable: the lock and its owner, the condition, the joined thread, or the deadline.</param>
public sealed record ThreadWait(int ThreadId, string ThreadName, string Kind, string WaitsFor);
