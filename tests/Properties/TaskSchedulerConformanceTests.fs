/// The C# PoolTaskScheduler, with real Task objects, run under the explorer against the scheduler model: every
/// observed outcome (where each piece of work ran, the destroyer's order, what was refused) must be one the
/// model allows.
module Pool.Properties.TaskSchedulerConformanceTests

open System
open System.Collections.Generic
open System.Threading
open System.Threading.Tasks
open Expecto
open FsCheck
open FsCheck.FSharp
open Pool
open Pool.Model
open Pool.Tasks
open Pool.Threading

/// Runs one program on a pool and its scheduler over the given threading and reports what its user observes.
/// A piece of work records where it ran: on the thread inside DestroyPool (marked by a thread-local flag around
/// every DestroyPool call), on a worker, or else on the thread that posted it.
let runOnScheduler (workers: int) (client: SchedulerCall list) (threading: IThreading) : SchedulerOutcome =
    let gate = threading.CreateLock()
    let locked f = Locking.locked gate f
    let places = Dictionary<TaskId, Place list>()
    let destroyerOrder = List<TaskId>()
    let refused = HashSet<TaskId>()
    let mutable rejected = 0
    let insideDestroy = threading.CreateThreadLocal<obj>() // the marker below while the thread is inside DestroyPool
    let inside = obj ()
    let pool = ThreadPool(workers, 0, threading)
    let scheduler = PoolTaskScheduler(pool)
    let started = Dictionary<TaskId, Task>() // the client's tasks, for its ContinueWith calls
    let continuations = List<TaskId * Task>()

    let record id =
        let place =
            if obj.ReferenceEquals(insideDestroy.Value, inside) then
                OnDestroyer
            elif pool.InPool then
                OnWorker
            else
                OnPoster

        locked (fun () ->
            let earlier =
                match places.TryGetValue id with
                | true, earlier -> earlier
                | _ -> []

            places[id] <- earlier @ [ place ]

            if place = OnDestroyer then
                destroyerOrder.Add id)

    let destroy () =
        let outer = insideDestroy.Value
        insideDestroy.Value <- inside

        try
            try
                scheduler.DestroyPool()
            with :? InvalidOperationException ->
                locked (fun () -> rejected <- rejected + 1)
        finally
            insideDestroy.Value <- outer

    let rec startNew (work: Work) : Task option =
        try
            Task.Factory.StartNew(
                Action(fun () ->
                    record work.Id
                    effect work.Body),
                CancellationToken.None,
                TaskCreationOptions.None,
                scheduler
            )
            |> Some
        with :? TaskSchedulerException ->
            locked (fun () -> refused.Add work.Id |> ignore)
            None

    and effect body =
        match body with
        | Quiet -> ()
        | StartChild child -> startNew { Id = child; Body = Quiet } |> ignore
        | DestroyFromWork -> destroy ()

    for call in client do
        match call with
        | StartNew work -> startNew work |> Option.iter (fun task -> started[work.Id] <- task)
        | ContinueWith(antecedent, id) ->
            match started.TryGetValue antecedent with
            | true, task ->
                let continuation =
                    task.ContinueWith(
                        (fun (_: Task) -> record id),
                        CancellationToken.None,
                        TaskContinuationOptions.None,
                        scheduler
                    )

                continuations.Add((id, continuation))
            | _ -> () // StartNew refused the antecedent: there is no task to continue
        | Post id -> scheduler.SynchronizationContext.Post((fun _ -> record id), null)
        | DestroyPool -> destroy ()

    // The virtual clock moves only when every other thread is blocked or has finished: every piece of work has
    // settled (a destroying task's drain included) before the outcome is read.
    threading.Sleep(TimeSpan.FromSeconds 1.0)

    for id, continuation in continuations do
        match continuation.Exception with
        | null -> ()
        | failure when failure.InnerExceptions |> Seq.exists (fun e -> e :? TaskSchedulerException) ->
            locked (fun () -> refused.Add id |> ignore)
        | _ -> ()

    locked (fun () ->
        {
            Places = places |> Seq.map (fun entry -> entry.Key, entry.Value) |> Map.ofSeq
            DestroyerOrder = List.ofSeq destroyerOrder
            Refused = Set.ofSeq refused
            Rejected = rejected
        })

/// Explores a program on the C# scheduler; the first outcome the model does not allow, or a bug the explorer found.
let disagreement (iterations: int) (workers: int) (client: SchedulerCall list) : string option =
    Locking.disagreementUnderExplorer
        iterations
        (runOnScheduler workers client)
        (TaskSchedulerModel.allowedOutcomes workers client)

/// Conformance runs the explorer and the real scheduler: its tests run one at a time, after the others.
let tests =
    testSequenced
    <| testList
        "conformance"
        [
            testPropertyWithConfig
                (Checking.cases 40)
                "every outcome of the C# scheduler under the explorer is one the model allows"
            <| Prop.forAll TaskSchedulerModelTests.programs (fun (workers, client) ->
                match disagreement 150 workers client with
                | None -> true
                | Some reason -> failwithf "program (%d workers) %A:\n%s" workers client reason)

            // A task destroys the pool while the client starts, continues and posts: work queued during the drain
            // runs on the destroying task's thread, the destroying task's own continuation is refused, and a post
            // after destroy runs on the client. The mutation check runs this fact against
            // PostChecksDestroyedBeforeScheduling and expects it to fail.
            test "the scheduler conforms when a task destroys the pool while the client posts" {
                let client =
                    [
                        StartNew { Id = 1; Body = DestroyFromWork }
                        ContinueWith(1, 11)
                        StartNew { Id = 2; Body = StartChild 102 }
                        Post 3
                        Post 4
                        DestroyPool
                        Post 5
                    ]

                Expect.isNone (disagreement 1000 2 client) "the real scheduler must conform"
            }
        ]
