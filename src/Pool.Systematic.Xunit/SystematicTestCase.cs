using System.ComponentModel;
using System.Diagnostics;
using System.Reflection;
using Pool.Threading;
using Xunit.Sdk;
using Xunit.v3;

namespace Pool.Systematic.Xunit;

/// <summary>
/// The xunit test case of a <see cref="SystematicFactAttribute"/> method: xunit's own pipeline (test class creation,
/// before and after attributes, output, attachments, timeout), with the method's invocation replaced by
/// <see cref="SystematicExploration.Run"/> over it.
/// </summary>
public sealed class SystematicTestCase : XunitTestCase, ISelfExecutingXunitTestCase
{
    /// <summary>For the de-serializer only.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [Obsolete(
        "Called by the de-serializer; should only be called by deriving classes for de-serialization purposes"
    )]
    public SystematicTestCase() { }

    /// <summary>A test case of <paramref name="testMethod"/>, as <see cref="SystematicFactDiscoverer"/> makes it.</summary>
    public SystematicTestCase(
        IXunitTestMethod testMethod,
        string testCaseDisplayName,
        string uniqueID,
        bool @explicit,
        Type[]? skipExceptions,
        string? skipReason,
        Type? skipType,
        string? skipUnless,
        string? skipWhen,
        Dictionary<string, HashSet<string>>? traits,
        string? sourceFilePath,
        int? sourceLineNumber,
        int? timeout
    )
        : base(
            testMethod,
            testCaseDisplayName,
            uniqueID,
            @explicit,
            skipExceptions,
            skipReason,
            skipType,
            skipUnless,
            skipWhen,
            traits,
            testMethodArguments: null,
            sourceFilePath,
            sourceLineNumber,
            timeout
        ) { }

    /// <inheritdoc/>
    public async ValueTask<RunSummary> Run(
        ExplicitOption explicitOption,
        IMessageBus messageBus,
        object?[] constructorArguments,
        ExceptionAggregator aggregator,
        CancellationTokenSource cancellationTokenSource
    )
    {
        var tests = await aggregator.RunAsync(CreateTests, []);
        return await Runner.Instance.Run(
            this,
            tests,
            messageBus,
            aggregator,
            cancellationTokenSource,
            TestCaseDisplayName,
            SkipReason,
            explicitOption,
            constructorArguments
        );
    }

    private sealed class Runner : XunitTestCaseRunner
    {
        internal static new Runner Instance { get; } = new();

        protected override ValueTask<RunSummary> RunTest(
            XunitTestCaseRunnerContext ctxt,
            IXunitTest test
        ) =>
            TestRunner.Instance.Run(
                test,
                ctxt.MessageBus,
                ctxt.ConstructorArguments,
                ctxt.ExplicitOption,
                ctxt.Aggregator.Clone(),
                ctxt.CancellationTokenSource,
                ctxt.BeforeAfterTestAttributes
            );
    }

    private sealed class TestRunner : XunitTestRunner
    {
        internal static new TestRunner Instance { get; } = new();

        protected override ValueTask<TimeSpan> InvokeTest(
            XunitTestRunnerContext ctxt,
            object? testClassInstance
        )
        {
            var method = ctxt.TestMethod;
            var clock = Stopwatch.StartNew();
            ctxt.Aggregator.Run(() =>
            {
                var settings = method.GetCustomAttribute<SystematicFactAttribute>()?.ToSettings();
                var problems = SystematicFactDiscoverer.ProblemsOf(method, settings);
                var name = SystematicFactDiscoverer.NameOf(method);
                if (problems.Count > 0)
                {
                    throw new SystematicTestFailure(
                        $"[SystematicFact] {name}: {string.Join(" ", problems)}"
                    );
                }
                var body = method.IsStatic
                    ? method.CreateDelegate<Action<IThreading>>()
                    : method.CreateDelegate<Action<IThreading>>(testClassInstance);
                SystematicExploration.Run(name, body, settings);
            });
            return new(clock.Elapsed);
        }
    }
}
