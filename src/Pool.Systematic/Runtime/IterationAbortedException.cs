namespace Pool.Systematic.Runtime;

/// <summary>
/// Thrown at a scheduling point of a controlled thread when its iteration has already ended (a bug was
/// found elsewhere, or the step bound was reached), to unwind the thread so its carrier can be reused.
/// Code under test should let it pass; if it swallows it, the next scheduling point throws it again.
/// </summary>
internal sealed class IterationAbortedException()
    : Exception("The exploration iteration ended; this controlled thread is being unwound.");
