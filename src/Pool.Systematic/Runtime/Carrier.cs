namespace Pool.Systematic.Runtime;

/// <summary>
/// A reusable OS thread that runs controlled threads, one at a time, across iterations: creating an OS
/// thread per controlled thread (as Coyote does per operation) would dominate the cost of an iteration.
/// </summary>
/// <remarks>
/// The gate is the hand-off: exactly one carrier of an iteration is between <see cref="Park"/> calls at a
/// time. A carrier whose controlled thread was abandoned (watchdog, unwinding that never ends) leaves the
/// pool for good.
/// </remarks>
internal sealed class Carrier
{
    private const int StackSize = 16 * 1024 * 1024;
    private static readonly Lock FreeLock = new();
    private static readonly Stack<Carrier> Free = new();
    private readonly SemaphoreSlim _gate = new(0);
    private ControlledThread? _assigned;

    private Carrier()
    {
        var thread = new Thread(Loop, StackSize) { IsBackground = true, Name = "explorer-carrier" };
        thread.Start();
    }

    /// <summary>Binds <paramref name="thread"/> to an idle carrier; its body starts at the first <see cref="Resume"/>.</summary>
    internal static Carrier Rent(ControlledThread thread)
    {
        Carrier? carrier;
        lock (FreeLock)
        {
            Free.TryPop(out carrier);
        }
        carrier ??= new Carrier();
        carrier._assigned = thread;
        return carrier;
    }

    /// <summary>Lets the bound controlled thread run (start, or return from <see cref="Park"/>).</summary>
    internal void Resume() => _gate.Release();

    /// <summary>Called on this carrier by its controlled thread: waits until it is resumed.</summary>
    internal void Park() => _gate.Wait();

    private void Loop()
    {
        while (true)
        {
            _gate.Wait();
            var thread = _assigned!;
            _assigned = null;
            thread.RunOnCarrier();
            if (thread.Iteration.Abandoned)
            {
                return;
            }
            lock (FreeLock)
            {
                Free.Push(this);
            }
        }
    }
}
