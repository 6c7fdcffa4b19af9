namespace Pool.Scenarios.Support;

/// <summary>Scenario assertions: a failed check throws, which the explorer reports as a bug with its trace.</summary>
public static class Check
{
    public static void That(bool condition, string invariant)
    {
        if (!condition)
        {
            throw new InvariantViolatedException(invariant);
        }
    }
}

/// <summary>An invariant of the design documents did not hold.</summary>
public sealed class InvariantViolatedException(string invariant)
    : Exception($"invariant violated: {invariant}");
