using Microsoft.Coyote.Runtime;
using Pool.Threading;

namespace Coyote.Binding;

/// <summary>A started thread; <see cref="Join"/> is Coyote's controlled join after rewriting.</summary>
internal sealed class CoyoteThreadHandle(Thread thread, ThreadRecord record, VirtualTime time)
    : IThreadHandle
{
    public void Join()
    {
        var me = time.Current;
        if (me == record)
        {
            throw new InvalidOperationException("A thread cannot join itself.");
        }
        SchedulingPoint.Interleave();
        me.Joining = record;
        if (!record.Finished)
        {
            time.BeforeBlocking();
        }
        thread.Join();
        me.Joining = null;
    }
}
