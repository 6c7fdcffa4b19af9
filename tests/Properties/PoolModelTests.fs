/// The thread pool's model on its own: pinned state counts, a shortest path to the wrong variant's
/// violation, and generated configurations that keep every invariant.
module Pool.Properties.PoolModelTests

open Expecto
open FsCheck
open FsCheck.FSharp
open Pool.Model

let private task id body = Schedule { Id = id; Body = body }

let private check variant workers client =
    Checker.check 2_000_000 (PoolModel.system variant workers client)

let private clients =
    [|
        [ task 1 Plain; Destroy ]
        [ task 1 (ScheduleChild 11); task 2 Plain; Destroy ]
        [ task 1 ExitWorker; Decrease; task 2 (ScheduleChild 12); Increase; Destroy ]
        [
            task 1 (ScheduleChild 11)
            task 2 DestroyFromTask
            task 3 ExitWorker
            task 4 Plain
            Destroy
        ]
    |]

/// Generated small programs: calls of one client thread, then destroy (shrunk to fewer workers and calls).
let programs: Arbitrary<int * ClientCall list> =
    let body id =
        Gen.elements [ Plain; ScheduleChild(100 + id); ExitWorker; DestroyFromTask ]

    let callAt id =
        Gen.frequency
            [
                4, body id |> Gen.map (fun b -> task id b)
                1, Gen.constant Increase
                1, Gen.constant Decrease
            ]

    gen {
        let! workers = Gen.choose (0, 2)
        let! length = Gen.choose (0, 3)
        let! calls = [ 1..length ] |> List.map callAt |> Gen.sequenceToList
        return workers, calls @ [ Destroy ]
    }
    |> fun generated -> Arb.fromGenShrink (generated, Checking.fewerWorkersOrCalls 0)

let tests =
    testList
        "model"
        [
            // Pinned reachable-state counts: a change to the specification that changes them must be deliberate.
            // Cases: (workers, client).
            testTheory "state counts of small configurations are pinned" [ (1, 0); (2, 1); (2, 2); (3, 3) ]
            <| fun (workers, configuration) ->
                let expected = Map [ (1, 0), 13; (2, 1), 282; (2, 2), 358; (3, 3), 25417 ]
                let result = check Specified workers clients[configuration]
                Expect.isNone result.Violation "no invariant is violated"
                Expect.equal result.Deadlocks [] "nothing deadlocks"
                Expect.equal result.ReachableStates expected[(workers, configuration)] "the pinned state count"

            test "the wrong variant loses a task and the checker returns a shortest path to it" {
                let client = [ task 1 (ScheduleChild 11); Destroy ]
                let result = check ForgetsLateTasks 1 client
                let violation = Expect.wantSome result.Violation "a violation is found"
                Expect.equal violation.Invariant "exactly once" "the violated invariant"

                Expect.equal
                    violation.Path
                    [
                        Call(task 1 (ScheduleChild 11))
                        Take(0, [ 1 ])
                        Call Destroy
                        Effect(0, 1)
                        Finish(0, 1)
                        Leave 0
                        DrainComplete
                    ]
                    "the shortest path to the violation"
            }

            test "destroy from a task ends with every queued task in pending and nothing running" {
                let client = [ task 1 DestroyFromTask; task 2 Plain; task 3 Plain ]
                let result = check Specified 1 client
                Expect.isNone result.Violation "no invariant is violated"
                Expect.equal result.Deadlocks [] "nothing deadlocks"

                for outcome in result.Terminals |> Set.map PoolModel.outcome do
                    Expect.equal outcome.CountAfter 0 "no worker is counted after destroy"
                    Expect.isTrue (outcome.Ran.Contains 1) "the destroying task ran"
            }

            testPropertyWithConfig
                (Checking.cases 100)
                "every invariant holds and nothing deadlocks in every generated configuration"
            <| Prop.forAll programs (fun (workers, client) ->
                let result = check Specified workers client

                result.Violation.IsNone
                && result.Deadlocks.IsEmpty
                && not result.Terminals.IsEmpty)

            test "the model's largest take is the C# pool's claim capacity" {
                Expect.equal PoolModel.MaxTake Pool.ClaimedTasks.Capacity "the model's MaxTake"
            }
        ]
