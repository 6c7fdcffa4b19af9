/// The thread pool's model on its own: pinned state counts beside checks on every final state, the length
/// of a shortest path to the wrong variant's violation, and generated configurations that keep every invariant.
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

/// What every finished run of a client that ends with Destroy shows, checked apart from the model's invariants:
/// the pool destroyed with no worker counted or left; each of the client's tasks, and each child of a task that
/// ran, ran or reached pending or was refused (after a task destroyed the pool), exactly one of the three;
/// one rejected destroy for each task that destroyed the pool and ran (its destroy or the client's came second).
let private drainedCompletely (client: ClientCall list) (final: PoolState) =
    let pending = Set.ofList final.Pending

    let tasks =
        client
        |> List.choose (function
            | Schedule task -> Some task
            | _ -> None)

    let children =
        tasks
        |> List.choose (function
            | { Id = id; Body = ScheduleChild child } when final.Ran.Contains id -> Some child
            | _ -> None)

    let destroyingTasks =
        tasks |> List.filter (fun task -> task.Body = DestroyFromTask) |> List.map _.Id

    Expect.equal final.Phase Destroyed "destroy returned"
    Expect.allEqual final.Workers Gone "every worker left"
    Expect.equal final.Count 0 "no worker is counted"
    Expect.equal pending.Count final.Pending.Length "no task reaches pending twice"

    for a, b in [ final.Ran, pending; final.Ran, final.Refused; pending, final.Refused ] do
        Expect.isTrue (Set.intersect a b).IsEmpty "no task is in two of ran, pending and refused"

    Expect.equal
        (Set.unionMany [ final.Ran; pending; final.Refused ])
        (Set.ofList ((tasks |> List.map _.Id) @ children))
        "every task ran, reached pending or was refused"

    Expect.equal
        final.Rejected
        (destroyingTasks |> List.filter final.Ran.Contains |> List.length)
        "one destroy rejected per destroying task that ran"

let tests =
    testList
        "model"
        [
            // Pinned reachable-state counts: a change to the specification that changes them must be deliberate.
            // Beside them, every final state is checked on its own. Cases: (workers, client).
            testTheory
                "state counts of small configurations are pinned, and every final state is a completely drained pool"
                [ (1, 0); (2, 1); (2, 2); (3, 3) ]
            <| fun (workers, configuration) ->
                let expected = Map [ (1, 0), 13; (2, 1), 282; (2, 2), 358; (3, 3), 25417 ]
                let client = clients[configuration]
                let result = check Specified workers client
                Expect.isNone result.Violation "no invariant is violated"
                Expect.equal result.Deadlocks [] "nothing deadlocks"
                Expect.isNonEmpty result.Terminals "some run finishes"

                for final in result.Terminals do
                    drainedCompletely client final

                Expect.isTrue
                    (result.Terminals |> Set.exists (fun final -> final.Pending.IsEmpty))
                    "in some run every task ran before destroy"

                Expect.equal result.ReachableStates expected[(workers, configuration)] "the pinned state count"

            test "one task and destroy on one worker: exactly the two outcomes written out by hand" {
                let outcome ran pending =
                    {
                        Ran = set ran
                        Pending = pending
                        Refused = Set.empty
                        Rejected = 0
                        CountAfter = 0
                    }

                Expect.equal
                    (PoolModel.allowedOutcomes 1 clients[0])
                    (set [ outcome [ 1 ] []; outcome [] [ 1 ] ])
                    "the task runs, or destroy hands it to pending"
            }

            test "the wrong variant loses a task and the checker returns a shortest path to it" {
                let client = [ task 1 (ScheduleChild 11); Destroy ]
                let result = check ForgetsLateTasks 1 client
                let violation = Expect.wantSome result.Violation "a violation is found"
                Expect.equal violation.Invariant "exactly once" "the violated invariant"
                // Shortest: the call, the take, destroy, the task schedules its child after destroy began and
                // finishes, the worker leaves, and the drain forgets the child (7 steps).
                Expect.equal violation.Path.Length 7 "the shortest path's length"
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
