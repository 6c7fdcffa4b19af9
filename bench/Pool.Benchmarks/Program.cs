using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Pool.Benchmarks;

// In-process toolchain: no generated project, so central package management and lock files stay out of the way.
// The comparison with Microsoft Coyote is tests/Coyote/Comparison.
var config = DefaultConfig.Instance.AddJob(
    Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
        .WithWarmupCount(3)
        .WithIterationCount(12)
);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
