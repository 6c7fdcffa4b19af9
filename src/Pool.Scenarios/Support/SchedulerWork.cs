using Pool.Tasks;
using Pool.Threading;

namespace Pool.Scenarios.Support;

/// <summary>
/// Bookkeeping for the contract of <see cref="PoolTaskScheduler"/>: the tasks a scenario started (accepted or
/// refused), the continuations and posted callbacks, and how many times each ran. Guarded by a lock of the seam,
/// so its own accesses are explorable too. Never blocks on a task.
/// </summary>
internal sealed class SchedulerWork(IThreading threading, PoolTaskScheduler scheduler)
{
    private readonly ILock _lock = threading.CreateLock();
    private readonly Dictionary<string, int> _runs = [];
    private readonly List<(string Id, Task Task)> _accepted = [];
    private readonly List<string> _refused = [];
    private readonly List<(string Id, Task Task)> _continuations = [];
    private readonly List<string> _posted = [];

    /// <summary>
    /// <c>Task.Factory.StartNew</c> on the scheduler (the overload with an explicit scheduler: under Coyote the others
    /// are rewritten to Coyote's own scheduler) of a task that records its run, then does <paramref name="body"/>.
    /// Null when the scheduler refused it, which must be a <see cref="TaskSchedulerException"/> that says why.
    /// </summary>
    public Task? StartNew(string id, Action? body = null)
    {
        Task task;
        try
        {
            task = Task.Factory.StartNew(
                () =>
                {
                    Ran(id);
                    body?.Invoke();
                },
                CancellationToken.None,
                TaskCreationOptions.None,
                scheduler
            );
        }
        catch (TaskSchedulerException refused)
        {
            Check.That(
                refused.InnerException is InvalidOperationException { Message: var message }
                    && message.Contains("destroyed", StringComparison.Ordinal),
                $"the refusal of {id} says that the pool was destroyed"
            );
            Locked(() => _refused.Add(id));
            return null;
        }
        Locked(() => _accepted.Add((id, task)));
        return task;
    }

    /// <summary>A continuation of <paramref name="antecedent"/> on the scheduler that records its run.</summary>
    public Task ContinueWith(Task antecedent, string id)
    {
        var continuation = antecedent.ContinueWith(
            _ => Ran(id),
            CancellationToken.None,
            TaskContinuationOptions.None,
            scheduler
        );
        Locked(() => _continuations.Add((id, continuation)));
        return continuation;
    }

    /// <summary>Posts a callback that records its run to the scheduler's context.</summary>
    public void Post(string id)
    {
        scheduler.SynchronizationContext.Post(_ => Ran(id), null);
        Locked(() => _posted.Add(id));
    }

    /// <summary>
    /// Every accepted task and posted callback recorded so far ran exactly once and its task has completed; a
    /// refused task never ran; a continuation ran once, or was refused (faulted, never ran). When
    /// <paramref name="final"/> (every thread that starts work has finished): nothing else ran.
    /// </summary>
    public void CheckNothingPending(string when, bool final) =>
        Locked(() =>
        {
            foreach (var (id, task) in _accepted)
            {
                Check.That(task.IsCompletedSuccessfully, $"task {id} has completed {when}");
                Check.That(Runs(id) == 1, $"task {id} ran once {when}, not {Runs(id)} times");
            }
            foreach (var id in _refused)
            {
                Check.That(Runs(id) == 0, $"refused task {id} never ran");
            }
            foreach (var (id, continuation) in _continuations)
            {
                var refused =
                    continuation.IsFaulted
                    && continuation.Exception!.InnerException is TaskSchedulerException;
                Check.That(
                    (continuation.IsCompletedSuccessfully && Runs(id) == 1)
                        || (refused && Runs(id) == 0),
                    $"continuation {id} ran once or was refused {when} (status {continuation.Status}, {Runs(id)} runs)"
                );
            }
            foreach (var id in _posted)
            {
                Check.That(
                    Runs(id) == 1,
                    $"posted callback {id} ran once {when}, not {Runs(id)} times"
                );
            }
            if (final)
            {
                var known = _accepted
                    .Select(a => a.Id)
                    .Concat(_continuations.Select(c => c.Id))
                    .Concat(_posted)
                    .ToHashSet();
                Check.That(_runs.Keys.All(known.Contains), "only accepted work ran");
            }
        });

    private int Runs(string id) => _runs.GetValueOrDefault(id);

    private void Ran(string id) => Locked(() => _runs[id] = Runs(id) + 1);

    private void Locked(Action action)
    {
        _lock.Enter();
        try
        {
            action();
        }
        finally
        {
            _lock.Exit();
        }
    }
}
