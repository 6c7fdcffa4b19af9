namespace Pool.Scenarios.Network;

/// <summary>The Linux error numbers (errno(3)) the simulated network returns, as <c>INetwork</c>'s contract asks.</summary>
internal static class Errno
{
    internal const int Eagain = 11;
    internal const int Emfile = 24;
    internal const int Econnreset = 104;
}
