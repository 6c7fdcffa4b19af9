using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Pool.Tests.Docs;

/// <summary>
/// The Mermaid blocks of a Markdown page, drawn as a reader's browser draws them: in Debian's Chromium, headless,
/// by the npm package mermaid installed in tools/mermaid (loaded by file path: nothing comes from the network).
/// </summary>
internal static partial class MermaidPage
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    /// <summary>The repository's root: the directory above this test's build that holds Pool.sln.</summary>
    internal static string Root()
    {
        for (
            var directory = AppContext.BaseDirectory;
            directory is not null;
            directory = Path.GetDirectoryName(directory)
        )
        {
            if (File.Exists(Path.Combine(directory, "Pool.sln")))
            {
                return directory;
            }
        }
        Assert.Fail($"no Pool.sln above {AppContext.BaseDirectory}");
        return "";
    }

    /// <summary>The text of every ```mermaid block of a Markdown page, in page order.</summary>
    internal static IReadOnlyList<string> Blocks(string markdown) =>
        [
            .. FencedMermaid()
                .Matches(markdown.ReplaceLineEndings("\n"))
                .Select(m => m.Groups[1].Value),
        ];

    /// <summary>What the browser drew for one block: an SVG or the error Mermaid threw, and what the SVG holds.</summary>
    internal sealed record Drawn(
        bool Svg,
        string? Error,
        int Nodes,
        int Edges,
        int Actors,
        int Messages,
        string Text
    );

    /// <summary>mermaid's browser bundle in tools/mermaid; fails the test, saying how to install it, when absent.</summary>
    internal static string Bundle(string root)
    {
        var bundle = Path.Combine(
            root,
            "tools",
            "mermaid",
            "node_modules",
            "mermaid",
            "dist",
            "mermaid.min.js"
        );
        Assert.True(
            File.Exists(bundle),
            $"{bundle} is missing: the docs test draws docs/spec.md's diagrams with it. Install it: "
                + "(cd tools/mermaid && npm ci) (scripts/test.sh does this)."
        );
        return bundle;
    }

    /// <summary>Chromium's path; fails the test, saying how to install it, when there is none.</summary>
    internal static string Chromium()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(
            Path.PathSeparator,
            StringSplitOptions.RemoveEmptyEntries
        );
        foreach (
            var candidate in new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.Concat(
                path.Select(directory => Path.Combine(directory, "chromium"))
            )
        )
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        Assert.Fail(
            "Chromium is not installed, and the docs test draws docs/spec.md's diagrams in it. Install it: "
                + "apt-get update && apt-get install -y --no-install-recommends chromium (scripts/test.sh does this)."
        );
        return "";
    }

    /// <summary>
    /// A page that renders each block with mermaid.render and writes, per block, what the SVG holds (or the error)
    /// as JSON into the element #result; the SVGs stay in the page.
    /// </summary>
    internal static string Html(string bundle, IReadOnlyList<string> blocks)
    {
        var page = new StringBuilder();
        page.Append("<!doctype html>\n<html><head><meta charset=\"utf-8\">\n");
        page.Append($"<script src=\"{new Uri(bundle).AbsoluteUri}\"></script>\n</head><body>\n");
        for (var i = 0; i < blocks.Count; i++)
        {
            page.Append(
                $"<pre class=\"source\" id=\"s{i}\">{WebUtility.HtmlEncode(blocks[i])}</pre>\n"
            );
        }
        page.Append(
            """
            <pre id="result">not rendered</pre>
            <script>
            (async () => {
              const result = document.getElementById('result');
              if (typeof mermaid === 'undefined') { result.textContent = 'mermaid did not load'; return; }
              mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
              const drawn = [];
              for (const source of document.querySelectorAll('pre.source')) {
                const out = document.createElement('div');
                document.body.appendChild(out);
                try {
                  const { svg } = await mermaid.render('d' + source.id, source.textContent);
                  out.innerHTML = svg;
                  const s = out.querySelector('svg');
                  drawn.push({
                    svg: s !== null,
                    error: null,
                    nodes: s ? s.querySelectorAll('g.node').length : 0,
                    edges: s ? s.querySelectorAll('path.flowchart-link').length : 0,
                    actors: s ? s.querySelectorAll('text.actor').length : 0,
                    messages: s ? s.querySelectorAll('text.messageText').length : 0,
                    text: s ? s.textContent : ''
                  });
                } catch (e) {
                  drawn.push({ svg: false, error: String((e && e.message) || e), nodes: 0, edges: 0, actors: 0, messages: 0, text: '' });
                }
              }
              result.textContent = JSON.stringify(drawn);
            })();
            </script>
            </body></html>
            """
        );
        return page.ToString();
    }

    /// <summary>Draws the blocks in headless Chromium and returns what it drew for each, in order.</summary>
    internal static IReadOnlyList<Drawn> Draw(
        string root,
        IReadOnlyList<string> blocks,
        out string dom
    )
    {
        var chromium = Chromium();
        var bundle = Bundle(root);
        var directory = Directory.CreateTempSubdirectory("mermaid-page-").FullName;
        try
        {
            var page = Path.Combine(directory, "page.html");
            File.WriteAllText(page, Html(bundle, blocks));
            dom = Run(chromium, directory, "--dump-dom", page);
            var result = ResultElement().Match(dom);
            Assert.True(result.Success, $"the page has no #result element after rendering:\n{dom}");
            var json = WebUtility.HtmlDecode(result.Groups[1].Value);
            Assert.True(
                json.StartsWith('['),
                $"the page did not finish rendering: #result is \"{json}\""
            );
            return JsonSerializer.Deserialize<List<Drawn>>(
                    json,
                    new JsonSerializerOptions { PropertyNameCaseInsensitive = true }
                ) ?? [];
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string Run(
        string chromium,
        string directory,
        string action,
        string page,
        string windowSize = "1400,900"
    )
    {
        var start = new ProcessStartInfo(chromium)
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
                "--virtual-time-budget=20000",
                $"--user-data-dir={Path.Combine(directory, "profile")}",
                $"--window-size={windowSize}",
                action,
                new Uri(page).AbsoluteUri,
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

    [GeneratedRegex(@"^```mermaid\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedMermaid();

    [GeneratedRegex("<pre id=\"result\">(.*?)</pre>", RegexOptions.Singleline)]
    private static partial Regex ResultElement();
}
