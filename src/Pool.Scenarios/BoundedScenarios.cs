using Pool.Scenarios.Support;
using Pool.Systematic;
using Pool.Threading;

namespace Pool.Scenarios;

/// <summary>
/// Small configurations of the product, sized so that the <c>dpor</c> search explores every schedule within a
/// preemption bound in seconds (the CI proof of tests/Coyote/Tests/Engine/BoundedProofTests.cs): each keeps the
/// race of one part of the product and little else.
/// </summary>
public static class BoundedScenarios
{
    /// <summary>
    /// Three tasks queued before two workers start: the first worker may claim the first two, and the first waits for
    /// the second, so the other worker must steal it (after waking, if it slept, or parking behind a waiter); once all
    /// three ran, the idle workers sleep or park until destroy closes the queue.
    /// </summary>
    [SystematicTest(CiIterations = 1000)]
    public static void AClaimedTaskIsStolenByTheOtherWorker(IThreading threading)
    {
        var pool = new ThreadPool(0, 0, threading);
        var ledger = new Ledger(threading);
        var secondRan = new Latch(threading, 1);
        var done = new Latch(threading, 3);
        ledger.TrySchedule(
            pool,
            _ =>
            {
                secondRan.Await();
                done.CountDown();
            }
        );
        ledger.TrySchedule(
            pool,
            _ =>
            {
                secondRan.CountDown();
                done.CountDown();
            }
        );
        ledger.TrySchedule(pool, _ => done.CountDown());
        pool.Increase();
        pool.Increase();
        done.Await();
        pool.Destroy(ledger.Pending);
        Check.That(ledger.PendingCount == 0, "every task ran before destroy");
        ledger.CheckExactlyOnce();
    }

    /// <summary>
    /// Three short tasks queued before two workers start: the first worker may claim two, and run the first while the
    /// other worker steals the second from its slot, racing the owner's own take of it, while the main thread destroys
    /// the pool: each task runs or is pending exactly once.
    /// </summary>
    [SystematicTest(CiIterations = 1000)]
    public static void OwnerAndThiefRaceForAClaimedTask(IThreading threading)
    {
        var pool = new ThreadPool(0, 0, threading);
        var ledger = new Ledger(threading);
        for (var i = 0; i < 3; i++)
        {
            ledger.TrySchedule(pool);
        }
        pool.Increase();
        pool.Increase();
        pool.Destroy(ledger.Pending); // the tasks no worker took are pending
        ledger.CheckExactlyOnce();
    }

    /// <summary>
    /// A task destroys its own pool while a task it scheduled is queued and the main thread schedules another: the
    /// destroying worker drains what no worker ran into pending, every task runs or is pending exactly once, and the
    /// destroyer's worker is no longer counted.
    /// </summary>
    [SystematicTest(CiIterations = 1000)]
    public static void DestroyFromATaskWithWorkQueued(IThreading threading)
    {
        var pool = new ThreadPool(1, 0, threading);
        var ledger = new Ledger(threading);
        var destroyed = new Latch(threading, 1);
        ledger.TrySchedule(
            pool,
            _ =>
            {
                ledger.TrySchedule(pool);
                pool.Destroy(ledger.Pending);
                Check.That(pool.InPool, "the destroying task still runs on its worker");
                Check.That(pool.ThreadCount == 0, "the destroying worker is no longer counted");
                destroyed.CountDown();
            }
        );
        ledger.TrySchedule(pool);
        destroyed.Await();
        ledger.CheckExactlyOnce();
    }

    /// <summary>
    /// A thread submits two sessions to a serial queue and one to a concurrent queue while the main thread destroys the
    /// executor (one worker): every accepted session runs or is cancelled exactly once, the serial ones in order.
    /// </summary>
    [SystematicTest(CiIterations = 1000)]
    public static void SubmitsRacingExecutorDestroy(IThreading threading)
    {
        var executor = new Executor(1, 0, threading);
        var serial = executor.CreateQueue("serial", serial: true);
        var shared = executor.CreateQueue("shared");
        var ran = threading.CreateAtomic();
        var cancelled = threading.CreateAtomic();
        var accepted = 0;
        var order = new List<int>();
        void Submit(ExecQueue queue, int id)
        {
            try
            {
                queue.Submit(
                    () =>
                    {
                        ran.Add(1);
                        if (queue == serial)
                        {
                            order.Add(id); // serial sessions never overlap, and only they add
                        }
                    },
                    () => cancelled.Add(1)
                );
                accepted++; // only the submitter counts
            }
            catch (InvalidOperationException)
            {
                // refused after destroy
            }
        }
        var submitter = threading.Start(
            () =>
            {
                Submit(serial, 1);
                Submit(shared, 0);
                Submit(serial, 2);
            },
            "submitter"
        );
        executor.Destroy();
        submitter.Join();
        Check.That(
            ran.Read() + cancelled.Read() == accepted,
            $"{accepted} sessions accepted, {ran.Read()} ran and {cancelled.Read()} were cancelled"
        );
        Check.That(
            order.SequenceEqual(order.Order()),
            $"serial sessions ran out of order: [{string.Join(", ", order)}]"
        );
    }

    /// <summary>
    /// A thread submits to a serial queue of a one-worker executor while the main thread's session on that queue runs
    /// and the queue's pool task ends: the late session must get a pool task of its own (or be taken by the ending
    /// one), since the main thread waits for both sessions before it destroys the executor.
    /// </summary>
    [SystematicTest(CiIterations = 1000)]
    public static void ASessionSubmittedAsTheQueueDrains(IThreading threading)
    {
        var executor = new Executor(1, 0, threading);
        var serial = executor.CreateQueue("serial", serial: true);
        var done = new Latch(threading, 2);
        var submitter = threading.Start(() => serial.Submit(done.CountDown), "submitter");
        serial.Submit(done.CountDown);
        submitter.Join();
        done.Await();
        executor.Destroy();
    }
}
