/// The models' pictures (src/Model.FSharp/Diagrams): the committed ones are the ones the models draw now, each
/// wrong variant's counterexample is the checker's shortest path, and the command line refuses bad input.
module Pool.Properties.DiagramTests

open System.IO
open Expecto
open Pool.Model
open Pool.Model.Diagrams

// Found when a test runs, not when the program starts: the program also runs outside the repository (a mutant's copy).
let private repositoryRoot =
    lazy
        (match Docs.findRoot System.AppContext.BaseDirectory with
         | Some root -> root
         | None -> failwithf "no Pool.sln above %s" System.AppContext.BaseDirectory)

let private model name =
    Expect.wantSome (Models.tryFind name) (sprintf "a model named %s" name)

/// Each wrong variant: the invariant its counterexample breaks and the length of the checker's shortest path
/// (the pool's, the scheduler's and the executor's are the lengths their model tests pin).
let private expectedCounterexamples =
    Map
        [
            ("pool", "ForgetsLateTasks"), ("exactly once", 7)
            ("scheduler", "DropsQueuedWork"), ("none left pending", 4)
            ("executor", "SerialReschedulesEarly"), ("serial queues are serial", 6)
            ("timer", "CancelNeverMatches"), ("no fire after cancel", 4)
            ("timer", "RearmAfterSelfCancel"), ("no fire after cancel", 5)
            ("connection", "InFlightAfterDispatch"), ("released only when idle", 6)
            ("connection", "ReleaseIgnoringInFlight"), ("released only when idle", 6)
        ]

let tests =
    testList
        "diagrams"
        [
            testTheory
                "the committed picture (docs/spec.md, docs/diagrams) is the one the model draws"
                (Models.all |> List.map _.Name)
            <| fun name ->
                let picture = model name
                let regenerate = sprintf "regenerate it: %s" (Docs.command name)
                let page = File.ReadAllText(Docs.specPath repositoryRoot.Value)

                match Docs.committedBlock page name with
                | Error problem -> failtestf "%s; %s" problem regenerate
                | Ok committed ->
                    Expect.equal
                        committed
                        (Docs.block picture)
                        (sprintf "docs/spec.md's picture of %s is not the model's: %s" name regenerate)

                let dot = Docs.dotPath repositoryRoot.Value name
                Expect.isTrue (File.Exists dot) (sprintf "%s exists: %s" dot regenerate)

                Expect.equal
                    (File.ReadAllText dot)
                    (Render.dot (picture.Graph.Force()))
                    (sprintf "%s is not the model's picture: %s" dot regenerate)

                let svg = Docs.svgPath repositoryRoot.Value name
                Expect.isTrue (File.Exists svg) (sprintf "%s exists: %s" svg regenerate)

                Expect.equal
                    (Docs.svgMismatches (picture.Graph.Force()) (File.ReadAllText svg))
                    []
                    (sprintf "%s shows the nodes, edges and labels of the model's picture: %s" svg regenerate)

            test "each wrong variant's counterexample is the checker's shortest path, one message per step" {
                let found =
                    [
                        for picture in Models.all do
                            for variant, example in picture.Counterexamples do
                                let example =
                                    Expect.wantSome
                                        (example.Force())
                                        (sprintf "%s %s has a counterexample" picture.Name variant)

                                Expect.equal
                                    example.Participants.Head
                                    (example.Messages.Head.From)
                                    "the first participant is the first step's actor"

                                let node = picture.Graph.Force().Nodes |> List.filter (fun n -> n.Kind = Broken)

                                Expect.contains
                                    (node |> List.map _.Lines)
                                    [ sprintf "✗ %s" example.Broken; variant ]
                                    "the picture marks where the variant breaks the invariant"

                                yield (picture.Name, variant), (example.Broken, example.Messages.Length)
                    ]
                    |> Map.ofList

                Expect.equal found expectedCounterexamples "each variant's broken invariant and path length"
            }

            test "the sequence diagram and the text show every step of the pool's counterexample in order" {
                let example =
                    Expect.wantSome ((snd (model "pool").Counterexamples.Head).Force()) "a counterexample"

                let sequence = Render.sequence example
                let text = Render.text example

                let arrows =
                    sequence.Split('\n')
                    |> Array.filter (fun line -> line.Contains "->>")
                    |> Array.length

                Expect.equal arrows 7 "one arrow per step"
                Expect.stringContains sequence "Note over a2: ✗ exactly once (ForgetsLateTasks)" "the broken invariant"
                Expect.stringContains sequence "a0->>a2: drain: nothing pending" "the drain that forgets task 11"
                Expect.stringContains text "  4. worker 0 -> pool: task 1 schedules 11" "the late task, numbered"
                Expect.stringContains text "accepted 1, 11 / ran 1 / pending none" "what the path ends in"
            }

            test "a deadlock's counterexample is its shortest path, ending in a note that says deadlock" {
                // Two steps lead to a state with no step that is not finished.
                let system: TransitionSystem<int, string> =
                    {
                        Initial = 0
                        Next =
                            function
                            | 0 -> [ "lock a", 1; "lock b", 3 ]
                            | 1 -> [ "lock b", 2 ]
                            | 3 -> [ "unlock b", 0 ]
                            | _ -> []
                        Finished = fun _ -> false
                        Invariants = []
                    }

                let abstraction: Abstraction<int, string> =
                    {
                        State = fun state -> [ sprintf "state %d" state ]
                        Step = fun _ step _ -> step
                        Message =
                            fun _ step _ ->
                                {
                                    From = "thread"
                                    To = "locks"
                                    Text = step
                                }
                        Actors = [ "thread"; "locks" ]
                        Observer = "locks"
                        Ending = fun state -> [ sprintf "state %d" state ]
                    }

                let example =
                    Expect.wantSome
                        (Graph.counterexample "toy" "Deadlocks" abstraction system)
                        "the deadlock is a counterexample"

                Expect.equal example.Broken "deadlock" "what broke"
                Expect.equal (example.Messages |> List.map _.Text) [ "lock a"; "lock b" ] "the shortest path"

                Expect.stringContains
                    (Render.sequence example)
                    "Note over a1: ✗ deadlock (Deadlocks)<br/>state 2"
                    "the note names the deadlock and its state"

                let graph = Graph.build "toy" abstraction [] [ "Deadlocks", system ]

                Expect.contains
                    (graph.Nodes |> List.map (fun node -> node.Kind, node.Lines))
                    (Broken, [ "✗ deadlock"; "Deadlocks" ])
                    "the picture marks the deadlock"
            }

            test "a picture's exploration reaches exactly the states the checker counts" {
                let pool =
                    PoolModel.system
                        Specified
                        2
                        [
                            Schedule { Id = 1; Body = ScheduleChild 11 }
                            Schedule { Id = 2; Body = Plain }
                            Destroy
                        ]

                let connection =
                    ConnectionModel.system ConnectionSpecified (ConnectionModel.sendsThenResets 2).Script

                // The pinned counts of the pool's (2, 1) and the connection's two messages then a reset.
                Expect.equal (Graph.explore 2_000_000 pool |> fst |> List.length) 282 "the pool's states"
                Expect.equal (Graph.explore 1_000_000 connection |> fst |> List.length) 68 "the connection's states"
            }

            testTheory
                "the command line refuses an unknown model, variant, option or command with exit code 2"
                [
                    [ "diagram"; "queue" ], "unknown model \"queue\""
                    [ "diagram"; "pool"; "--svg" ], "not \"--svg\""
                    [ "counterexample"; "timer"; "--variant"; "Specified" ], "has no wrong variant \"Specified\""
                    [ "counterexample"; "all" ], "unknown model \"all\""
                    [ "draw"; "pool" ], "unknown command \"draw\""
                    [], "no command"
                ]
            <| fun (arguments, message) ->
                use out = new StringWriter()
                use error = new StringWriter()
                let code = Cli.run repositoryRoot.Value arguments out error
                Expect.equal code 2 "the exit code of bad input"
                Expect.stringContains (error.ToString()) message "the message says what is wrong"
                Expect.stringContains (error.ToString()) "Usage:" "the usage follows"
                Expect.equal (out.ToString()) "" "nothing on the standard output"
        ]
