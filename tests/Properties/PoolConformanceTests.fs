/// The C# ThreadPool, run under the explorer, against the model: every observed outcome must be one the
/// specification allows (linearizability-style checking against the model's terminal outcomes).
module Pool.Properties.PoolConformanceTests

open System
open System.Collections.Generic
open Expecto
open FsCheck
open FsCheck.FSharp
open Pool
open Pool.Model
open Pool.Systematic
open Pool.Threading

/// Runs one program on the real pool over the given threading and reports what its user can observe.
let runOnPool (workers: int) (client: ClientCall list) (threading: IThreading) : PoolOutcome =
    let gate = threading.CreateLock()
    let ran = HashSet<TaskId>()
    let pending = List<TaskId>()
    let refused = HashSet<TaskId>()
    let mutable rejected = 0

    let locked f = Locking.locked gate f

    let pool = ThreadPool(workers, 0, threading)

    let attempt action onRefused =
        try
            action ()
        with :? InvalidOperationException ->
            locked onRefused

    let collect (task: PoolTask) =
        locked (fun () -> pending.Add(unbox<TaskId> task.Context))

    let rec toPoolTask (spec: TaskSpec) =
        PoolTask(
            (fun _ ->
                locked (fun () -> ran.Add spec.Id |> ignore)

                match spec.Body with
                | Plain -> ()
                | ScheduleChild child -> schedule { Id = child; Body = Plain }
                | ExitWorker -> pool.Exit()
                | DestroyFromTask ->
                    attempt (fun () -> pool.Destroy(Action<PoolTask> collect)) (fun () -> rejected <- rejected + 1)),
            box spec.Id
        )

    and schedule spec =
        attempt (fun () -> pool.Schedule(toPoolTask spec)) (fun () -> refused.Add spec.Id |> ignore)

    for call in client do
        match call with
        | Schedule spec -> schedule spec
        | Increase -> attempt pool.Increase (fun () -> rejected <- rejected + 1)
        | Decrease -> attempt pool.Decrease (fun () -> rejected <- rejected + 1)
        | Destroy -> attempt (fun () -> pool.Destroy(Action<PoolTask> collect)) (fun () -> rejected <- rejected + 1)
        | DestroyScheduling child ->
            let mutable first = true

            let collectAndSchedule (task: PoolTask) =
                collect task

                if first then
                    first <- false
                    schedule { Id = child; Body = Plain }

            attempt (fun () -> pool.Destroy(Action<PoolTask> collectAndSchedule)) (fun () -> rejected <- rejected + 1)

    // The virtual clock moves only when every other thread is blocked or has finished: a destroy called by a
    // task (the client's own destroy then threw at once) has finished before the outcome is read.
    threading.Sleep(TimeSpan.FromSeconds 1.0)

    locked (fun () ->
        {
            Ran = Set.ofSeq ran
            Pending = List.ofSeq pending
            Refused = Set.ofSeq refused
            Rejected = rejected
            CountAfter = pool.ThreadCount
        })

/// Explores a program on the C# pool; returns the first outcome the model does not allow, or a bug the explorer found.
let disagreement (iterations: int) (workers: int) (client: ClientCall list) : string option =
    Locking.disagreementUnderExplorer iterations (runOnPool workers client) (PoolModel.allowedOutcomes workers client)

/// One generated client call at position id: schedule a task with one of the given bodies (a child's number
/// is 100 + id); increase; decrease.
let clientCallWith (bodies: TaskId -> Body list) id =
    Gen.frequency
        [
            4,
            Gen.elements (bodies id)
            |> Gen.map (fun body -> Schedule { Id = id; Body = body })
            1, Gen.constant Increase
            1, Gen.constant Decrease
        ]

/// A task that schedules a child, exits its worker or neither (the pool's calls whose effect a settled pool
/// shows at once).
let clientCall =
    clientCallWith (fun id -> [ Plain; ScheduleChild(100 + id); ExitWorker ])

/// Programs of up to three calls, then the client's destroy (which throws when a task destroyed the pool
/// first).
let programs: Arbitrary<int * ClientCall list> =
    gen {
        let! workers = Gen.choose (0, 2)
        let! length = Gen.choose (1, 3)

        let! calls =
            [ 1..length ]
            |> List.map (clientCallWith (fun id -> [ Plain; ScheduleChild(100 + id); ExitWorker; DestroyFromTask ]))
            |> Gen.sequenceToList

        let! destroy = Gen.elements [ Destroy; DestroyScheduling 99 ]
        return workers, calls @ [ destroy ]
    }
    |> fun generated -> Arb.fromGenShrink (generated, Checking.fewerWorkersOrCalls 1)

/// Conformance runs the explorer and the real pool: its tests run one at a time, after the others.
let tests =
    testSequenced
    <| testList
        "conformance"
        [
            testPropertyWithConfig
                (Checking.cases 40)
                "every outcome of the C# pool under the explorer is one the model allows"
            <| Prop.forAll programs (fun (workers, client) ->
                match disagreement 150 workers client with
                | None -> true
                | Some reason -> failwithf "program (%d workers) %A:\n%s" workers client reason)

            // Worker 0 takes tasks 1 and 2 at once, runs 1, which exits; worker 1 runs 3; destroy finds 2 still
            // claimed. Only a pool whose workers claim several tasks shows this; the model allows it.
            test "a task claimed by a worker that exits may reach pending after a later task ran" {
                let client =
                    [
                        Schedule { Id = 1; Body = ExitWorker }
                        Schedule { Id = 2; Body = Plain }
                        Schedule { Id = 3; Body = Plain }
                        Destroy
                    ]

                let notAPrefix =
                    {
                        Ran = set [ 1; 3 ]
                        Pending = [ 2 ]
                        Refused = Set.empty
                        Rejected = 0
                        CountAfter = 0
                    }

                Expect.contains (PoolModel.allowedOutcomes 2 client) notAPrefix "the model allows it"

                match Locking.outcomesUnderExplorer 2000 (runOnPool 2 client) with
                | Error bug -> failtest bug
                | Ok observed -> Expect.contains observed notAPrefix "the explorer finds it on the C# pool"
            }

            // Tasks scheduled during the drain (a child of a running task, one from pending) must reach pending or
            // run. The mutation check (tests/Coyote/Mutants) runs this test against DestroyForgetsLateTasks and
            // expects it to fail.
            test "the pool conforms when tasks are scheduled during the destroy drain" {
                let client =
                    [
                        Schedule { Id = 1; Body = ScheduleChild 11 }
                        Schedule { Id = 2; Body = Plain }
                        DestroyScheduling 99
                    ]

                Expect.isNone (disagreement 300 1 client) "the real pool must conform"
            }
        ]
