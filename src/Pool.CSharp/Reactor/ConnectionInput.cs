using Pool.Threading;

namespace Pool.Reactor;

/// <summary>
/// The input of one connection on its way to the handler: the loop queues each message it reads into the waiting
/// batch, and one handler task at a time takes the whole batch, handles it and gives it back emptied. It decides
/// when a task must be scheduled, so no message waits while no task is queued or running to take it.
/// </summary>
internal sealed class ConnectionInput(IThreading threading)
{
    // Every field below is guarded by _lock: the loop queues, the worker handling the batch takes, finishes and
    // returns, and the destroying thread (or the loop) cancels.
    private readonly ILock _lock = threading.CreateLock();
    private InputBatch _waiting = new(); // read by the loop, not yet taken by a task
    private InputBatch? _spare = new(); // the emptied batch for the next take; null while a task handles one
    private bool _scheduled; // a handler task is queued or running, and takes _waiting

    /// <summary>
    /// Loop thread: queues a message (copied). True when no handler task is queued or running: the caller must
    /// schedule one; false when the task already scheduled will take it.
    /// </summary>
    public bool Queue(ReadOnlySpan<byte> message, int mergeLimit)
    {
        _lock.Enter();
        try
        {
            _waiting.Append(message, mergeLimit);
            if (_scheduled)
            {
                return false;
            }
            _scheduled = true;
            return true;
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>Worker running the handler task: takes every waiting message; the batch is the caller's until <see cref="Return"/>.</summary>
    public InputBatch Take()
    {
        _lock.Enter();
        try
        {
            var taken = _waiting;
            _waiting = _spare ?? new InputBatch(); // the previous task gave its batch back before it ended
            _spare = null;
            return taken;
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>
    /// Worker: the batch was handled. True when more input arrived meanwhile: the handler stays scheduled and the
    /// caller must schedule the next task; false: the next message queued schedules a task again.
    /// </summary>
    public bool Finish()
    {
        _lock.Enter();
        try
        {
            var more = _waiting.Count > 0;
            _scheduled = more;
            return more;
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>Worker: the batch's replies were completed; it is emptied and kept for the next one.</summary>
    public void Return(InputBatch handled)
    {
        handled.Clear();
        _lock.Enter();
        _spare = handled;
        _lock.Exit();
    }

    /// <summary>The scheduled handler task will not run: its waiting input is dropped.</summary>
    public void Cancel()
    {
        _lock.Enter();
        try
        {
            _waiting.Clear();
            _scheduled = false;
        }
        finally
        {
            _lock.Exit();
        }
    }
}
