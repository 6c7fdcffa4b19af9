namespace Pool.Model.Diagrams

open System
open System.Diagnostics
open System.IO

/// What the command line (src/Model.Diagrams) asks for.
type DiagramCommand =
    /// Regenerate the models' blocks in docs/spec.md, their DOT files and their SVGs.
    | Write of ModelPicture list
    /// Print the models' pictures as Mermaid, writing nothing.
    | Print of ModelPicture list
    /// Print wrong variants' counterexamples as text and as Mermaid sequence diagrams.
    | Counterexamples of ModelPicture * variants: string list
    | Help

/// The command line of the pictures: parsing, and running a command against a repository.
module Cli =
    let private names = Models.all |> List.map _.Name |> String.concat ", "

    let usage =
        String.concat
            "\n"
            [
                "Usage: dotnet run --project src/Model.Diagrams -- COMMAND"
                ""
                "  diagram all|MODEL [--print]   regenerate the picture of every model, or of one: its block in"
                "                                docs/spec.md, docs/diagrams/MODEL.dot and MODEL.svg (Graphviz's dot);"
                "                                --print: print the Mermaid picture instead, writing nothing"
                "  counterexample MODEL [--variant VARIANT]"
                "                                the checker's shortest path to each wrong variant's violation (or"
                "                                this one's), as text and as a Mermaid sequence diagram"
                ""
                sprintf "MODEL: %s." names
            ]

    let private models (name: string) =
        match name, Models.tryFind name with
        | "all", _ -> Ok Models.all
        | _, Some model -> Ok [ model ]
        | _, None -> Error(sprintf "unknown model \"%s\": the models are all, %s" name names)

    let private modelNamed (name: string) =
        match Models.tryFind name with
        | Some model -> Ok model
        | None -> Error(sprintf "unknown model \"%s\": the models are %s" name names)

    /// The command the arguments ask for, or what is wrong with them.
    let parse (arguments: string list) : Result<DiagramCommand, string> =
        match arguments with
        | [ ("--help" | "-h" | "help") ] -> Ok Help
        | [ "diagram"; name ] -> models name |> Result.map Write
        | [ "diagram"; name; "--print" ] -> models name |> Result.map Print
        | "diagram" :: _ :: option :: _ ->
            Error(sprintf "diagram takes a model name and at most the option --print, not \"%s\"" option)
        | [ "diagram" ] -> Error "diagram takes a model name: all, or one of the models"
        | [ "counterexample"; name ] ->
            modelNamed name
            |> Result.map (fun model -> Counterexamples(model, model.Counterexamples |> List.map fst))
        | [ "counterexample"; name; "--variant"; variant ] ->
            modelNamed name
            |> Result.bind (fun model ->
                let variants = model.Counterexamples |> List.map fst

                if List.contains variant variants then
                    Ok(Counterexamples(model, [ variant ]))
                else
                    Error(
                        sprintf
                            "the model %s has no wrong variant \"%s\": its wrong variants are %s"
                            name
                            variant
                            (String.concat ", " variants)
                    ))
        | "counterexample" :: _ :: option :: _ ->
            Error(sprintf "counterexample takes a model name and at most --variant VARIANT, not \"%s\"" option)
        | [ "counterexample" ] -> Error "counterexample takes a model name"
        | command :: _ -> Error(sprintf "unknown command \"%s\"" command)
        | [] -> Error "no command"

    /// Draws a DOT file to SVG with Graphviz; None when it worked, otherwise why not.
    let private drawSvg (dot: string) (svg: string) : string option =
        try
            let start = ProcessStartInfo("dot", [ "-Tsvg"; dot; "-o"; svg ])
            start.UseShellExecute <- false
            start.RedirectStandardError <- true

            match Process.Start start with
            | null -> Some(sprintf "dot -Tsvg %s did not start" dot)
            | graphviz ->
                use graphviz = graphviz
                let errors = graphviz.StandardError.ReadToEnd()
                graphviz.WaitForExit()

                if graphviz.ExitCode = 0 then
                    None
                else
                    Some(sprintf "dot -Tsvg %s exited with %d: %s" dot graphviz.ExitCode errors)
        with :? ComponentModel.Win32Exception as e ->
            Some(
                sprintf
                    "Graphviz's dot is needed to draw %s (%s): install it (apt-get install graphviz; scripts/test.sh does)"
                    svg
                    e.Message
            )

    /// Runs a command against the repository at root; the exit code: 0 done, 1 failed, 2 bad arguments.
    let run (root: string) (arguments: string list) (out: TextWriter) (error: TextWriter) : int =
        match parse arguments with
        | Error problem ->
            error.WriteLine problem
            error.WriteLine usage
            2
        | Ok Help ->
            out.WriteLine usage
            0
        | Ok(Print models) ->
            for model in models do
                out.Write(Render.mermaid (model.Graph.Force()))

            0
        | Ok(Counterexamples(model, variants)) ->
            for variant in variants do
                match (model.Counterexamples |> List.find (fst >> (=) variant) |> snd).Force() with
                | Some example ->
                    out.WriteLine(Render.text example)
                    out.WriteLine(Render.sequence example)
                | None -> out.WriteLine(sprintf "%s, variant %s: the checker finds nothing wrong" model.Name variant)

            0
        | Ok(Write models) ->
            let spec = Docs.specPath root

            let page =
                models
                |> List.fold
                    (fun page model ->
                        page
                        |> Result.bind (fun page -> Docs.withBlock page model.Name (Docs.block model)))
                    (Ok(File.ReadAllText spec))

            match page with
            | Error problem ->
                error.WriteLine problem
                1
            | Ok page ->
                File.WriteAllText(spec, page)
                out.WriteLine(sprintf "wrote %s" spec)
                Directory.CreateDirectory(Docs.diagramsDirectory root) |> ignore

                let failures =
                    models
                    |> List.choose (fun model ->
                        let dot = Docs.dotPath root model.Name
                        let svg = Docs.svgPath root model.Name
                        File.WriteAllText(dot, Render.dot (model.Graph.Force()))
                        out.WriteLine(sprintf "wrote %s" dot)
                        let failure = drawSvg dot svg

                        if failure.IsNone then
                            out.WriteLine(sprintf "wrote %s" svg)

                        failure)

                for failure in failures do
                    error.WriteLine failure

                if failures.IsEmpty then 0 else 1
