using Pool.Threading;

namespace Pool;

/// <summary>
/// How consumers of <see cref="TaskQueue"/> take tasks from the get list without a lock: the get list is frozen
/// between swaps, and each consumer claims the next indexes with a compare-exchange on one atomic word, which also
/// holds the swap generation, so a claim racing with a swap fails and is retried. The swapper (under the get lock and
/// the put gate) first freezes the word with a full fence, so no consumer can pair the old value with the new list,
/// then replaces the list, then opens the new generation for claims.
/// </summary>
/// <remarks>
/// The list's array and count are copies, so that claimers read nothing that producers write (the two lists are
/// allocated side by side and may share a cache line). A claimer reads them after an atomic read of the word and keeps
/// what it read only if its compare-exchange on that word succeeds, so a claim never uses values of another
/// generation.
/// </remarks>
internal sealed class ClaimWord(IThreading threading, TaskRing list)
{
    // The claim count while the get list is being replaced: larger than any list, so no claim succeeds.
    private const long Frozen = int.MaxValue;

    private readonly IAtomicInt64 _word = threading.CreateAtomic(); // (generation << 32) | tasks claimed; Frozen while replaced
    private PoolTask[] _items = list.Items; // the get list's array; written only while the word is frozen, published by Open
    private int _count; // the get list's tasks; written only while the word is frozen, published by Open
    private long _generation; // swaps so far; written only by the swapper, under the get lock

    /// <summary>The get list's array, as of the last <see cref="Open"/>; valid with a claim value read before it.</summary>
    public PoolTask[] Items => _items;

    /// <summary>The get list's task count, as of the last <see cref="Open"/>; valid with a claim value read before it.</summary>
    public int Count => _count;

    /// <summary>The claim word: its low half is the tasks claimed, its high half the generation.</summary>
    public long Read() => _word.Read();

    /// <summary>Claims <paramref name="count"/> more tasks if the word still holds <paramref name="claims"/>; returns what it held.</summary>
    public long Claim(long claims, int count) => _word.CompareExchange(claims + count, claims);

    /// <summary>For the get lock's holder: no swap can happen, so the answer only goes from true to false.</summary>
    public bool HasUnclaimed() => (int)_word.Read() < _count;

    /// <summary>For the swapper, before it replaces the list: no claim succeeds until <see cref="Open"/> (a full fence).</summary>
    public void Freeze()
    {
        _generation++;
        _word.Exchange((_generation << 32) | Frozen);
    }

    /// <summary>For the swapper, once <paramref name="list"/> is the get list: opens its generation for claims.</summary>
    public void Open(TaskRing list)
    {
        _items = list.Items;
        _count = list.Count;
        _word.Write(_generation << 32);
    }
}
