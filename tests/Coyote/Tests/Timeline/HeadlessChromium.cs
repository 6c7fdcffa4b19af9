using System.Diagnostics;

namespace Coyote.Tests.Timeline;

/// <summary>
/// Debian's Chromium, run headless on a local file: its DOM after the page's scripts ran, or a screenshot. The
/// timeline tests need it: when it is missing they fail with the command that installs it.
/// </summary>
internal static class HeadlessChromium
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    /// <summary>The browser's path; fails the calling test, saying how to install it, when there is none.</summary>
    internal static string Path()
    {
        foreach (var candidate in new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        foreach (
            var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(
                System.IO.Path.PathSeparator,
                StringSplitOptions.RemoveEmptyEntries
            )
        )
        {
            var candidate = System.IO.Path.Combine(directory, "chromium");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        Assert.Fail(
            "Chromium is not installed, and the HTML timeline tests draw their pages in it. Install it: "
                + "apt-get update && apt-get install -y --no-install-recommends chromium (.ci/run does this)."
        );
        return "";
    }

    /// <summary>Loads <paramref name="page"/> at 1400×900 and returns the DOM as the page's scripts left it.</summary>
    internal static string DumpDom(string page) => Run(page, "--dump-dom");

    /// <summary>Loads <paramref name="page"/> and writes a PNG of its first screen to <paramref name="png"/>.</summary>
    internal static void Screenshot(string page, string png, string windowSize = "1400,900") =>
        Run(page, $"--screenshot={png}", windowSize);

    private static string Run(string page, string action, string windowSize = "1400,900")
    {
        var profile = Directory.CreateTempSubdirectory("timeline-chromium-").FullName;
        try
        {
            var start = new ProcessStartInfo(Path())
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (
                var argument in new[]
                {
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--hide-scrollbars",
                    "--no-first-run",
                    "--virtual-time-budget=5000",
                    $"--user-data-dir={profile}",
                    $"--window-size={windowSize}",
                    action,
                    new Uri(System.IO.Path.GetFullPath(page)).AbsoluteUri,
                }
            )
            {
                start.ArgumentList.Add(argument);
            }
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Limit))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"Chromium did not finish within {Limit.TotalSeconds} s on {page}.");
            }
            process.WaitForExit();
            Assert.True(
                process.ExitCode == 0,
                $"Chromium exited with {process.ExitCode} on {page}: {errors.Result}"
            );
            return output.Result;
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }
}
