using Pool.Scenarios.Support;
using Pool.Systematic;
using Pool.Threading;

namespace Pool.Scenarios;

/// <summary>
/// The executor's failure path: a session that throws is reported exactly once (to
/// <see cref="Executor.SessionFailed"/>, or by <see cref="Executor.Destroy"/> when no handler is attached), and its
/// queue goes on with its next session, while destroy races them.
/// </summary>
public static partial class ExecutorScenarios
{
    /// <summary>
    /// The first session of a serial queue throws and the main thread destroys the executor while it may run; no
    /// handler is attached. Destroy throws the failure once if the session ran (and nothing if it was cancelled), and
    /// every session still runs or is cancelled exactly once.
    /// </summary>
    [SystematicTest(CiIterations = 500)]
    public static void FailingSessionRacingDestroyWithoutHandler(IThreading threading)
    {
        var executor = new Executor(2, 0, threading);
        var serial = executor.CreateQueue("serial", serial: true);
        var sessions = new Sessions(threading);
        sessions.Submit(serial, "thrower", () => throw new SessionFailure());
        sessions.Submit(serial, "after-thrower");
        List<Exception> reported;
        try
        {
            executor.Destroy();
            reported = [];
        }
        catch (AggregateException failures)
        {
            reported = [.. failures.InnerExceptions];
        }
        sessions.CheckExactlyOnce();
        var ran = sessions.Started.Contains("thrower") ? 1 : 0;
        Check.That(
            reported.Count == ran && reported.All(e => e is SessionFailure),
            $"destroy reported [{string.Join(", ", reported.Select(e => e.Message))}] for {ran} failed sessions"
        );
    }

    /// <summary>
    /// A session of a serial queue throws while a handler is attached (another, removed before, is never called):
    /// the handler gets the failure once with its queue, the queue goes on with its next session, and destroy, after
    /// both ran, reports nothing.
    /// </summary>
    [SystematicTest(CiIterations = 500)]
    public static void FailingSessionReachesItsHandler(IThreading threading)
    {
        var executor = new Executor(2, 0, threading);
        var serial = executor.CreateQueue("serial", serial: true);
        var sessions = new Sessions(threading);
        var handled = threading.CreateAtomic();
        var done = new Latch(threading, 2);
        void Removed(ExecQueue queue, Exception failure) =>
            Check.That(false, "a removed SessionFailed handler was called");
        executor.SessionFailed += Removed;
        executor.SessionFailed += (queue, failure) =>
        {
            Check.That(
                queue == serial && failure is SessionFailure,
                $"the handler got {failure.GetType().Name} of queue {queue.Name}"
            );
            handled.Add(1);
            done.CountDown();
        };
        executor.SessionFailed -= Removed;
        sessions.Submit(serial, "thrower", () => throw new SessionFailure());
        sessions.Submit(serial, "after-thrower", done.CountDown);
        done.Await();
        executor.Destroy();
        sessions.CheckExactlyOnce();
        Check.That(handled.Read() == 1, $"the handler took {handled.Read()} failures, not 1");
        Check.That(
            sessions.Started.SequenceEqual(["thrower", "after-thrower"]),
            "the serial queue went on with its next session after the failure"
        );
    }

    private sealed class SessionFailure() : Exception("the session failed");
}
