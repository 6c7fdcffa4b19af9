using Coyote.Scenarios.Support;
using Pool;
using Pool.Systematic;
using Pool.Threading;

namespace Coyote.Scenarios.Pool;

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

    /// <summary>Two threads submit to two queues while the main thread destroys the executor.</summary>
    [SystematicTest(CiIterations = 2000)]
    public static void QueueCancelOnDestroy(IThreading threading)
    {
        var executor = new Executor(1, 0, threading);
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
}
