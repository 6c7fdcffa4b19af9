using System.Runtime.ExceptionServices;
using Pool.Threading;

namespace Pool.Tasks;

/// <summary>
/// A callback sent to a <see cref="PoolSynchronizationContext"/>: it runs once on some thread, and the sender
/// waits for that (through the seam) and receives its exception.
/// </summary>
internal sealed class SentCallback
{
    private readonly SendOrPostCallback _callback;
    private readonly object? _state;
    private readonly ILock _lock;
    private readonly ICondition _finished;
    private bool _done; // guarded by _lock
    private ExceptionDispatchInfo? _failure; // guarded by _lock

    internal SentCallback(SendOrPostCallback callback, object? state, IThreading threading)
    {
        _callback = callback;
        _state = state;
        _lock = threading.CreateLock();
        _finished = threading.CreateCondition(_lock);
    }

    /// <summary>Runs the callback and records its end; never throws (the sender rethrows).</summary>
    internal void Run()
    {
        ExceptionDispatchInfo? failure = null;
        try
        {
            _callback(_state);
        }
        catch (Exception exception)
        {
            failure = ExceptionDispatchInfo.Capture(exception);
        }
        _lock.Enter();
        _done = true;
        _failure = failure;
        _finished.Broadcast();
        _lock.Exit();
    }

    /// <summary>Blocks until <see cref="Run"/> has finished, then rethrows what the callback threw.</summary>
    internal void AwaitAndRethrow()
    {
        _lock.Enter();
        while (!_done)
        {
            _finished.Wait();
        }
        var failure = _failure;
        _lock.Exit();
        failure?.Throw();
    }
}
