using Pool.Threading;

namespace Pool;

/// <summary>
/// The producers' side of <see cref="TaskQueue"/>: a spin lock on an atomic (one compare-exchange to enter, one write
/// to leave: about half the cost of an <see cref="ILock"/>). Nobody ever blocks or waits while holding it, so holders
/// leave it within a few instructions, and a contender only spins; past a few spins it yields the processor, in case
/// the holder was preempted. Lock order: the get lock, then the gate; the sleep lock is never held with the gate.
/// </summary>
internal readonly struct PutGate(IThreading threading)
{
    // Contended entries spin this many times (with growing pauses) before they start yielding.
    private const int SpinsBeforeYield = 10;

    private readonly IThreading _threading = threading; // pauses and yields of a contended entry
    private readonly IAtomicInt64 _held = threading.CreateAtomic(); // 1 while held, 0 while free; only its holder writes 0

    public void Enter()
    {
        if (_held.CompareExchange(1, 0) != 0)
        {
            EnterContended();
        }
    }

    public void Exit() => _held.Write(0);

    private void EnterContended()
    {
        var spins = 0;
        do
        {
            if (spins < SpinsBeforeYield)
            {
                _threading.SpinWait(1 << Math.Min(spins, 4));
            }
            else
            {
                _threading.SpinWait(1);
                _threading.Sleep(TimeSpan.Zero);
            }
            spins++;
        } while (_held.Read() != 0 || _held.CompareExchange(1, 0) != 0);
    }
}
