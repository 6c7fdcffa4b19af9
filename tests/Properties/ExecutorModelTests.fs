module Pool.Properties.ExecutorModelTests

open Xunit
open FsCheck
open FsCheck.FSharp
open Pool.Model

let private session queue number =
    Submit { Queue = queue; Number = number }

let private check variant workers serial client =
    Checker.check 2_000_000 (ExecutorModel.system variant workers serial client)

[<Fact>]
let ``state counts of small executor configurations are pinned`` () =
    let client =
        [ session "a" 1; session "b" 2; session "a" 3; session "b" 4; DestroyExecutor ]

    let concurrent = check ExecutorSpecified 2 Set.empty client
    let serial = check ExecutorSpecified 2 (Set.ofList [ "a"; "b" ]) client

    for result in [ concurrent; serial ] do
        Assert.True(result.Violation.IsNone, sprintf "%A" result.Violation)
        Assert.Empty(result.Deadlocks)

    Assert.Equal((668, 507), (concurrent.ReachableStates, serial.ReachableStates))

[<Fact>]
let ``a serial queue that reschedules early runs two sessions at once, and the checker shows how`` () =
    let client = [ session "s" 1; session "s" 2; DestroyExecutor ]
    let result = check SerialReschedulesEarly 2 (Set.singleton "s") client

    let violation =
        result.Violation |> Option.defaultWith (fun () -> failwith "no violation found")

    Assert.Equal("serial queues are serial", violation.Invariant)
    // Shortest: two submits, then each worker takes the queue task and starts a session (6 steps).
    Assert.Equal(6, violation.Path.Length)

    let started =
        violation.Path
        |> List.choose (function
            | StartSession(_, session) -> Some session.Number
            | _ -> None)

    Assert.Equal<int list>([ 1; 2 ], started)

let executorPrograms: Arbitrary<int * Set<string> * ExecutorCall list> =
    gen {
        let! workers = Gen.choose (1, 2)
        let! serial = Gen.subListOf [ "a"; "b"; "c" ] |> Gen.map Set.ofList
        let! length = Gen.choose (0, 4)
        let! queues = Gen.listOfLength length (Gen.elements [ "a"; "b"; "c" ])
        let calls = queues |> List.mapi (fun i q -> session q (i + 1))
        return workers, serial, calls @ [ DestroyExecutor ]
    }
    |> Arb.fromGen

[<Fact>]
let ``executor invariants hold and nothing deadlocks in generated configurations`` () =
    let property (workers, serial, client) =
        let result = check ExecutorSpecified workers serial client

        result.Violation.IsNone
        && result.Deadlocks.IsEmpty
        && not result.Terminals.IsEmpty

    Check.One(Config.QuickThrowOnFailure.WithMaxTest(100), Prop.forAll executorPrograms property)
