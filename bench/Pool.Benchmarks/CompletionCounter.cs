namespace Pool.Benchmarks;

/// <summary>Counts finished work items of one batch and releases the producer when the batch is done.</summary>
internal sealed class CompletionCounter
{
    private readonly ManualResetEventSlim _done = new();
    private int _remaining;

    public void Reset(int count)
    {
        _done.Reset();
        Volatile.Write(ref _remaining, count);
    }

    public void Signal()
    {
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            _done.Set();
        }
    }

    public void WaitAll() => _done.Wait();
}
