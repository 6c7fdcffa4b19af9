using Pool.Threading;

namespace Pool.Reactor;

/// <summary>
/// The input of one connection on its way to the handler: the loop queues each message it reads into the waiting
/// batch, and one handler task at a time takes the whole batch, handles it and gives it back emptied. It decides
/// when a task must be scheduled, so no message waits while no task is queued or running to take it, and a task is
/// submitted only once the task before it has written its reply (or handed it to the loop), so replies keep their
/// order whichever worker runs each task.
/// </summary>
internal sealed class ConnectionInput(IThreading threading)
{
    // Every field below is guarded by _lock: the loop queues, the worker handling the batch takes, finishes and
    // returns, and the destroying thread (or the loop) cancels.
    private readonly ILock _lock = threading.CreateLock();
    private InputBatch _waiting = new(); // read by the loop, not yet taken by a task
    private InputBatch? _spare = new(); // the emptied batch for the next take; null while a task handles one
    private bool _scheduled; // a handler task is queued, running or replying, and takes _waiting (or submits the next)
    private bool _replying; // the running task has handled its batch and is writing its reply
    private bool _nextCounted; // while replying: input waits, and the next task is counted in flight

    /// <summary>
    /// Loop thread: queues a message (copied) and says what the caller must do: nothing, count the next task (the
    /// replying task submits it), or count and submit a task.
    /// </summary>
    public InputQueued Queue(ReadOnlySpan<byte> message, int mergeLimit)
    {
        _lock.Enter();
        try
        {
            _waiting.Append(message, mergeLimit);
            if (!_scheduled)
            {
                _scheduled = true;
                return InputQueued.Submit;
            }
            if (_replying && !_nextCounted)
            {
                _nextCounted = true;
                return InputQueued.CountNext;
            }
            return InputQueued.Waits;
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
    /// Worker: the batch was handled, and its reply is about to be written. True when input arrived meanwhile: the
    /// caller must count the next task in flight now (before its reply settles); the task stays scheduled, and
    /// input the loop queues from here on waits for the next task, which <see cref="Return"/> says to submit.
    /// </summary>
    public bool Finish()
    {
        _lock.Enter();
        try
        {
            _replying = true;
            _nextCounted = _waiting.Count > 0;
            return _nextCounted;
        }
        finally
        {
            _lock.Exit();
        }
    }

    /// <summary>
    /// Worker: the batch's reply was written or handed to the loop; the batch is emptied and kept for the next task.
    /// True when input waits for a next task, counted in flight already (by <see cref="Finish"/> or by the loop): the
    /// caller must submit it. False: no task is scheduled any more, and the next message queued schedules one.
    /// </summary>
    public bool Return(InputBatch handled)
    {
        handled.Clear();
        _lock.Enter();
        try
        {
            _spare = handled;
            _replying = false;
            _scheduled = _nextCounted;
            _nextCounted = false;
            return _scheduled;
        }
        finally
        {
            _lock.Exit();
        }
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
