using Pool.Scenarios.Support;
using Pool.Systematic;
using Pool.Threading;

namespace Pool.Scenarios;

/// <summary>
/// The thread pool under the explorer. Each scenario checks the invariants of pool.md that its
/// interleavings can break: exactly once (1), destroy returns with every pool thread gone (2),
/// in-pool (3), the count (4), destroy never deadlocks (5, reported by the explorer as a deadlock).
/// </summary>
public static partial class PoolScenarios
{
    /// <summary>Two producers schedule while the main thread destroys with pending.</summary>
    [SystematicTest(CiIterations = 2000)]
    public static void ScheduleFromManyThreadsRacingDestroy(IThreading threading)
    {
        var live = new LiveThreads(threading);
        var pool = new ThreadPool(2, 0, live);
        var ledger = new Ledger(threading);
        var producers = Enumerable
            .Range(0, 2)
            .Select(p =>
                threading.Start(
                    () =>
                    {
                        for (var i = 0; i < 2; i++)
                        {
                            ledger.TrySchedule(pool);
                        }
                    },
                    $"producer-{p}"
                )
            )
            .ToList();
        pool.Destroy(ledger.Pending);
        Check.That(live.Count == 0, "no pool thread runs after destroy returns");
        producers.ForEach(p => p.Join());
        ledger.CheckExactlyOnce();
    }

    /// <summary>Tasks spawn tasks while the main thread destroys; pending also schedules a task.</summary>
    [SystematicTest(CiIterations = 2000)]
    public static void DestroyFromOutsideWithPending(IThreading threading)
    {
        var live = new LiveThreads(threading);
        var pool = new ThreadPool(2, 0, live);
        var ledger = new Ledger(threading);
        for (var i = 0; i < 3; i++)
        {
            ledger.TrySchedule(pool, _ => ledger.TrySchedule(pool));
        }
        var scheduledFromPending = false;
        pool.Destroy(task =>
        {
            ledger.Pending(task);
            if (!scheduledFromPending)
            {
                scheduledFromPending = true;
                Check.That(ledger.TrySchedule(pool), "pending may schedule while destroy drains");
            }
        });
        Check.That(live.Count == 0, "no pool thread runs after destroy returns");
        Check.That(ledger.Running == 0, "no task runs after destroy returns");
        Check.That(pool.ThreadCount == 0, "the count is zero after destroy");
        ledger.CheckExactlyOnce();
    }

    /// <summary>One task destroys the pool while others schedule, increase, decrease and exit.</summary>
    [SystematicTest(CiIterations = 2000)]
    public static void DestroyFromTaskWhileOthersWork(IThreading threading)
    {
        var pool = new ThreadPool(3, 0, threading);
        var ledger = new Ledger(threading);
        var destroyed = new Latch(threading, 1);
        ledger.TrySchedule(pool, _ => ledger.TrySchedule(pool));
        ledger.TrySchedule(pool, _ => Tolerate(pool.Increase));
        ledger.TrySchedule(pool, _ => Tolerate(pool.Decrease));
        ledger.TrySchedule(pool, _ => pool.Exit());
        ledger.TrySchedule(
            pool,
            _ =>
            {
                pool.Destroy(ledger.Pending);
                Check.That(
                    pool.ThreadCount == 0,
                    "the destroying worker is the only one left and uncounted"
                );
                Check.That(pool.InPool, "the destroying task still runs on its worker");
                Check.That(!ledger.TrySchedule(pool), "schedule after destroy is refused");
                destroyed.CountDown();
            }
        );
        destroyed.Await();
        ledger.CheckExactlyOnce();
    }

    /// <summary>A decrease races destroy: it must neither deadlock nor leave a worker behind.</summary>
    [SystematicTest(CiIterations = 2000)]
    public static void DecreaseRacingDestroy(IThreading threading)
    {
        var live = new LiveThreads(threading);
        var pool = new ThreadPool(2, 0, live);
        var decreaser = threading.Start(() => Tolerate(pool.Decrease), "decreaser");
        pool.Destroy();
        Check.That(live.Count == 0, "no pool thread runs after destroy returns");
        Check.That(pool.ThreadCount == 0, "the count is zero after destroy");
        decreaser.Join();
    }

    /// <summary>In-pool inside pending: true when destroyed from a task, false when from outside.</summary>
    [SystematicTest(CiIterations = 2000)]
    public static void InPoolFromPending(IThreading threading)
    {
        var inside = new ThreadPool(1, 0, threading);
        var insideLedger = new Ledger(threading);
        var done = new Latch(threading, 1);
        insideLedger.TrySchedule(
            inside,
            _ =>
            {
                insideLedger.TrySchedule(inside);
                inside.Destroy(task =>
                {
                    Check.That(
                        inside.InPool,
                        "in-pool is true in pending of a destroy from a task"
                    );
                    insideLedger.Pending(task);
                });
                done.CountDown();
            }
        );
        done.Await();
        insideLedger.CheckExactlyOnce();
        threading.Sleep(TimeSpan.FromSeconds(1)); // the destroying task's worker has ended (it no longer counts)
        Check.That(
            inside.ThreadCount == 0,
            $"the count stays 0 after the destroying task's worker ends, not {inside.ThreadCount}"
        );

        var outside = new ThreadPool(1, 0, threading);
        var outsideLedger = new Ledger(threading);
        outsideLedger.TrySchedule(outside);
        outside.Destroy(task =>
        {
            Check.That(!outside.InPool, "in-pool is false in pending of a destroy from outside");
            outsideLedger.Pending(task);
        });
        outsideLedger.CheckExactlyOnce();
    }

    /// <summary>
    /// The count stays exact while workers are added, asked to leave, and leave by themselves. Twice: two workers
    /// leave (one by <see cref="ThreadPool.Exit"/>, one by <see cref="ThreadPool.Decrease"/>) and, once both have
    /// run their departure to the end, the count is zero before destroy; then two new workers leave the same way
    /// while destroy races their departures, and the count is zero after destroy.
    /// </summary>
    [SystematicTest(CiIterations = 2000)]
    public static void CountStaysExact(IThreading threading)
    {
        var live = new LiveThreads(threading);
        var pool = new ThreadPool(1, 0, live);
        pool.Increase();
        TwoWorkersLeave(pool, threading);
        // Settled: every increase, exit and decrease has taken effect (the last leaver is joined only by destroy).
        live.AwaitAtMost(0);
        Check.That(
            pool.ThreadCount == 0,
            "the count is zero once every worker has left, before destroy"
        );
        pool.Increase();
        pool.Increase();
        TwoWorkersLeave(pool, threading);
        pool.Destroy();
        Check.That(pool.ThreadCount == 0, "the count is zero after destroy");
        Check.That(live.Count == 0, "every worker that left was joined");
    }

    // A task of the pool exits its worker, and a decrease asks another to leave; returns once the task has run.
    private static void TwoWorkersLeave(ThreadPool pool, IThreading threading)
    {
        var exited = new Latch(threading, 1);
        pool.Schedule(() =>
        {
            pool.Exit();
            exited.CountDown();
        });
        pool.Decrease();
        exited.Await();
    }

    /// <summary>
    /// A task waits for the task scheduled right after it, which its worker may have claimed with it: the
    /// other worker must steal that task (after waking, if it slept), or the run deadlocks.
    /// </summary>
    [SystematicTest(CiIterations = 2000)]
    public static void TaskWaitsForATaskClaimedWithIt(IThreading threading)
    {
        var pool = new ThreadPool(0, 0, threading);
        var ledger = new Ledger(threading);
        var secondRan = new Latch(threading, 1);
        var done = new Latch(threading, 4);
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
        ledger.TrySchedule(pool, _ => done.CountDown());
        pool.Increase(); // the first worker finds all four tasks in one list and claims two
        pool.Increase();
        done.Await();
        pool.Destroy(ledger.Pending);
        Check.That(ledger.PendingCount == 0, "every task ran before destroy");
        ledger.CheckExactlyOnce();
    }

    /// <summary>
    /// The first task exits its worker, possibly with tasks claimed; a worker added meanwhile adopts or
    /// steals them, and destroy races both. Pending must be exactly the tasks that never ran, in queue order.
    /// </summary>
    [SystematicTest(CiIterations = 2000)]
    public static void ExitWithClaimedTasksRacingDestroy(IThreading threading)
    {
        var live = new LiveThreads(threading);
        var pool = new ThreadPool(1, 0, live);
        var ledger = new Ledger(threading);
        var pendingOrder = new List<int>();
        ledger.TrySchedule(pool, _ => pool.Exit());
        for (var i = 0; i < 4; i++)
        {
            ledger.TrySchedule(pool);
        }
        var adder = threading.Start(() => Tolerate(pool.Increase), "adder");
        pool.Destroy(task =>
        {
            pendingOrder.Add((int)task.Context!); // only this thread calls pending
            ledger.Pending(task);
        });
        adder.Join();
        Check.That(live.Count == 0, "no pool thread runs after destroy returns");
        Check.That(
            pendingOrder.SequenceEqual(pendingOrder.Order()),
            $"pending in queue order, got [{string.Join(", ", pendingOrder)}]"
        );
        ledger.CheckExactlyOnce();
    }

    /// <summary>
    /// Workers with nothing to do must sleep, not poll: the main thread sleeps on the virtual clock, which
    /// moves only when every thread is blocked, so a worker that keeps polling turns the run into a livelock
    /// (a bug when exploring with <c>FailOnMaxSteps</c>, as CI does).
    /// </summary>
    [SystematicTest(CiIterations = 500)]
    public static void IdleWorkersSleep(IThreading threading)
    {
        var pool = new ThreadPool(2, 0, threading);
        var ledger = new Ledger(threading);
        var done = new Latch(threading, 4);
        for (var i = 0; i < 4; i++)
        {
            ledger.TrySchedule(pool, _ => done.CountDown());
        }
        done.Await();
        threading.Sleep(TimeSpan.FromSeconds(1)); // the clock reaches this only if both workers block
        Check.That(ledger.TrySchedule(pool), "the pool still accepts work after idling");
        pool.Destroy(ledger.Pending);
        ledger.CheckExactlyOnce();
    }

    /// <summary>
    /// <see cref="IdleWorkersSleep"/> on a threading that reports a spin count of 2: an idle worker spins twice, gives
    /// the processor away (a zero sleep) between its spins, and must still go to sleep rather than poll, and every
    /// task still runs exactly once.
    /// </summary>
    [SystematicTest(CiIterations = 300)]
    public static void IdleWorkersSleepAfterSpinningTwice(IThreading threading) =>
        IdleWorkersSleep(new SpinningThreading(threading, spins: 2));

    /// <summary>
    /// A worker goes to sleep while the test schedules one task and waits for it: the sleep/wake handshake must
    /// not lose the wake-up. Written for the "tso" memory model (`--memory-model tso`), where the sleeper's flag
    /// may wait in its store buffer while the producer looks for a sleeper: only a full fence between the flag and
    /// the sleeper's check for work keeps them from missing each other. Under "sc" it passes trivially.
    /// </summary>
    [SystematicTest(CiIterations = 2000)]
    public static void ScheduleWakesASleepingWorker(IThreading threading)
    {
        var pool = new ThreadPool(1, 0, threading);
        var ledger = new Ledger(threading);
        for (var round = 0; round < 3; round++) // each round is one more chance to meet the worker falling asleep
        {
            var ran = new Latch(threading, 1);
            ledger.TrySchedule(pool, _ => ran.CountDown());
            ran.Await(); // a lost wake-up leaves the task queued and the worker asleep: a deadlock
        }
        pool.Destroy(ledger.Pending);
        ledger.CheckExactlyOnce();
    }

    /// <summary>
    /// Workers never sleep while work is queued. Four rounds: three tasks are scheduled, then the main thread sleeps
    /// on the virtual clock, which moves only when every other thread is blocked, so by then every task of the round
    /// must have run. The round's wake-ups race with the workers' sleep/wake handshake: a worker that publishes the
    /// tasks it claimed may wake the sleeping worker and then take those tasks back itself, so the sleeper wakes for
    /// nothing (a stale signal) and sleeps again; it must still be seen asleep by the next round's producer. Rounds
    /// repeat the window (a single round hides the lost wake-up for thousands of iterations).
    /// </summary>
    [SystematicTest(CiIterations = 1000)]
    public static void WorkersNeverSleepOnQueuedWork(IThreading threading)
    {
        const int Rounds = 4;
        const int TasksPerRound = 3;
        var pool = new ThreadPool(0, 0, threading);
        var ran = threading.CreateAtomic();
        for (var round = 1; round <= Rounds; round++)
        {
            for (var i = 0; i < TasksPerRound; i++)
            {
                pool.Schedule(() => ran.Add(1));
            }
            if (round == 1)
            {
                pool.Increase(); // both workers start on a full list
                pool.Increase();
            }
            threading.Sleep(TimeSpan.FromSeconds(1)); // returns only once both workers are blocked
            Check.That(
                ran.Read() == round * TasksPerRound,
                $"round {round}: {ran.Read()} of {round * TasksPerRound} tasks ran, and every worker is blocked"
            );
        }
        pool.Destroy();
    }

    /// <summary>
    /// A decrease reaches an idle pool: both workers are blocked (one asleep, the other parked in standby or waiting for the get lock) when the
    /// exit entry is added, and one of them must leave without any task arriving; the other still serves work.
    /// Each check follows a sleep on the virtual clock, which moves only when every other thread is blocked.
    /// </summary>
    [SystematicTest(CiIterations = 500)]
    public static void DecreaseReachesAnIdleWorker(IThreading threading)
    {
        var live = new LiveThreads(threading);
        var pool = new ThreadPool(2, 0, live);
        threading.Sleep(TimeSpan.FromSeconds(1)); // both workers idle
        pool.Decrease();
        threading.Sleep(TimeSpan.FromSeconds(1));
        Check.That(
            pool.ThreadCount == 1,
            $"an idle worker left: {pool.ThreadCount} workers, not 1"
        );
        var ran = threading.CreateAtomic();
        pool.Schedule(() => ran.Add(1));
        threading.Sleep(TimeSpan.FromSeconds(1));
        Check.That(ran.Read() == 1, "the worker left behind still runs tasks");
        pool.Destroy();
        Check.That(live.Count == 0, "no pool thread runs after destroy returns");
    }

    /// <summary>
    /// Three idle workers (one waiting for work, the others parked in standby, or queued on the get lock) get three
    /// tasks, from two threads, that each wait until all three have started: every parked worker must be woken,
    /// whichever way the tasks are claimed (a worker may claim two at once, and the second must then be stolen) and
    /// however their arrival races the waiter's leaving. A task left queued while a worker stays parked is a deadlock.
    /// </summary>
    [SystematicTest(CiIterations = 1000)]
    public static void EveryParkedWorkerIsReached(IThreading threading)
    {
        const int Tasks = 3;
        var pool = new ThreadPool(Tasks, 0, threading);
        var ledger = new Ledger(threading);
        var started = new Latch(threading, Tasks);
        void WaitForAll(int _)
        {
            started.CountDown();
            started.Await();
        }
        threading.Sleep(TimeSpan.FromSeconds(1)); // every worker idle
        var producer = threading.Start(() => ledger.TrySchedule(pool, WaitForAll), "producer");
        for (var i = 1; i < Tasks; i++)
        {
            ledger.TrySchedule(pool, WaitForAll);
        }
        producer.Join();
        started.Await();
        pool.Destroy(ledger.Pending);
        Check.That(ledger.PendingCount == 0, "every task ran before destroy");
        ledger.CheckExactlyOnce();
    }

    /// <summary>
    /// Three workers start on three queued tasks: one may claim the first two (the first waits for the second) while
    /// another runs the third, which schedules a fourth that also waits for the second, and comes back to wait. Claims
    /// published as that waiter leaves for the fourth task were left to it: it must hand them to the parked third
    /// worker, or the second task stays claimed while its owner and the waiter wait for it: a deadlock. (The defect
    /// needs two long preemptions: a deep run finds it, the CI budget does not; docs/verification.md.)
    /// </summary>
    [SystematicTest(CiIterations = 1000)]
    public static void ClaimsPublishedAsTheWaiterLeaves(IThreading threading)
    {
        var pool = new ThreadPool(0, 0, threading);
        var ledger = new Ledger(threading);
        var secondRan = new Latch(threading, 1);
        ledger.TrySchedule(pool, _ => secondRan.Await());
        ledger.TrySchedule(pool, _ => secondRan.CountDown());
        ledger.TrySchedule(pool, _ => ledger.TrySchedule(pool, _ => secondRan.Await()));
        for (var i = 0; i < 3; i++)
        {
            pool.Increase();
        }
        secondRan.Await();
        pool.Destroy(ledger.Pending);
        ledger.CheckExactlyOnce();
    }

    /// <summary>
    /// Two workers race to wait for work while a task arrives, and that task waits for a second one, scheduled once it
    /// has started: the second must reach the other worker, which may be parking behind the first just as the first
    /// leaves the waiting (it must see the waiter gone, or be seen parked by the producer). Three rounds, each a new
    /// chance to meet the race; a missed hand-over leaves the second task queued and both workers blocked: a deadlock.
    /// </summary>
    [SystematicTest(CiIterations = 1000)]
    public static void ASecondTaskReachesTheOtherWorker(IThreading threading)
    {
        var pool = new ThreadPool(2, 0, threading);
        var ledger = new Ledger(threading);
        for (var round = 0; round < 3; round++)
        {
            var firstStarted = new Latch(threading, 1);
            var secondRan = new Latch(threading, 1);
            ledger.TrySchedule(
                pool,
                _ =>
                {
                    firstStarted.CountDown();
                    secondRan.Await();
                }
            );
            firstStarted.Await();
            ledger.TrySchedule(pool, _ => secondRan.CountDown());
            secondRan.Await();
        }
        pool.Destroy(ledger.Pending);
        ledger.CheckExactlyOnce();
    }

    /// <summary>
    /// Workers are parked when the pool shrinks and is destroyed: a decrease must reach a parked worker (one of three
    /// leaves, with no task arriving), the two left still serve tasks that need both of them, and destroy ends them all.
    /// Each count check follows a sleep on the virtual clock, which moves only when every other thread is blocked.
    /// </summary>
    [SystematicTest(CiIterations = 500)]
    public static void DecreaseAndDestroyReachParkedWorkers(IThreading threading)
    {
        var live = new LiveThreads(threading);
        var pool = new ThreadPool(3, 0, live);
        var ledger = new Ledger(threading);
        threading.Sleep(TimeSpan.FromSeconds(1)); // every worker idle: one waits, the others park
        pool.Decrease();
        threading.Sleep(TimeSpan.FromSeconds(1));
        Check.That(
            pool.ThreadCount == 2,
            $"an idle worker left: {pool.ThreadCount} workers, not 2"
        );
        var started = new Latch(threading, 2);
        for (var i = 0; i < 2; i++)
        {
            ledger.TrySchedule(
                pool,
                _ =>
                {
                    started.CountDown();
                    started.Await();
                }
            );
        }
        started.Await();
        threading.Sleep(TimeSpan.FromSeconds(1)); // both idle again
        pool.Destroy(ledger.Pending);
        Check.That(live.Count == 0, "no pool thread runs after destroy returns");
        ledger.CheckExactlyOnce();
    }

    private static void Tolerate(Action adjust)
    {
        try
        {
            adjust();
        }
        catch (InvalidOperationException)
        {
            // Documented: increase and decrease are refused once destroy has started or finished.
        }
    }
}
