using System.Diagnostics;

namespace Pool.Explorer;

/// <summary>
/// Where <c>test --coverage</c> explores: a call site is named by the stack frame that made the call, and optimised
/// code drops frames (a method the JIT inlined, or one that ends in a tail call, has no frame of its own: its seam
/// calls would be counted at its caller's line). So pool-explore explores with coverage in a child process of itself
/// whose methods are all compiled without optimisation (<c>DOTNET_JITMinOpts=1</c>), unless it already runs so, or
/// it is not the entry program (in-process, as in tests: then it explores here).
/// </summary>
internal static class CoverageRuntime
{
    private const string MinOpts = "DOTNET_JITMinOpts";

    /// <summary>True when <paramref name="settings"/> ask for coverage and this process optimises methods.</summary>
    internal static bool NeedsChild(TestSettings settings) =>
        settings.Coverage
        && Environment.GetEnvironmentVariable(MinOpts) != "1"
        && System.Reflection.Assembly.GetEntryAssembly() == typeof(CoverageRuntime).Assembly;

    /// <summary>Turns optimisation off in a child that explores with coverage.</summary>
    internal static void Prepare(ProcessStartInfo start, TestSettings settings)
    {
        if (settings.Coverage)
        {
            start.Environment[MinOpts] = "1";
        }
    }
}
