using System.Collections.Concurrent;
using System.Threading.Channels;
using BenchmarkDotNet.Attributes;

namespace Pool.Benchmarks;

/// <summary>
/// One producer schedules a batch of empty tasks; two workers run them; the producer waits for the batch.
/// Reported per task (OperationsPerInvoke). The alternatives are what a .NET user would pick instead.
/// </summary>
[MemoryDiagnoser]
public class ScheduleThroughput
{
    private const int Batch = 100_000;
    private const int Workers = 2;

    private readonly CompletionCounter _counter = new();
    private ThreadPool _pool = null!;
    private ThreadPool _onePool = null!;
    private PoolTask _poolTask;
    private Action _action = null!;
    private WorkItem _workItem = null!;
    private Channel<Action> _channel = null!;
    private Thread[] _channelWorkers = [];
    private BlockingCollection<Action> _blocking = null!;
    private Thread[] _blockingWorkers = [];

    [GlobalSetup]
    public void Setup()
    {
        _pool = new ThreadPool(Workers);
        _onePool = new ThreadPool(1);
        _poolTask = new PoolTask(static c => ((CompletionCounter)c!).Signal(), _counter);
        _action = _counter.Signal;
        _workItem = new WorkItem(_counter);

        _channel = Channel.CreateUnbounded<Action>(
            new UnboundedChannelOptions { SingleReader = false, SingleWriter = true }
        );
        _channelWorkers = StartWorkers(() =>
        {
            var reader = _channel.Reader;
            while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                while (reader.TryRead(out var action))
                {
                    action();
                }
            }
        });

        _blocking = [];
        _blockingWorkers = StartWorkers(() =>
        {
            foreach (var action in _blocking.GetConsumingEnumerable())
            {
                action();
            }
        });
    }

    private static Thread[] StartWorkers(ThreadStart body)
    {
        var threads = Enumerable
            .Range(0, Workers)
            .Select(_ => new Thread(body) { IsBackground = true })
            .ToArray();
        Array.ForEach(threads, t => t.Start());
        return threads;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pool.Destroy();
        _onePool.Destroy();
        _channel.Writer.Complete();
        _blocking.CompleteAdding();
        Array.ForEach(_channelWorkers, t => t.Join());
        Array.ForEach(_blockingWorkers, t => t.Join());
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    public void DotNetThreadPool_UnsafeQueueUserWorkItem()
    {
        _counter.Reset(Batch);
        for (var i = 0; i < Batch; i++)
        {
            System.Threading.ThreadPool.UnsafeQueueUserWorkItem(_workItem, preferLocal: false);
        }
        _counter.WaitAll();
    }

    /// <summary>
    /// Not part of the comparison (the goal is about two workers): the same pool with one worker, which shows
    /// what two workers decrementing the batch's one completion counter at once cost (docs/benchmarks.md).
    /// </summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public void Pool_ThreadPool_Schedule_OneWorker() => ScheduleBatch(_onePool);

    [Benchmark(OperationsPerInvoke = Batch)]
    public void Pool_ThreadPool_Schedule() => ScheduleBatch(_pool);

    private void ScheduleBatch(ThreadPool pool)
    {
        _counter.Reset(Batch);
        for (var i = 0; i < Batch; i++)
        {
            pool.Schedule(_poolTask);
        }
        _counter.WaitAll();
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public void Channel_WorkerPool()
    {
        _counter.Reset(Batch);
        var writer = _channel.Writer;
        for (var i = 0; i < Batch; i++)
        {
            writer.TryWrite(_action);
        }
        _counter.WaitAll();
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public void BlockingCollection_WorkerPool()
    {
        _counter.Reset(Batch);
        for (var i = 0; i < Batch; i++)
        {
            _blocking.Add(_action);
        }
        _counter.WaitAll();
    }

    private sealed class WorkItem(CompletionCounter counter) : IThreadPoolWorkItem
    {
        public void Execute() => counter.Signal();
    }
}
