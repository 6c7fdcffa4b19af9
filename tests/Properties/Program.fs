/// The properties as one Expecto program: a list per model, each with its model tests, its conformance
/// tests (the C# code under the explorer against the model) and its sequential tests (the C# code on real
/// threads against the model). Run it with Expecto's options, plus --fscheck-replay (Checking.fs):
///   dotnet run -c Release --project tests/Properties -- --summary
module Pool.Properties.Program

open Expecto

/// Every test, one list per model.
let properties =
    TestList(
        [
            testList "pool" [ PoolModelTests.tests; PoolConformanceTests.tests; PoolSequentialTests.tests ]
            testList "queue" [ QueueModelTests.tests; QueueConformanceTests.tests ]
            testList "scheduler" [ TaskSchedulerModelTests.tests; TaskSchedulerConformanceTests.tests ]
            testList
                "executor"
                [
                    ExecutorModelTests.tests
                    ExecutorConformanceTests.tests
                    ExecutorSequentialTests.tests
                ]
            testList "timer" [ TimerModelTests.tests; TimerConformanceTests.tests ]
            testList "connection" [ ConnectionModelTests.tests; ConnectionConformanceTests.tests ]
            DiagramTests.tests
        ],
        Normal
    )

[<EntryPoint>]
let main argv =
    match Checking.parse (List.ofArray argv) with
    | Error problem ->
        eprintfn "%s" problem
        2
    | Ok(options, expectoArguments) ->
        if List.exists (fun a -> a = "--help" || a = "-h" || a = "/?") expectoArguments then
            printfn "Besides Expecto's options (below):\n%s\n" Checking.usage

        runTestsWithCLIArgs [] (Array.ofList expectoArguments) (Checking.apply options [] properties)
