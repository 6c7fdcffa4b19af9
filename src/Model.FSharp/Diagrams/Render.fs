namespace Pool.Model.Diagrams

open System
open System.Text

/// Text renderings of pictures and counterexamples: Mermaid (embedded in docs/spec.md), Graphviz DOT (drawn to
/// SVG by `dot -Tsvg`) and plain text.
module Render =
    let private wrongColour = "#cc0000"

    /// A label for Mermaid's quoted strings: quotes and the characters Mermaid reads as markup become entities.
    let private mermaidText (text: string) =
        text.Replace("\"", "#quot;").Replace("<", "#lt;").Replace(">", "#gt;")

    /// A line of a sequence diagram's message or note: no line breaks, semicolons or entity markers.
    let private sequenceText (text: string) =
        text.Replace(";", ",").Replace("#", "no. ").Replace("\n", " ")

    let private mermaidLines (lines: string list) =
        lines |> List.map mermaidText |> String.concat "<br/>"

    /// The picture as a Mermaid flowchart (left to right): the initial state a stadium, final states doubled,
    /// broken states and wrong steps red.
    let mermaid (graph: Graph) : string =
        let text = StringBuilder()
        let line (s: string) = text.Append(s).Append('\n') |> ignore
        line "flowchart LR"

        for node in graph.Nodes do
            let label = mermaidLines node.Lines

            match node.Kind with
            | Initial -> line (sprintf "    %s([\"%s\"])" node.Id label)
            | Final -> line (sprintf "    %s[[\"%s\"]]" node.Id label)
            | Intermediate -> line (sprintf "    %s[\"%s\"]" node.Id label)
            | Broken -> line (sprintf "    %s{{\"%s\"}}" node.Id label)

        for edge in graph.Edges do
            let arrow = if edge.Wrong then "-.->" else "-->"
            line (sprintf "    %s %s|\"%s\"| %s" edge.From arrow (mermaidLines edge.Lines) edge.To)

        graph.Edges
        |> List.indexed
        |> List.filter (fun (_, edge) -> edge.Wrong)
        |> List.iter (fun (i, _) ->
            line (sprintf "    linkStyle %d stroke:%s,stroke-width:2px,color:%s" i wrongColour wrongColour))

        let broken =
            graph.Nodes |> List.filter (fun node -> node.Kind = Broken) |> List.map _.Id

        if not broken.IsEmpty then
            line (sprintf "    classDef broken fill:#ffe0e0,stroke:%s,color:#990000" wrongColour)
            line (sprintf "    class %s broken" (String.Join(",", broken)))

        text.ToString()

    let private dotText (text: string) =
        text.Replace("\\", "\\\\").Replace("\"", "\\\"")

    let private dotLines (lines: string list) =
        lines |> List.map dotText |> String.concat "\\n"

    /// The same picture as a Graphviz digraph.
    let dot (graph: Graph) : string =
        let text = StringBuilder()
        let line (s: string) = text.Append(s).Append('\n') |> ignore
        line (sprintf "digraph \"%s\" {" (dotText graph.Name))
        line "    rankdir=LR;"
        line "    node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=11];"
        line "    edge [fontname=\"Helvetica\", fontsize=10];"

        for node in graph.Nodes do
            let style =
                match node.Kind with
                | Initial -> ", style=\"rounded,bold\""
                | Final -> ", peripheries=2"
                | Intermediate -> ""
                | Broken ->
                    sprintf
                        ", shape=hexagon, style=filled, fillcolor=\"#ffe0e0\", color=\"%s\", fontcolor=\"#990000\""
                        wrongColour

            line (sprintf "    %s [label=\"%s\"%s];" node.Id (dotLines node.Lines) style)

        for edge in graph.Edges do
            let style =
                if edge.Wrong then
                    sprintf ", style=dashed, color=\"%s\", fontcolor=\"%s\", penwidth=2" wrongColour wrongColour
                else
                    ""

            line (sprintf "    %s -> %s [label=\"%s\"%s];" edge.From edge.To (dotLines edge.Lines) style)

        line "}"
        text.ToString()

    /// The counterexample as a Mermaid sequence diagram, its steps numbered, ending in a note of what broke.
    let sequence (example: Counterexample) : string =
        let text = StringBuilder()
        let line (s: string) = text.Append(s).Append('\n') |> ignore

        let alias (actor: string) =
            "a" + string (List.findIndex ((=) actor) example.Participants)

        line "sequenceDiagram"
        line "    autonumber"

        for actor in example.Participants do
            line (sprintf "    participant %s as %s" (alias actor) (sequenceText actor))

        for message in example.Messages do
            line (sprintf "    %s->>%s: %s" (alias message.From) (alias message.To) (sequenceText message.Text))

        let observer = alias example.Observer

        let note =
            sprintf "✗ %s (%s)<br/>%s" example.Broken example.Variant (String.Join("<br/>", example.Ending))

        line (sprintf "    Note over %s: %s" observer (sequenceText note))
        text.ToString()

    /// The counterexample as numbered lines of text.
    let text (example: Counterexample) : string =
        let text = StringBuilder()

        text.AppendFormat(
            "{0}, variant {1}: \"{2}\" broken after {3} steps (a shortest path):\n",
            example.Model,
            example.Variant,
            example.Broken,
            example.Messages.Length
        )
        |> ignore

        example.Messages
        |> List.iteri (fun i m ->
            let arrow =
                if m.From = m.To then
                    m.From
                else
                    sprintf "%s -> %s" m.From m.To

            text.AppendFormat("{0,3}. {1}: {2}\n", i + 1, arrow, m.Text) |> ignore)

        text.AppendFormat("     ends in: {0}\n", String.Join(" / ", example.Ending))
        |> ignore

        text.ToString()
