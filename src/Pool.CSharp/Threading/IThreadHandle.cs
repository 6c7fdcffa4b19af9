namespace Pool.Threading;

/// <summary>A thread started by <see cref="IThreading.Start(Action, string?)"/>.</summary>
public interface IThreadHandle
{
    /// <summary>Blocks until the thread has finished.</summary>
    /// <exception cref="InvalidOperationException">A thread tries to join itself.</exception>
    void Join();
}
