namespace Pool.Systematic.Strategies;

/// <summary>The code under test made different choices available on the same schedule prefix.</summary>
internal sealed class NondeterminismException(string message) : Exception(message);
