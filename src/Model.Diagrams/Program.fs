/// Regenerates the models' pictures: `dotnet run --project src/Model.Diagrams -- diagram all` (see --help).
module Pool.Model.Diagrams.Program

open System
open System.IO

[<EntryPoint>]
let main argv =
    let root =
        Docs.findRoot Environment.CurrentDirectory
        |> Option.orElse (Docs.findRoot AppContext.BaseDirectory)

    match root with
    | Some root -> Cli.run root (List.ofArray argv) Console.Out Console.Error
    | None ->
        eprintfn "no Pool.sln in %s or a directory above it: run this from the repository" Environment.CurrentDirectory
        2
