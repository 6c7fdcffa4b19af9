namespace Pool.Systematic.Xunit;

/// <summary>A systematic test failed: a bug (the message has its interleaving and replay line) or a test that cannot run as written.</summary>
/// <param name="message">What failed and how to reproduce it.</param>
public sealed class SystematicTestFailure(string message) : Exception(message), IAssertionException
{
    /// <summary>None: the message says where the bug is; the package's own frames would only hide it.</summary>
    public override string? StackTrace => null;
}

/// <summary>
/// xunit reports an exception whose type implements an interface of this name as an assertion failure (found by name,
/// whatever its namespace): the test result shows the message alone, not an exception's type and stack.
/// </summary>
internal interface IAssertionException;
