using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EchoService;

/// <summary>Builds and runs the echo service on the generic host.</summary>
internal static class EchoHost
{
    /// <summary>Exit code of a run that could not start (invalid configuration, a port that cannot be bound, ...).</summary>
    public const int StartupFailed = 1;

    // Short command-line switches for the keys of the Echo section (the long form --Echo:Port works too).
    private static readonly Dictionary<string, string> s_switches = new()
    {
        ["--address"] = "Echo:Address",
        ["--port"] = "Echo:Port",
        ["--threads"] = "Echo:Threads",
        ["--loops"] = "Echo:Loops",
        ["--work"] = "Echo:Work",
        ["--handler-delay"] = "Echo:HandlerDelay",
        ["--max-connections"] = "Echo:MaxConnections",
        ["--framing"] = "Echo:Framing",
        ["--drain-timeout"] = "Echo:DrainTimeout",
    };

    /// <summary>The host: configuration from appsettings.json beside the program, environment variables and
    /// <paramref name="args"/>; options validated at start; the hosted server; metrics and console logs.</summary>
    public static IHost Build(string[] args) => CreateBuilder(args).Build();

    /// <summary>The host's builder, for a caller that adds to it (a test adds a log collector).</summary>
    public static HostApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(
            new HostApplicationBuilderSettings
            {
                Args = args,
                ContentRootPath = AppContext.BaseDirectory,
                ApplicationName = "EchoService",
            }
        );
        builder.Configuration.AddCommandLine(args, s_switches);
        builder
            .Services.AddOptions<EchoOptions>()
            .BindConfiguration(EchoOptions.Section)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<EchoOptions>, EchoOptionsValidator>();
        builder.Services.AddSingleton<HostedEchoServer>();
        builder.Services.AddHostedService(services =>
            services.GetRequiredService<HostedEchoServer>()
        );
        // The host waits for StopAsync this long: the drain's own timeout, and some time to close what is left.
        builder
            .Services.AddOptions<HostOptions>()
            .Configure<IOptions<EchoOptions>>(
                (host, echo) =>
                    host.ShutdownTimeout = TryDrainTimeout(echo) is { } drain
                        ? drain + TimeSpan.FromSeconds(5)
                        : host.ShutdownTimeout
            );
        return builder;
    }

    /// <summary>Runs until SIGTERM or SIGINT; returns the process's exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        IHost host;
        try
        {
            host = Build(args);
        }
        catch (Exception failure)
        {
            return Fail(failure);
        }
        using (host)
        {
            try
            {
                await host.StartAsync();
            }
            catch (Exception failure)
            {
                return Fail(failure);
            }
            await host.WaitForShutdownAsync();
        }
        return Environment.ExitCode;
    }

    private static int Fail(Exception failure)
    {
        var reason = failure switch
        {
            OptionsValidationException invalid => "invalid configuration: "
                + string.Join(" ", invalid.Failures),
            _ => failure.Message,
        };
        Console.Error.WriteLine($"EchoService could not start: {reason}");
        return StartupFailed;
    }

    // The drain timeout if the options are valid; an invalid section is reported by ValidateOnStart, not here.
    private static TimeSpan? TryDrainTimeout(IOptions<EchoOptions> echo)
    {
        try
        {
            return echo.Value.DrainTimeout >= TimeSpan.Zero ? echo.Value.DrainTimeout : null;
        }
        catch (Exception)
        {
            return null;
        }
    }
}
