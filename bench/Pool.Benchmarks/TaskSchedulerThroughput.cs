using BenchmarkDotNet.Attributes;
using Pool.Tasks;

namespace Pool.Benchmarks;

/// <summary>
/// One producer starts a batch of tasks with <c>Task.Factory.StartNew</c> (each task's action only counts itself
/// done); two workers run them; the producer waits for the batch. Our <see cref="PoolTaskScheduler"/> over a pool
/// of two workers against <see cref="TaskScheduler.Default"/> (.NET's thread pool), in the same run. Reported per
/// task (OperationsPerInvoke), with the bytes allocated per task.
/// </summary>
[MemoryDiagnoser]
public class TaskSchedulerThroughput
{
    private const int Batch = 100_000;
    private const int Workers = 2;

    private readonly CompletionCounter _counter = new();
    private ThreadPool _pool = null!;
    private PoolTaskScheduler _scheduler = null!;
    private Action _action = null!;

    [GlobalSetup]
    public void Setup()
    {
        _pool = new ThreadPool(Workers);
        _scheduler = new PoolTaskScheduler(_pool);
        _action = _counter.Signal;
    }

    [GlobalCleanup]
    public void Cleanup() => _scheduler.DestroyPool();

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    public void StartNew_on_TaskScheduler_Default() => StartBatch(TaskScheduler.Default);

    [Benchmark(OperationsPerInvoke = Batch)]
    public void StartNew_on_PoolTaskScheduler() => StartBatch(_scheduler);

    private void StartBatch(TaskScheduler scheduler)
    {
        _counter.Reset(Batch);
        for (var i = 0; i < Batch; i++)
        {
            Task.Factory.StartNew(
                _action,
                CancellationToken.None,
                TaskCreationOptions.None,
                scheduler
            );
        }
        _counter.WaitAll();
    }
}
