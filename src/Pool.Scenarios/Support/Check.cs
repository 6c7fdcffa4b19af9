namespace Pool.Scenarios.Support;

/// <summary>Scenario assertions: a failed check throws, which the explorer reports as a bug with its trace.</summary>
internal static class Check
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
internal sealed class InvariantViolatedException(string invariant)
    : Exception($"invariant violated: {invariant}");
