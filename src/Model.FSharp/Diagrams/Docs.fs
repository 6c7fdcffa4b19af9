namespace Pool.Model.Diagrams

open System
open System.IO
open System.Text

/// Where the pictures live in the repository: a generated block per model in docs/spec.md (between markers),
/// and docs/diagrams/NAME.dot with the SVG Graphviz draws from it.
module Docs =
    /// The command that regenerates one model's picture, or every one ("all").
    let command (name: string) =
        sprintf "dotnet run --project src/Model.Diagrams -- diagram %s" name

    let beginMarker (name: string) =
        sprintf "<!-- generated: diagram %s, by `%s`; do not edit by hand -->" name (command name)

    let endMarker (name: string) =
        sprintf "<!-- end of generated diagram %s -->" name

    let specPath (root: string) = Path.Combine(root, "docs", "spec.md")

    let diagramsDirectory (root: string) = Path.Combine(root, "docs", "diagrams")

    let dotPath (root: string) (name: string) =
        Path.Combine(diagramsDirectory root, name + ".dot")

    let svgPath (root: string) (name: string) =
        Path.Combine(diagramsDirectory root, name + ".svg")

    /// The directory holding Pool.sln, from the given one or one above it.
    let rec findRoot (directory: string) : string option =
        if File.Exists(Path.Combine(directory, "Pool.sln")) then
            Some directory
        else
            match Path.GetDirectoryName directory with
            | null -> None
            | parent -> findRoot parent

    /// The text between one model's markers in docs/spec.md: its picture, and each wrong variant's
    /// counterexample as a sequence diagram and as text.
    let block (model: ModelPicture) : string =
        let graph = model.Graph.Force()
        let text = StringBuilder()
        let line (s: string) = text.Append(s).Append('\n') |> ignore

        line (
            sprintf
                "Picture of %s (generated from the model): %s. A node is an abstract state (%s); %d states of the model are drawn as %d nodes. The initial state is rounded, finished states are doubled; a red dashed arrow is a step of a wrong variant's shortest counterexample that the specification does not have, and a red hexagon names the invariant it breaks. Also as SVG: [diagrams/%s.svg](diagrams/%s.svg)."
                (model.Title.ToLowerInvariant())
                model.Configuration
                model.Abstraction
                graph.ConcreteStates
                graph.Nodes.Length
                model.Name
                model.Name
        )

        line ""
        line "```mermaid"
        text.Append(Render.mermaid graph) |> ignore
        line "```"

        for variant, example in model.Counterexamples do
            line ""

            match example.Force() with
            | None -> line (sprintf "The checker finds nothing wrong with `%s` in this configuration." variant)
            | Some example ->
                line (
                    sprintf
                        "Counterexample of `%s`: \"%s\" broken after %d steps, a shortest path (the checker's breadth-first search):"
                        variant
                        example.Broken
                        example.Messages.Length
                )

                line ""
                line "```mermaid"
                text.Append(Render.sequence example) |> ignore
                line "```"
                line ""
                line "<details><summary>The same path as text</summary>"
                line ""
                line "```"
                text.Append(Render.text example) |> ignore
                line "```"
                line ""
                line "</details>"

        text.ToString()

    /// The block between a model's markers in a page, or why there is none.
    let committedBlock (page: string) (name: string) : Result<string, string> =
        let opening = beginMarker name
        let closing = endMarker name
        let start = page.IndexOf(opening, StringComparison.Ordinal)

        if start < 0 then
            Error(sprintf "docs/spec.md has no line \"%s\"" opening)
        else
            let contentStart = start + opening.Length + 1
            let finish = page.IndexOf(closing, contentStart, StringComparison.Ordinal)

            if finish < 0 then
                Error(sprintf "docs/spec.md has no line \"%s\" after its opening marker" closing)
            else
                Ok(page.Substring(contentStart, finish - contentStart))

    /// The page with a model's block replaced (its markers must be there).
    let withBlock (page: string) (name: string) (content: string) : Result<string, string> =
        committedBlock page name
        |> Result.map (fun old ->
            let opening = beginMarker name
            let start = page.IndexOf(opening, StringComparison.Ordinal) + opening.Length + 1
            page.Substring(0, start) + content + page.Substring(start + old.Length))

    /// What an SVG drawn by Graphviz from the picture's DOT shows and the picture does not, or the reverse: each
    /// node and arrow is a group titled with the node's id or "from->to", holding one text per line of its label.
    /// Empty: the SVG draws the picture.
    let svgMismatches (graph: Graph) (svg: string) : string list =
        let settings = Xml.XmlReaderSettings(DtdProcessing = Xml.DtdProcessing.Ignore)
        use reader = Xml.XmlReader.Create(new StringReader(svg), settings)
        let document = Xml.Linq.XDocument.Load reader

        let children (local: string) (element: Xml.Linq.XElement) =
            element.Descendants() |> Seq.filter (fun e -> e.Name.LocalName = local)

        let drawn =
            document.Descendants()
            |> Seq.filter (fun e ->
                e.Name.LocalName = "g"
                && (match e.Attribute(Xml.Linq.XName.Get "class") with
                    | null -> false
                    | kind -> kind.Value = "node" || kind.Value = "edge"))
            |> Seq.map (fun group ->
                let title = children "title" group |> Seq.map _.Value |> String.concat ""
                let lines = children "text" group |> Seq.map _.Value |> List.ofSeq
                sprintf "%s: %s" title (String.concat " / " lines))
            |> List.ofSeq

        let expected =
            (graph.Nodes
             |> List.map (fun node -> sprintf "%s: %s" node.Id (String.concat " / " node.Lines)))
            @ (graph.Edges
               |> List.map (fun edge -> sprintf "%s->%s: %s" edge.From edge.To (String.concat " / " edge.Lines)))

        let counts items = items |> List.countBy id |> Map.ofList

        let missing (from: string list) (other: string list) =
            let others = counts other

            counts from
            |> Map.toList
            |> List.filter (fun (item, count) -> count > defaultArg (others.TryFind item) 0)
            |> List.map fst

        (missing expected drawn |> List.map (sprintf "the SVG lacks \"%s\""))
        @ (missing drawn expected
           |> List.map (sprintf "the SVG has \"%s\", which the picture does not"))
