/// Sequential conformance: the C# ThreadPool on real threads, starting with one worker, driven by a client
/// that waits for the pool to settle after every call, must show exactly the model's outcome when the model
/// runs the same discipline (every internal step before the next client call).
module Pool.Properties.PoolSequentialTests

open System
open System.Collections.Concurrent
open System.Threading
open FsCheck
open FsCheck.FSharp
open Expecto
open Pool
open Pool.Model

/// The model's settled state after each client call (internal steps first, then the next call).
let settledStates (workers: int) (client: ClientCall list) : PoolState list =
    let isCall (step, _) =
        match step with
        | Call _ -> true
        | _ -> false

    let rec settle state =
        match PoolModel.next Specified state |> List.tryFind (isCall >> not) with
        | Some(_, after) -> settle after
        | None -> state

    let rec run state =
        match PoolModel.next Specified state |> List.tryFind isCall with
        | Some(_, after) ->
            let settled = settle after
            settled :: run settled
        | None -> []

    run (settle (PoolModel.initial workers client))

/// Runs the calls on a real pool; after each, waits (bounded) until the pool matches the model's settled
/// state, then compares what the user can see. None when every step matched.
let disagreement (client: ClientCall list) : string option =
    let expected = settledStates 1 client
    let pool = ThreadPool(1)
    let ran = ConcurrentDictionary<TaskId, int>()
    let pending = ConcurrentQueue<TaskId>()
    let mutable rejected = 0

    let rec toPoolTask (spec: TaskSpec) =
        PoolTask(
            (fun _ ->
                ran.AddOrUpdate(spec.Id, 1, (fun _ n -> n + 1)) |> ignore

                match spec.Body with
                | Plain -> ()
                | ScheduleChild child -> pool.Schedule(toPoolTask { Id = child; Body = Plain })
                | ExitWorker -> pool.Exit()
                | DestroyFromTask -> failwith "not generated: destroy from a task is not sequential"),
            box spec.Id
        )

    let observe () =
        {
            Ran = Set.ofSeq ran.Keys
            Pending = List.ofSeq pending
            Refused = Set.empty
            Rejected = rejected
            CountAfter = pool.ThreadCount
        }

    let perform call =
        try
            match call with
            | Schedule spec -> pool.Schedule(toPoolTask spec)
            | Increase -> pool.Increase()
            | Decrease -> pool.Decrease()
            | Destroy -> pool.Destroy(Action<PoolTask>(fun task -> pending.Enqueue(unbox<TaskId> task.Context)))
            | DestroyScheduling _ -> failwith "not generated"
        with :? InvalidOperationException ->
            rejected <- rejected + 1

    List.zip client expected
    |> List.tryPick (fun (call, state) ->
        perform call
        let want = PoolModel.outcome state

        SpinWait.SpinUntil((fun () -> observe () = want), TimeSpan.FromSeconds 30.0)
        |> ignore

        let got = observe ()

        if got <> want then
            Some(sprintf "after %A: the pool shows %A, the model %A" call got want)
        elif ran.Values |> Seq.exists (fun n -> n <> 1) then
            Some(sprintf "after %A: a task ran twice" call)
        else
            None)

let programs: Arbitrary<ClientCall list> =
    gen {
        let! length = Gen.choose (1, 6)

        let! calls =
            [ 1..length ] |> List.map PoolConformanceTests.clientCall |> Gen.sequenceToList

        return calls @ [ Destroy ]
    }
    |> fun generated -> Arb.fromGenShrink (generated, Checking.withoutOneCall 1)

/// Real threads, with bounded waits: its test runs alone, after the others.
let tests =
    testSequenced
    <| testList
        "sequential"
        [
            testPropertyWithConfig
                (Checking.cases 100)
                "a settled one-worker pool shows exactly the model's outcome after every call"
            <| Prop.forAll programs (fun client ->
                match disagreement client with
                | None -> true
                | Some problem -> failwithf "program %A:\n%s" client problem)
        ]
