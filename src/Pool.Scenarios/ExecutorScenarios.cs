using Pool.Scenarios.Support;
using Pool.Systematic;
using Pool.Threading;

namespace Pool.Scenarios;

/// <summary>The executor under the explorer: every session runs or is cancelled, exactly once; serial queues stay serial.</summary>
public static partial class ExecutorScenarios
{
    private sealed class Sessions(IThreading threading)
    {
        private readonly ILock _lock = threading.CreateLock();
        private readonly Dictionary<string, int> _outcomes = [];
        private readonly List<string> _accepted = [];

        public readonly List<string> Started = [];

        public void Submit(ExecQueue queue, string id, Action? body = null)
        {
            try
            {
                queue.Submit(
                    () =>
                    {
                        Record(id, started: true);
                        body?.Invoke();
                    },
                    () => Record(id, started: false)
                );
            }
            catch (InvalidOperationException)
            {
                return; // refused after destroy
            }
            _lock.Enter();
            _accepted.Add(id);
            _lock.Exit();
        }

        private void Record(string id, bool started)
        {
            _lock.Enter();
            _outcomes[id] = _outcomes.GetValueOrDefault(id) + 1;
            if (started)
            {
                Started.Add(id);
            }
            _lock.Exit();
        }

        public void CheckExactlyOnce()
        {
            _lock.Enter();
            foreach (var id in _accepted)
            {
                Check.That(
                    _outcomes.GetValueOrDefault(id) == 1,
                    $"session {id} ran or was cancelled exactly once"
                );
            }
            _lock.Exit();
        }
    }

    /// <summary>
    /// Two threads submit to two queues while the main thread destroys the executor; two workers, so a serial
    /// session could start beside its predecessor.
    /// </summary>
    [SystematicTest(CiIterations = 2000)]
    public static void QueueCancelOnDestroy(IThreading threading)
    {
        var executor = new Executor(2, 0, threading);
        var serial = executor.CreateQueue("serial", serial: true);
        var shared = executor.CreateQueue("shared");
        var sessions = new Sessions(threading);
        var submitters = Enumerable
            .Range(0, 2)
            .Select(t =>
                threading.Start(
                    () =>
                    {
                        sessions.Submit(serial, $"s{t}a");
                        sessions.Submit(shared, $"q{t}");
                        sessions.Submit(serial, $"s{t}b");
                    },
                    $"submitter-{t}"
                )
            )
            .ToList();
        executor.Destroy();
        submitters.ForEach(s => s.Join());
        sessions.CheckExactlyOnce();
        foreach (var t in new[] { 0, 1 })
        {
            var a = sessions.Started.IndexOf($"s{t}a");
            var b = sessions.Started.IndexOf($"s{t}b");
            Check.That(
                b < 0 || (a >= 0 && a < b),
                $"serial sessions of submitter {t} start in submission order"
            );
        }
    }

    /// <summary>A session of a serial queue destroys the executor while other queues are busy.</summary>
    [SystematicTest(CiIterations = 2000)]
    public static void DestroyFromExecutorQueueTask(IThreading threading)
    {
        var executor = new Executor(2, 0, threading);
        var serial = executor.CreateQueue("serial", serial: true);
        var other = executor.CreateQueue("other");
        var sessions = new Sessions(threading);
        var destroyed = new Latch(threading, 1);
        sessions.Submit(
            serial,
            "destroyer",
            () =>
            {
                executor.Destroy();
                destroyed.CountDown();
            }
        );
        sessions.Submit(serial, "after-destroyer");
        sessions.Submit(other, "o1", () => sessions.Submit(other, "o1-child"));
        sessions.Submit(other, "o2");
        destroyed.Await();
        sessions.CheckExactlyOnce();
        Check.That(
            !sessions.Started.Contains("after-destroyer"),
            "a serial session never overlaps its predecessor"
        );
    }

    /// <summary>
    /// Two threads submit to one serial queue while its pool task runs and ends: every session must run before the
    /// executor is destroyed (a session stranded without a pool task is a deadlock here, since the main thread
    /// waits for all of them), one at a time, each submitter's in its order. Two workers, so sessions of the queue
    /// could overlap if it let them.
    /// </summary>
    [SystematicTest(CiIterations = 1000)]
    public static void SubmitWhileTheQueueDrains(IThreading threading)
    {
        var executor = new Executor(2, 0, threading);
        var serial = executor.CreateQueue("serial", serial: true);
        var sessions = new Sessions(threading);
        var done = new Latch(threading, 4);
        var running = threading.CreateAtomic();
        var overlapped = threading.CreateAtomic();
        var submitters = Enumerable
            .Range(0, 2)
            .Select(t =>
                threading.Start(
                    () =>
                    {
                        for (var i = 0; i < 2; i++)
                        {
                            sessions.Submit(
                                serial,
                                $"s{t}{i}",
                                () =>
                                {
                                    if (running.Add(1) != 1)
                                    {
                                        overlapped.Write(1);
                                    }
                                    running.Add(-1);
                                    done.CountDown();
                                }
                            );
                        }
                    },
                    $"submitter-{t}"
                )
            )
            .ToList();
        done.Await();
        submitters.ForEach(s => s.Join());
        executor.Destroy();
        sessions.CheckExactlyOnce();
        Check.That(overlapped.Read() == 0, "sessions of a serial queue never overlap");
        foreach (var t in new[] { 0, 1 })
        {
            Check.That(
                sessions.Started.IndexOf($"s{t}0") < sessions.Started.IndexOf($"s{t}1"),
                $"sessions of submitter {t} start in submission order"
            );
        }
    }
}
