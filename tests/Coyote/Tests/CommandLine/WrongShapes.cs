using Pool.Systematic;
using Pool.Threading;

namespace Coyote.Tests.CommandLine;

/// <summary>[SystematicTest] methods of shapes the command line must reject (discovered only by reflection here).</summary>
public static class WrongShapes
{
    [SystematicTest]
    public static int ReturnsAValue(IThreading threading) => 0;

    [SystematicTest]
    public static void TakesNothing() { }
}
