namespace Pool.Tests.Pooling;

/// <summary>Bounded waits for tests: a hang becomes a failure instead of a stuck run. Never used for timing.</summary>
internal static class Wait
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    public static void For(ManualResetEventSlim signal) =>
        Assert.True(signal.Wait(Limit), "timed out waiting for a signal");

    public static void For(CountdownEvent countdown) =>
        Assert.True(
            countdown.Wait(Limit),
            $"timed out with {countdown.CurrentCount} signals missing"
        );

    public static void Until(Func<bool> condition, string what) =>
        Assert.True(SpinWait.SpinUntil(condition, Limit), $"timed out waiting until {what}");
}
