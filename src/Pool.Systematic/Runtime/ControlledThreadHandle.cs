using Pool.Threading;

namespace Pool.Systematic.Runtime;

/// <summary>Joins a controlled thread: a scheduling point, then a block until the thread has finished.</summary>
internal sealed class ControlledThreadHandle(ControlledThread thread) : IThreadHandle
{
    public void Join()
    {
        var iteration = thread.Iteration;
        if (iteration.Current == thread)
        {
            throw new InvalidOperationException($"Thread '{thread.Name}' cannot join itself.");
        }
        var me = iteration.Current;
        if (iteration.GuardsBlocking && !iteration.Stopped)
        {
            // Not offered to the strategy until the thread has finished (see Iteration.GuardsBlocking).
            me.Block = BlockReason.Join;
            me.JoinTarget = thread;
        }
        iteration.Point($"Join({thread.Name})", Access.Joining(thread.Id));
        iteration.Drain(me);
        while (thread.Block != BlockReason.Finished)
        {
            me.Block = BlockReason.Join;
            me.JoinTarget = thread;
            iteration.Reschedule(me);
        }
        me.Block = BlockReason.None;
        me.JoinTarget = null;
        iteration.Drain(thread); // what the joined thread wrote is visible to its joiner
    }
}
