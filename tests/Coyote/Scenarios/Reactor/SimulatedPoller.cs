using Pool.Reactor;
using Pool.Threading;

namespace Coyote.Scenarios.Reactor;

/// <summary>
/// The reactor's poller seam under the explorer: the loop's wait is a timed condition wait of the controlled
/// <see cref="IThreading"/>, so time is virtual and the explorer orders wake-ups against everything else.
/// No sockets yet: registrations belong to the simulated network, which comes with connections.
/// </summary>
internal sealed class SimulatedPoller(IThreading threading) : IPoller
{
    private readonly ILock _lock = threading.CreateLock();
    private ICondition? _woken;
    private bool _wakeRequested;

    private ICondition Woken => _woken ??= threading.CreateCondition(_lock);

    public void Add(int descriptor, ulong token, Interest interest) => throw NoSockets();

    public void Modify(int descriptor, ulong token, Interest interest) => throw NoSockets();

    public void Remove(int descriptor) => throw NoSockets();

    public int Wait(Span<ReadyEvent> ready, TimeSpan? timeout)
    {
        _lock.Enter();
        try
        {
            var woken = Woken;
            if (!_wakeRequested)
            {
                if (timeout is { } limit)
                {
                    if (limit > TimeSpan.Zero)
                    {
                        woken.Wait(limit);
                    }
                }
                else
                {
                    while (!_wakeRequested)
                    {
                        woken.Wait();
                    }
                }
            }
            _wakeRequested = false;
            return 0;
        }
        finally
        {
            _lock.Exit();
        }
    }

    public void Wake()
    {
        _lock.Enter();
        _wakeRequested = true;
        Woken.Signal();
        _lock.Exit();
    }

    public void Dispose() { }

    private static NotSupportedException NoSockets() =>
        new(
            "The simulated poller has no sockets yet: connections arrive with the simulated network."
        );
}
