using Pool.Threading;

namespace Pool;

/// <summary>
/// The tasks one worker claimed from the queue's get list in a single step but has not started yet: up to
/// <see cref="Capacity"/> consecutive tasks, copied out of the list (the list is reused as soon as every task
/// in it is claimed). Claiming a few tasks at once is what keeps two workers from fighting over the get
/// list's claim word on every task.
/// </summary>
/// <remarks>
/// <para>Tasks leave from the front only, by a compare-exchange on <c>_range</c>: the owner takes them one by
/// one, and a worker with nothing to do may steal them (see <see cref="TaskQueue"/>), so a claimed task
/// never waits behind a long-running one while another worker is idle. A worker that leaves the pool
/// keeps its claimed tasks here; idle workers steal them, a new worker adopts them, and destroy drains
/// them, in queue order, before the tasks still in the lists.</para>
/// <para>The owner refills the buffer only while the range is empty, then publishes the new range with a
/// full-fence exchange that also advances an epoch. A thief reads a task before its compare-exchange, as the
/// owner does; if the owner refilled the buffer in between, the epoch changed, the exchange fails and the
/// value read is discarded.</para>
/// </remarks>
internal sealed class ClaimedTasks
{
    /// <summary>The most tasks claimed in one step (the first of them is run at once, the rest wait here).</summary>
    public const int Capacity = 8;

    private const int IndexBits = 8;
    private const long IndexMask = (1L << IndexBits) - 1;
    private const int EpochShift = 2 * IndexBits;

    private readonly PoolTask[] _tasks = new PoolTask[Capacity];
    private readonly IAtomicInt64 _range; // (epoch << 16) | (end << 8) | next: _tasks[next..end) are left
    private readonly IAtomicInt64 _owned; // 1 while a worker of the pool owns this

    // Where _tasks[0] was in queue order (the get list's generation and index). Written by the owner before
    // it publishes a range; read only by the destroyer's drain, once every other worker has been joined.
    private long _generation;
    private int _start;

    public ClaimedTasks(IThreading threading)
    {
        _range = threading.CreateAtomic();
        _owned = threading.CreateAtomic();
        _owned.Write(1);
    }

    /// <summary>For a starting worker: takes over this slot if no worker owns it (its tasks come with it).</summary>
    public bool TryAdopt() => _owned.CompareExchange(1, 0) == 0;

    /// <summary>For the owner, when it leaves the pool: its tasks stay here for other workers or the drain.</summary>
    public void Abandon()
    {
        Array.Clear(_tasks, 0, Next(_range.Read())); // the taken ones; the others may still be stolen
        _owned.Write(0);
    }

    /// <summary>
    /// The owner, when every task it claimed has been taken (its last take failed, and only it adds tasks):
    /// drops its references to them, so that a waiting worker keeps no finished task's context alive.
    /// Thieves never write the buffer, and a thief that reads a cleared slot read it with an old range, so
    /// its compare-exchange fails and the value is discarded.
    /// </summary>
    public void ForgetAllTaken() => Array.Clear(_tasks);

    /// <summary>The tasks left; a snapshot.</summary>
    public int Count
    {
        get
        {
            var range = _range.Read();
            return End(range) - Next(range);
        }
    }

    /// <summary>The queue-order position of the oldest task left: (generation, index in that get list).</summary>
    public (long Generation, int Index) OldestPosition =>
        (_generation, _start + Next(_range.Read()));

    /// <summary>
    /// The owner, while <see cref="Count"/> is 0 and before its claim is final: copies <paramref name="count"/>
    /// tasks from the get list, starting at <paramref name="first"/>. Nothing is published yet.
    /// </summary>
    public void Fill(PoolTask[] items, int first, int count)
    {
        var mask = items.Length - 1;
        for (var i = 0; i < count; i++)
        {
            _tasks[i] = items[(first + i) & mask];
        }
    }

    /// <summary>The first task of the last <see cref="Fill"/>: the one the owner runs at once.</summary>
    public PoolTask First => _tasks[0];

    /// <summary>
    /// The owner, once its claim of the filled tasks succeeded: makes all but the first of them available
    /// (the owner runs the first). <paramref name="generation"/> and <paramref name="start"/> locate the
    /// first in queue order.
    /// </summary>
    public void Publish(long generation, int start, int count)
    {
        _generation = generation;
        _start = start;
        var epoch = (_range.Read() >> EpochShift) + 1;
        _range.Exchange((epoch << EpochShift) | ((long)count << IndexBits) | 1);
    }

    /// <summary>Takes the oldest task left. Any thread; the owner without a lock, anyone else under the get lock.</summary>
    public bool TryTake(out PoolTask task)
    {
        var range = _range.Read();
        while (true)
        {
            var next = Next(range);
            if (next >= End(range))
            {
                task = default;
                return false;
            }
            task = _tasks[next];
            var seen = _range.CompareExchange(range + 1, range);
            if (seen == range)
            {
                // The slot keeps its reference until the owner refills or forgets (a thief clearing it could
                // race with that refill).
                return true;
            }
            range = seen;
        }
    }

    private static int Next(long range) => (int)(range & IndexMask);

    private static int End(long range) => (int)((range >> IndexBits) & IndexMask);
}
