using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Coyote.Comparison;

// `engines [ITERATIONS]`: every scenario under both engines (a stopwatch table). Anything else: BenchmarkDotNet
// (EngineThroughput).
if (args is ["engines", .. var rest])
{
    ScenarioEngineComparison.Print(
        rest.Length > 0 ? int.Parse(rest[0], CultureInfo.InvariantCulture) : 300
    );
    return;
}

// In-process toolchain: no generated project, so central package management and lock files stay out of the way,
// and Coyote runs on this folder's rewritten assemblies.
var config = DefaultConfig.Instance.AddJob(
    Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
        .WithWarmupCount(3)
        .WithIterationCount(12)
);
BenchmarkSwitcher.FromAssembly(typeof(EngineThroughput).Assembly).Run(args, config);
