namespace Pool.Threading;

/// <summary>A real thread; <see cref="Join"/> refuses a self-join instead of hanging forever.</summary>
internal sealed class OsThreadHandle(Thread thread) : IThreadHandle
{
    public void Join()
    {
        if (thread == Thread.CurrentThread)
        {
            throw new InvalidOperationException($"Thread '{thread.Name}' cannot join itself.");
        }
        thread.Join();
    }
}
