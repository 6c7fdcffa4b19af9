using System.Diagnostics;
using Pool.Systematic.Strategies;
using Pool.Threading;

namespace Pool.Systematic.Runtime;

/// <summary>
/// The scheduler of one iteration: owns the controlled threads, the virtual clock and the decisions.
/// Exactly one controlled thread runs at a time; it alone touches this object's state, and the hand-off
/// between carriers (a semaphore release and wait) orders its writes before the next thread's reads.
/// </summary>
internal sealed class Iteration
{
    [ThreadStatic]
    private static ControlledThread? t_current;

    private readonly ISchedulingStrategy _strategy;
    private readonly int _maxSteps;
    private readonly bool _failOnMaxSteps;
    private readonly bool _captureLocations;
    private readonly List<ControlledThread> _threads = [];
    private readonly List<int> _enabled = [];
    private readonly List<Access> _pending = [];
    private readonly List<Decision> _decisions = [];
    private readonly List<TraceStep> _interleaving = [];
    private readonly SemaphoreSlim _explorerGate = new(0);
    private ControlledThread? _running;
    private long _lastProgress;
    private int _steps;
    private int _preemptions;
    private ulong _hash = 14695981039346656037UL;
    private bool _maxStepsHit;
    private Bug? _bug;
    private bool _stopped;
    private int _locks;
    private int _objects = Access.Clock;
    private bool _pruned;
    private IReadOnlyList<ThreadWait> _finalWaits = [];

    internal Iteration(
        ISchedulingStrategy strategy,
        int maxSteps,
        bool failOnMaxSteps,
        bool captureLocations,
        MemoryModel memoryModel = MemoryModel.Sc
    )
    {
        MemoryModel = memoryModel;
        _strategy = strategy;
        _maxSteps = maxSteps;
        _failOnMaxSteps = failOnMaxSteps;
        _captureLocations = captureLocations;
        Threading = new ControlledThreading(this);
        GuardsBlocking = strategy.GuardsBlocking;
    }

    /// <summary>
    /// When true, a thread about to take a held lock or join an unfinished thread is not enabled until it can go on,
    /// so that it never wastes a decision on an attempt that blocks (partial-order reduction needs this; the other
    /// strategies keep the attempt as a decision of its own).
    /// </summary>
    internal bool GuardsBlocking { get; }

    internal ControlledThreading Threading { get; }

    /// <summary>Counts the scheduling points reached (<c>--coverage</c>), or null.</summary>
    internal Coverage.CoverageRecorder? Coverage { get; init; }

    /// <summary>Which reorderings of atomic writes this iteration explores.</summary>
    internal MemoryModel MemoryModel { get; }

    /// <summary>"tso" or "pso": atomic writes wait in store buffers until a read chooses to see them, or a fence.</summary>
    internal bool StoreBuffering => MemoryModel != MemoryModel.Sc;

    /// <summary>Virtual time: starts at zero, moves only when no thread can run and someone waits for a deadline.</summary>
    internal TimeSpan Now { get; private set; }

    /// <summary>True once the iteration has ended early (bug or step bound); every scheduling point then unwinds.</summary>
    internal bool Stopped => Volatile.Read(ref _stopped);

    /// <summary>True when the watchdog gave up on this iteration; its carriers are not reused.</summary>
    internal bool Abandoned { get; private set; }

    /// <summary>Runs the test body and every thread it starts to the end; called on the exploring thread.</summary>
    internal IterationResult Run(Action<IThreading> test, TimeSpan watchdog)
    {
        CreateThread(() => test(Threading), "test");
        _lastProgress = Stopwatch.GetTimestamp();
        var first = ChooseNext(null, isYield: false);
        first!.Carrier.Resume();
        WaitForControl(watchdog);
        if (_stopped && !Abandoned)
        {
            Unwind(watchdog);
        }
        return new IterationResult(
            _decisions,
            _steps,
            _preemptions,
            _hash,
            _maxStepsHit,
            _bug,
            _interleaving,
            MemoryModel
        )
        {
            FinalWaits = _finalWaits,
            Pruned = _pruned,
            GuardsBlocking = GuardsBlocking,
        };
    }

    /// <summary>The controlled thread running on this OS thread, checked to belong to this iteration.</summary>
    internal ControlledThread Current
    {
        get
        {
            var current = t_current;
            if (current is null)
            {
                throw new InvalidOperationException(
                    "A controlled IThreading was called from a thread the explorer does not control "
                        + "(a System.Threading thread, a Task, or a timer callback). Start every thread of the test "
                        + "through the IThreading the test received."
                );
            }
            if (current.Iteration != this)
            {
                throw new InvalidOperationException(
                    "An object from another exploration iteration was used (kept in a static field?). Create "
                        + "everything the test uses inside the test body."
                );
            }
            return current;
        }
    }

    internal void Enter(ControlledThread thread) => t_current = thread;

    internal void Leave() => t_current = null;

    /// <summary>Creates a controlled thread (not yet running); it becomes enabled at once.</summary>
    internal ControlledThread CreateThread(Action body, string? name)
    {
        var id = _threads.Count;
        var thread = new ControlledThread(this, id, name ?? $"thread-{id}", body);
        thread.Carrier = Carrier.Rent(thread);
        if (_captureLocations && t_current is { } creator)
        {
            thread.PendingLocation = creator.PendingLocation;
            thread.PendingStack = creator.PendingStack;
        }
        _threads.Add(thread);
        _strategy.ThreadCreated(id);
        return thread;
    }

    /// <summary>
    /// A scheduling point: the calling thread announces <paramref name="operation"/>, the strategy picks who
    /// runs next, and the caller continues only when it is picked.
    /// </summary>
    internal ControlledThread Point(string operation, Access access, bool isYield = false)
    {
        var me = Current;
        if (_stopped)
        {
            throw new IterationAbortedException();
        }
        me.PendingOperation = operation;
        me.PendingAccess = access;
        if (_captureLocations)
        {
            var caller = SourceLocation.OfCaller();
            me.PendingLocation = caller?.Location;
            me.PendingStack = caller?.Stack;
        }
        Coverage?.Reached(me, operation);
        Reschedule(me, isYield);
        return me;
    }

    /// <summary>
    /// Lets the strategy pick the next thread after the caller's state changed (for example it blocked);
    /// returns when the caller is picked again.
    /// </summary>
    internal void Reschedule(ControlledThread me, bool isYield = false)
    {
        var next = ChooseNext(me, isYield) ?? throw new IterationAbortedException();
        if (next != me)
        {
            next.Carrier.Resume();
            me.Carrier.Park();
            if (_stopped)
            {
                throw new IterationAbortedException();
            }
        }
    }

    /// <summary>Asks the strategy for a data choice in [0, <paramref name="count"/>).</summary>
    internal int ChooseValue(int count)
    {
        _ = Current;
        if (_stopped)
        {
            throw new IterationAbortedException();
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (count == 1)
        {
            return 0;
        }
        int value;
        try
        {
            value = _strategy.PickValue(count, _steps);
        }
        catch (NondeterminismException exception)
        {
            Stop(Bug.Of(BugKind.Divergence, exception.Message, Current.Name));
            throw new IterationAbortedException();
        }
        Record(new Decision(true, value));
        return value;
    }

    /// <summary>A fence of <paramref name="thread"/>: every write in its store buffer reaches memory, oldest first.</summary>
    internal void Drain(ControlledThread thread)
    {
        foreach (var entry in thread.StoreBuffer)
        {
            entry.Atomic.Publish(entry.Value);
        }
        thread.StoreBuffer.Clear();
    }

    /// <summary>Called on the carrier when a controlled thread's body has returned or thrown.</summary>
    /// <remarks>
    /// Its store buffer is not drained here: its last writes may still reach memory after another thread's next
    /// read (flush decisions go on; joining it drains them).
    /// </remarks>
    internal void ThreadExited(ControlledThread thread, Exception? failure)
    {
        thread.Block = BlockReason.Finished;
        if (_stopped)
        {
            _explorerGate.Release();
            return;
        }
        if (failure is not null)
        {
            Stop(Bug.FromException(failure, thread));
            _explorerGate.Release();
            return;
        }
        var next = ChooseNext(thread, isYield: false);
        if (next is null)
        {
            _explorerGate.Release();
            return;
        }
        next.Carrier.Resume();
    }

    private ControlledThread? ChooseNext(ControlledThread? me, bool isYield)
    {
        while (true)
        {
            _enabled.Clear();
            _pending.Clear();
            foreach (var thread in _threads)
            {
                if (IsEnabled(thread))
                {
                    _enabled.Add(thread.Id);
                    _pending.Add(thread.PendingAccess);
                }
            }
            if (_enabled.Count == 0)
            {
                if (AdvanceTime())
                {
                    continue;
                }
                if (_threads.TrueForAll(t => t.Block == BlockReason.Finished))
                {
                    return null;
                }
                Stop(Bug.Of(BugKind.Deadlock, DescribeDeadlock(), me?.Name ?? "test"));
                return null;
            }
            if (_steps >= _maxSteps)
            {
                _maxStepsHit = true;
                Stop(
                    _failOnMaxSteps
                        ? Bug.Of(
                            BugKind.Livelock,
                            $"The iteration exceeded {_maxSteps} scheduling steps (livelock, or raise --max-steps).",
                            me?.Name ?? "test"
                        )
                        : null
                );
                return null;
            }
            var current = me is not null && IsEnabled(me) ? me.Id : -1;
            int pick;
            try
            {
                pick = _strategy.PickThread(
                    new SchedulingPoint(_enabled, current, _steps, isYield) { Pending = _pending }
                );
            }
            catch (NondeterminismException exception)
            {
                Stop(Bug.Of(BugKind.Divergence, exception.Message, me?.Name ?? "test"));
                return null;
            }
            if (pick < 0)
            {
                // The strategy has seen every schedule this one can lead to (a sleep-set-blocked prefix).
                _pruned = true;
                Stop(null);
                return null;
            }
            if (current >= 0 && pick != current)
            {
                _preemptions++;
            }
            Coverage?.Picked(me, current, pick);
            var next = _threads[pick];
            if (_captureLocations)
            {
                _interleaving.Add(
                    new TraceStep(
                        _steps,
                        pick,
                        next.Name,
                        next.PendingOperation,
                        next.PendingLocation
                    )
                    {
                        Stack = next.PendingStack,
                        PreemptedThreadId = current >= 0 && pick != current ? current : null,
                        Waits = Waits(),
                    }
                );
            }
            Record(new Decision(false, pick));
            Volatile.Write(ref _running, next);
            return next;
        }
    }

    /// <summary>
    /// How many reads of an atomic by other threads may choose not to see a buffered write to it before it is
    /// flushed without a choice: real store buffers drain in bounded time, and a thread spinning on a flag would
    /// otherwise be able to miss its write forever (a livelock the real machine cannot have).
    /// </summary>
    internal const int MaxStaleReads = 3;

    /// <summary>
    /// Under "tso", before <paramref name="reader"/> reads <paramref name="atomic"/> from memory: for every other thread
    /// with buffered writes to it, a data choice of how many of them have reached memory by now (0: none; k: its
    /// buffer up to and including its k-th write to this atomic, older writes to other atomics first, in order).
    /// Flushing lazily, where a read can see the difference, reaches the outcomes of x86-TSO with far fewer
    /// choices than offering a flush at every step; the choices are recorded, replayed and minimised like others.
    /// </summary>
    internal void ObserveStores(ControlledAtomic atomic, ControlledThread reader)
    {
        foreach (var writer in _threads)
        {
            if (writer == reader || writer.StoreBuffer.Count == 0)
            {
                continue;
            }
            var pending = writer.StoreBuffer.Count(entry => entry.Atomic == atomic);
            if (pending == 0)
            {
                continue;
            }
            var oldest = writer.StoreBuffer.First(entry => entry.Atomic == atomic);
            var flushed =
                oldest.StaleReads >= MaxStaleReads
                    ? Math.Max(1, ChooseValue(pending)) // the stalest write must be seen now
                    : ChooseValue(pending + 1);
            foreach (var entry in writer.StoreBuffer.Where(entry => entry.Atomic == atomic))
            {
                entry.StaleReads++;
            }
            Flush(writer, atomic, flushed);
        }
    }

    // Publishes writer's writes to atomic up to and including its count-th, and what must reach memory first: under
    // "tso" every older write (one FIFO buffer); under "pso" the older writes to the same atomic, and everything
    // older than a release write among them (a release write is never seen before the writes it follows).
    private void Flush(ControlledThread writer, ControlledAtomic atomic, int count)
    {
        if (count == 0)
        {
            return;
        }
        var buffer = writer.StoreBuffer;
        var last = -1;
        var prefix = -1;
        for (int i = 0, seen = 0; seen < count; i++)
        {
            if (buffer[i].Atomic == atomic)
            {
                seen++;
                last = i;
                if (MemoryModel == MemoryModel.Tso || !buffer[i].Relaxed)
                {
                    prefix = i;
                }
            }
        }
        var flushed = new List<StoreBufferEntry>();
        for (var i = 0; i <= last; i++)
        {
            if (i <= prefix || buffer[i].Atomic == atomic)
            {
                flushed.Add(buffer[i]);
            }
        }
        buffer.RemoveAll(flushed.Contains);
        foreach (var entry in flushed)
        {
            entry.Atomic.Publish(entry.Value);
            if (_captureLocations)
            {
                _interleaving.Add(
                    new TraceStep(
                        _steps,
                        writer.Id,
                        writer.Name,
                        $"(store buffer: {entry.Value} reaches memory)",
                        null
                    )
                );
            }
        }
    }

    private void Record(Decision decision)
    {
        _decisions.Add(decision);
        _steps++;
        _hash =
            (_hash ^ (ulong)(decision.IsValue ? ~decision.Choice : decision.Choice))
            * 1099511628211UL;
        Volatile.Write(ref _lastProgress, Stopwatch.GetTimestamp());
    }

    private static bool IsEnabled(ControlledThread thread) =>
        thread.Block switch
        {
            BlockReason.None => true,
            BlockReason.Lock => thread.WaitingLock!.Owner is null,
            BlockReason.Join => thread.JoinTarget!.Block == BlockReason.Finished,
            _ => false,
        };

    /// <summary>Jumps the clock to the earliest deadline and wakes whoever waits for it; false if nobody does.</summary>
    private bool AdvanceTime()
    {
        TimeSpan? earliest = null;
        foreach (var thread in _threads)
        {
            if (thread.Deadline is { } deadline && (earliest is null || deadline < earliest))
            {
                earliest = deadline;
            }
        }
        if (earliest is not { } time)
        {
            return false;
        }
        if (time > Now)
        {
            Now = time;
        }
        foreach (var thread in _threads)
        {
            if (thread.Deadline is { } deadline && deadline <= Now)
            {
                TimeOut(thread);
            }
        }
        return true;
    }

    private static void TimeOut(ControlledThread thread)
    {
        thread.Deadline = null;
        if (thread.Block == BlockReason.Sleep)
        {
            thread.Block = BlockReason.None;
            return;
        }
        thread.WaitingCondition!.Remove(thread);
        thread.WaitResult = false;
        thread.Block = BlockReason.Lock;
        thread.WaitingLock = thread.WaitingCondition.Lock;
        thread.WaitingCondition = null;
    }

    private string DescribeDeadlock()
    {
        var blocked = _threads
            .Where(t => t.Block != BlockReason.Finished)
            .Select(t =>
                t.Block switch
                {
                    BlockReason.Lock =>
                        $"'{t.Name}' waits for a lock held by '{t.WaitingLock!.Owner?.Name}'",
                    BlockReason.Join => $"'{t.Name}' joins '{t.JoinTarget!.Name}'",
                    BlockReason.Condition => $"'{t.Name}' waits on a condition nobody signals",
                    _ => $"'{t.Name}' is {t.Block}",
                }
            );
        return "Deadlock: every unfinished thread is blocked: " + string.Join("; ", blocked) + ".";
    }

    private void Stop(Bug? bug)
    {
        // Not for uncontrolled blocking: the watchdog stops from the exploring thread while a controlled one runs.
        if (
            _captureLocations
            && bug is not null
            && _bug is null
            && bug.Kind != BugKind.UncontrolledBlocking
        )
        {
            _finalWaits = Waits();
        }
        _bug ??= bug;
        Volatile.Write(ref _stopped, true);
    }

    /// <summary>Rendering only: what each thread that cannot run now waits for.</summary>
    private List<ThreadWait> Waits()
    {
        var waits = new List<ThreadWait>();
        foreach (var thread in _threads)
        {
            if (thread.Wait() is { } wait)
            {
                waits.Add(wait);
            }
        }
        return waits;
    }

    /// <summary>The number of a new lock: 1, 2, ... in creation order.</summary>
    internal int NumberLock() => ++_locks;

    /// <summary>The number of a new lock or atomic for <see cref="Access.Target"/>: 1, 2, ... in creation order.</summary>
    internal int NumberObject() => ++_objects;

    /// <summary>While rendering, the <c>File.cs:line</c> of the code under test that creates an object; else null.</summary>
    internal string? CreationSite()
    {
        if (!_captureLocations || SourceLocation.OfCaller() is not { } caller)
        {
            return null;
        }
        var space = caller.Location.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? caller.Location : caller.Location[..space];
    }

    /// <summary>Waits until no controlled thread runs (iteration over, or stopped); enforces the watchdog.</summary>
    private void WaitForControl(TimeSpan watchdog)
    {
        var slice = TimeSpan.FromMilliseconds(Math.Clamp(watchdog.TotalMilliseconds / 4, 1, 250));
        while (!_explorerGate.Wait(slice))
        {
            var idle = Stopwatch.GetElapsedTime(Volatile.Read(ref _lastProgress));
            if (idle > watchdog)
            {
                var running = Volatile.Read(ref _running);
                Stop(
                    Bug.Of(
                        BugKind.UncontrolledBlocking,
                        $"Uncontrolled blocking: thread '{running?.Name}' ran {idle.TotalSeconds:F1} s of real time "
                            + $"without reaching a scheduling point (last operation: {running?.PendingOperation}). It "
                            + "probably blocks on a real Thread, Monitor, Task or I/O behind IThreading's back.",
                        running?.Name ?? "test"
                    )
                );
                Abandoned = true;
                return;
            }
        }
    }

    /// <summary>After a stop, resumes every unfinished thread once so it unwinds; gives up on one that never ends.</summary>
    private void Unwind(TimeSpan watchdog)
    {
        foreach (var thread in _threads)
        {
            if (thread.Block == BlockReason.Finished)
            {
                continue;
            }
            thread.Carrier.Resume();
            if (!_explorerGate.Wait(watchdog))
            {
                Abandoned = true;
                return;
            }
        }
    }
}
