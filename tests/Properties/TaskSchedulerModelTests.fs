/// The task scheduler's model on its own: pinned state counts beside checks on every outcome, the length of a
/// shortest path to the wrong variant's violation,
/// the outcomes of destroy that docs/pool.md promises, and generated configurations that keep every invariant.
module Pool.Properties.TaskSchedulerModelTests

open Expecto
open FsCheck
open FsCheck.FSharp
open Pool.Model

let private task id body = StartNew { Id = id; Body = body }

let private check variant workers client =
    Checker.check 2_000_000 (TaskSchedulerModel.system variant workers client)

let private clients =
    [|
        [ task 1 Quiet; ContinueWith(1, 11); Post 2; DestroyPool; Post 3; task 4 Quiet ]
        [ task 1 (StartChild 101); ContinueWith(1, 11); DestroyPool ]
        [
            task 1 (StartChild 101)
            task 2 DestroyFromWork
            ContinueWith(2, 12)
            Post 3
            DestroyPool
        ]
    |]

/// One generated call at position id: a task (quiet, starting a child, or destroying the pool), a continuation of
/// an earlier task, or a posted callback.
let callAt (id: TaskId) (earlierTasks: TaskId list) : Gen<SchedulerCall> =
    let startNew =
        Gen.elements [ Quiet; StartChild(100 + id); DestroyFromWork ]
        |> Gen.map (fun body -> task id body)

    let continueWith =
        match earlierTasks with
        | [] -> Gen.constant (Post id)
        | tasks ->
            Gen.elements tasks
            |> Gen.map (fun antecedent -> ContinueWith(antecedent, 200 + id))

    Gen.frequency [ 4, startNew; 2, continueWith; 2, Gen.constant (Post id) ]

/// Calls at positions first..first+count-1, each knowing the tasks started before it.
let rec callsFrom (first: TaskId) (count: int) (earlierTasks: TaskId list) : Gen<SchedulerCall list> =
    gen {
        if count = 0 then
            return []
        else
            let! call = callAt first earlierTasks

            let tasks =
                match call with
                | StartNew work -> earlierTasks @ [ work.Id ]
                | _ -> earlierTasks

            let! rest = callsFrom (first + 1) (count - 1) tasks
            return call :: rest
    }

/// Shrinks a program: fewer workers, or one call fewer, never its DestroyPool.
let private fewerWorkersOrCallsKeepingDestroy (workers: int, program: SchedulerCall list) =
    seq {
        if workers > 0 then
            yield workers - 1, program

        for i in 0 .. List.length program - 1 do
            if program[i] <> DestroyPool then
                yield workers, List.removeAt i program
    }

/// Generated programs: up to three calls, DestroyPool, then at most one call after it (shrunk to fewer workers
/// and calls).
let programs: Arbitrary<int * SchedulerCall list> =
    gen {
        let! workers = Gen.choose (0, 2)
        let! before = Gen.choose (1, 3)
        let! after = Gen.choose (0, 1)
        let! calls = callsFrom 1 (before + after) []
        let beforeCalls, afterCalls = List.splitAt before calls
        return workers, beforeCalls @ [ DestroyPool ] @ afterCalls
    }
    |> fun generated -> Arb.fromGenShrink (generated, fewerWorkersOrCallsKeepingDestroy)

/// Every piece of work a client program makes: tasks, the children they start, continuations, posts.
let private worksOf (client: SchedulerCall list) : TaskId list =
    client
    |> List.collect (function
        | StartNew { Id = id; Body = StartChild child } -> [ id; child ]
        | StartNew work -> [ work.Id ]
        | ContinueWith(_, continuation) -> [ continuation ]
        | Post id -> [ id ]
        | DestroyPool -> [])

/// What every outcome of a client shows, checked apart from the model's invariants: each piece of work ran
/// exactly once or was refused (never both), nothing else ran, and one destroy was rejected for each task
/// that destroys the pool and ran.
let private everyWorkOnce (client: SchedulerCall list) (outcome: SchedulerOutcome) =
    let works = worksOf client

    for id in works do
        let runs = outcome.Places |> Map.tryFind id |> Option.defaultValue []
        let refused = outcome.Refused.Contains id

        Expect.isTrue
            ((runs.Length = 1 && not refused) || (runs.IsEmpty && refused))
            (sprintf "%d ran once or was refused" id)

    Expect.isTrue (outcome.Places.Keys |> Seq.forall (fun id -> List.contains id works)) "only the program's work ran"

    let destroyingTasks =
        client
        |> List.choose (function
            | StartNew { Id = id; Body = DestroyFromWork } -> Some id
            | _ -> None)

    Expect.equal
        outcome.Rejected
        (destroyingTasks |> List.filter outcome.Places.ContainsKey |> List.length)
        "one destroy rejected per destroying task that ran"

let tests =
    testList
        "model"
        [
            // Pinned reachable-state counts: a change to the specification that changes them must be deliberate.
            // Beside them, every outcome is checked on its own.
            testTheory
                "state counts of small configurations are pinned, and every outcome runs each piece of work once or refuses it"
                [ (0, 0); (1, 1); (2, 2) ]
            <| fun (workers, configuration) ->
                let expected = Map [ (0, 0), 17; (1, 1), 54; (2, 2), 3253 ]
                let client = clients[configuration]
                let result = check SchedulerSpecified workers client
                Expect.isNone result.Violation "no invariant is violated"
                Expect.equal result.Deadlocks [] "nothing deadlocks"
                Expect.isNonEmpty result.Terminals "some run finishes"

                for outcome in result.Terminals |> Set.map TaskSchedulerModel.outcome do
                    everyWorkOnce client outcome

                Expect.equal result.ReachableStates expected[(workers, configuration)] "the pinned state count"

            test "a destroy that drops queued work leaves an awaiter waiting, and the checker shows how" {
                let result = check DropsQueuedWork 1 [ task 1 Quiet; DestroyPool ]
                let violation = Expect.wantSome result.Violation "a violation is found"
                Expect.equal violation.Invariant "none left pending" "the violated invariant"
                // Shortest: the task is queued, destroy begins before the worker takes it, the worker leaves, and
                // the drain ends without running it (4 steps).
                Expect.equal violation.Path.Length 4 "the shortest path's length"
            }

            test
                "with no worker, destroy runs everything on the destroyer in queue order; after it, a task is refused and a post runs on its poster" {
                let outcomes = TaskSchedulerModel.allowedOutcomes 0 clients[0]

                Expect.equal
                    outcomes
                    (set
                        [
                            {
                                Places =
                                    Map [ 1, [ OnDestroyer ]; 2, [ OnDestroyer ]; 3, [ OnPoster ]; 11, [ OnDestroyer ] ]
                                DestroyerOrder = [ 1; 2; 11 ]
                                Refused = set [ 4 ]
                                Rejected = 0
                            }
                        ])
                    "the only outcome"
            }

            test "a task that destroys the pool completes after destroy, so its continuation is refused" {
                let client = [ task 1 DestroyFromWork; ContinueWith(1, 11); Post 2; DestroyPool ]
                let result = check SchedulerSpecified 1 client
                Expect.isNone result.Violation "no invariant is violated"
                Expect.equal result.Deadlocks [] "nothing deadlocks"
                let outcomes = result.Terminals |> Set.map TaskSchedulerModel.outcome

                for outcome in outcomes do
                    Expect.equal outcome.Rejected 1 "one of the two destroys is rejected"

                    if outcome.Refused.IsEmpty then
                        // The client destroyed first: the task's destroy is rejected and it completes before the
                        // drain ends, so its continuation runs in the drain.
                        Expect.equal outcome.Places[11] [ OnDestroyer ] "its continuation ran in the drain"
                    else
                        Expect.equal outcome.Refused (set [ 11 ]) "its continuation, queued after destroy, is refused"
                        Expect.equal outcome.Places[1] [ OnWorker ] "the task destroyed the pool from its worker"
                        Expect.isFalse (outcome.Places.ContainsKey 11) "the refused continuation never ran"

                Expect.isTrue
                    (outcomes |> Set.exists (fun o -> o.Refused = set [ 11 ]))
                    "the task destroys the pool, and its continuation is refused, in some interleaving"
            }

            testPropertyWithConfig
                (Checking.cases 100)
                "every invariant holds and nothing deadlocks in every generated configuration"
            <| Prop.forAll programs (fun (workers, client) ->
                let result = check SchedulerSpecified workers client

                result.Violation.IsNone
                && result.Deadlocks.IsEmpty
                && not result.Terminals.IsEmpty)
        ]
