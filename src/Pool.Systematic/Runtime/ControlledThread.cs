namespace Pool.Systematic.Runtime;

/// <summary>One thread of the code under test, as the scheduler sees it.</summary>
internal sealed class ControlledThread(Iteration iteration, int id, string name, Action body)
{
    internal Iteration Iteration { get; } = iteration;
    internal int Id { get; } = id;
    internal string Name { get; } = name;
    internal Carrier Carrier { get; set; } = null!;
    internal BlockReason Block { get; set; }
    internal ControlledLock? WaitingLock { get; set; }
    internal ControlledThread? JoinTarget { get; set; }
    internal ControlledCondition? WaitingCondition { get; set; }

    /// <summary>Virtual time at which a sleep or timed wait ends, or null.</summary>
    internal TimeSpan? Deadline { get; set; }

    /// <summary>Result of the last condition wait: true when signalled, false when timed out.</summary>
    internal bool WaitResult { get; set; }

    /// <summary>The operation this thread performs when next scheduled (for readable traces).</summary>
    internal string PendingOperation { get; set; } = "Start";

    /// <summary>What the operation of <see cref="PendingOperation"/> touches (partial-order reduction).</summary>
    internal Access PendingAccess { get; set; }
    internal string? PendingLocation { get; set; }

    /// <summary>The stack lines of <see cref="PendingLocation"/> (see <see cref="SourceLocation.Stack"/>).</summary>
    internal string? PendingStack { get; set; }
    internal Dictionary<object, object?> Locals { get; } = [];

    /// <summary>Writes not yet visible to other threads, oldest first (the "tso" memory model only).</summary>
    internal List<StoreBufferEntry> StoreBuffer { get; } = [];

    /// <summary>What this thread waits for, or null when it can run (or has finished).</summary>
    internal ThreadWait? Wait() =>
        Block switch
        {
            BlockReason.Lock when WaitingLock!.Owner is { } owner => new ThreadWait(
                Id,
                Name,
                "lock",
                $"{WaitingLock.Name} held by '{owner.Name}'"
            ),
            BlockReason.Condition => new ThreadWait(
                Id,
                Name,
                "condition",
                $"a signal on a condition of {WaitingCondition!.Lock.Name}"
                    + (Deadline is { } deadline ? $" or t={deadline.TotalMilliseconds} ms" : "")
            ),
            BlockReason.Join when JoinTarget!.Block != BlockReason.Finished => new ThreadWait(
                Id,
                Name,
                "join",
                $"'{JoinTarget.Name}' to finish"
            ),
            BlockReason.Sleep => new ThreadWait(
                Id,
                Name,
                "sleep",
                $"t={Deadline?.TotalMilliseconds} ms (sleeping)"
            ),
            _ => null,
        };

    /// <summary>Runs the body on the current carrier; reports the end to the iteration.</summary>
    internal void RunOnCarrier()
    {
        Exception? failure = null;
        Iteration.Enter(this);
        try
        {
            if (!Iteration.Stopped)
            {
                body();
            }
        }
        catch (Exception exception)
        {
            failure = exception;
        }
        finally
        {
            Iteration.Leave();
        }
        Iteration.ThreadExited(this, failure);
    }
}
