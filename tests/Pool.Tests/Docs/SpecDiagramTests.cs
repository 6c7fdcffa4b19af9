using System.Text.RegularExpressions;

namespace Pool.Tests.Docs;

/// <summary>
/// docs/spec.md's diagrams as a reader sees them: every Mermaid block drawn in headless Chromium by the mermaid
/// package (tools/mermaid) must give an SVG with the nodes, arrows, actors and messages its source declares.
/// </summary>
public sealed partial class SpecDiagramTests
{
    [Fact]
    public void EveryMermaidBlockOfTheSpecDrawsAnSvgWithTheNodesItDeclares()
    {
        var root = MermaidPage.Root();
        var blocks = MermaidPage.Blocks(File.ReadAllText(Path.Combine(root, "docs", "spec.md")));
        // A picture and a counterexample per model at least (docs/spec.md's generated blocks).
        Assert.True(
            blocks.Count >= 10,
            $"docs/spec.md has {blocks.Count} Mermaid blocks, fewer than its pictures"
        );

        var drawn = MermaidPage.Draw(root, blocks, out var dom);

        Assert.Equal(blocks.Count, drawn.Count);
        for (var i = 0; i < blocks.Count; i++)
        {
            var source = blocks[i];
            var block = $"block {i + 1} of docs/spec.md (\"{source.Split('\n')[0]} ...\")";
            Assert.True(drawn[i].Error is null, $"{block} does not draw: {drawn[i].Error}");
            Assert.True(drawn[i].Svg, $"{block} drew no SVG");
            Assert.False(
                drawn[i].Text.Contains("Syntax error"),
                $"{block} draws Mermaid's syntax error picture"
            );
            // The generated pictures (nodes n0, n1, ...) and counterexamples (participants a0, a1, ...) are counted;
            // another diagram only has to draw something.
            if (
                source.StartsWith("flowchart", StringComparison.Ordinal)
                && FlowchartNode().IsMatch(source)
            )
            {
                Assert.True(
                    FlowchartNode().Count(source) == drawn[i].Nodes,
                    $"{block} declares {FlowchartNode().Count(source)} nodes; the SVG has {drawn[i].Nodes}"
                );
                Assert.True(
                    FlowchartEdge().Count(source) == drawn[i].Edges,
                    $"{block} declares {FlowchartEdge().Count(source)} arrows; the SVG has {drawn[i].Edges}"
                );
            }
            else if (
                source.StartsWith("sequenceDiagram", StringComparison.Ordinal)
                && Participant().IsMatch(source)
            )
            {
                // Each participant is drawn twice, above and below its lifeline.
                Assert.True(
                    2 * Participant().Count(source) == drawn[i].Actors,
                    $"{block} declares {Participant().Count(source)} participants; the SVG has {drawn[i].Actors} actor boxes"
                );
                Assert.True(
                    SequenceMessage().Count(source) == drawn[i].Messages,
                    $"{block} declares {SequenceMessage().Count(source)} messages; the SVG has {drawn[i].Messages}"
                );
            }
            else
            {
                Assert.False(
                    string.IsNullOrWhiteSpace(drawn[i].Text),
                    $"{block} drew an SVG with no text"
                );
            }
        }
        Assert.False(
            dom.Contains("Syntax error"),
            "the rendered page shows Mermaid's \"Syntax error\" text"
        );
    }

    [Fact]
    public void ABrokenMermaidBlockIsReportedAsAnErrorNotAnSvg()
    {
        var root = MermaidPage.Root();
        var drawn = MermaidPage.Draw(
            root,
            ["flowchart LR\n    n0[\"a\"] -->\n", "flowchart LR\n    n0[\"a\"] --> n1[\"b\"]\n"],
            out _
        );

        Assert.Equal(2, drawn.Count);
        Assert.False(drawn[0].Svg);
        Assert.Contains("Parse error", drawn[0].Error);
        Assert.True(drawn[1].Svg, $"the good block after the broken one draws: {drawn[1].Error}");
        Assert.Equal(2, drawn[1].Nodes);
    }

    [GeneratedRegex(@"^\s+n\d+(\(\[|\[\[|\{\{|\[)""", RegexOptions.Multiline)]
    private static partial Regex FlowchartNode();

    [GeneratedRegex(@"^\s+n\d+ (-->|-\.->)\|", RegexOptions.Multiline)]
    private static partial Regex FlowchartEdge();

    [GeneratedRegex(@"^\s+participant a\d+ as ", RegexOptions.Multiline)]
    private static partial Regex Participant();

    [GeneratedRegex(@"^\s+a\d+->>a\d+:", RegexOptions.Multiline)]
    private static partial Regex SequenceMessage();
}
