/// The executor's model on its own: pinned state counts, a shortest path to the wrong variant's violation,
/// and generated configurations that keep every invariant.
module Pool.Properties.ExecutorModelTests

open Expecto
open FsCheck
open FsCheck.FSharp
open Pool.Model

let private session queue number =
    Submit { Queue = queue; Number = number }

let private check variant workers serial client =
    Checker.check 2_000_000 (ExecutorModel.system variant workers serial client)

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

let tests =
    testList
        "model"
        [
            test "state counts of small executor configurations are pinned" {
                let client =
                    [ session "a" 1; session "b" 2; session "a" 3; session "b" 4; DestroyExecutor ]

                let concurrent = check ExecutorSpecified 2 Set.empty client
                let serial = check ExecutorSpecified 2 (Set.ofList [ "a"; "b" ]) client

                for result in [ concurrent; serial ] do
                    Expect.isNone result.Violation "no invariant is violated"
                    Expect.equal result.Deadlocks [] "nothing deadlocks"

                Expect.equal
                    (concurrent.ReachableStates, serial.ReachableStates)
                    (668, 507)
                    "the pinned state counts (concurrent, serial)"
            }

            test "a serial queue that reschedules early runs two sessions at once, and the checker shows how" {
                let client = [ session "s" 1; session "s" 2; DestroyExecutor ]
                let result = check SerialReschedulesEarly 2 (Set.singleton "s") client
                let violation = Expect.wantSome result.Violation "a violation is found"
                Expect.equal violation.Invariant "serial queues are serial" "the violated invariant"
                // Shortest: two submits, then each worker takes the queue task and starts a session (6 steps).
                Expect.equal violation.Path.Length 6 "the shortest path's length"

                let started =
                    violation.Path
                    |> List.choose (function
                        | StartSession(_, session) -> Some session.Number
                        | _ -> None)

                Expect.equal started [ 1; 2 ] "the sessions started on the path"
            }

            testPropertyWithConfig
                (Checking.cases 100)
                "executor invariants hold and nothing deadlocks in generated configurations"
            <| Prop.forAll executorPrograms (fun (workers, serial, client) ->
                let result = check ExecutorSpecified workers serial client

                result.Violation.IsNone
                && result.Deadlocks.IsEmpty
                && not result.Terminals.IsEmpty)
        ]
