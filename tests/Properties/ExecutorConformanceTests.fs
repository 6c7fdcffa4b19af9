/// The C# Executor, run under the explorer, against the executor model: per-queue start order and the
/// cancelled sessions of every observed run must be an outcome the model allows.
module Pool.Properties.ExecutorConformanceTests

open System.Collections.Generic
open Expecto
open FsCheck
open FsCheck.FSharp
open Pool
open Pool.Model
open Pool.Systematic
open Pool.Threading

/// What a user of the executor observes: sessions started per queue and the cancelled ones. Order is kept
/// for serial queues only: sessions of a concurrent queue leave it in order but their bodies may begin in
/// any order on different workers, so for those the set is what is observable.
type ExecutorOutcome =
    {
        StartedPerQueue: Map<string, int list>
        CancelledSessions: Set<int>
    }

let private outcomeOf (serial: Set<string>) (started: (string * int) seq) (cancelled: int seq) =
    {
        StartedPerQueue =
            started
            |> Seq.groupBy fst
            |> Seq.map (fun (queue, sessions) ->
                let numbers = sessions |> Seq.map snd |> List.ofSeq
                queue, (if serial.Contains queue then numbers else List.sort numbers))
            |> Map.ofSeq
        CancelledSessions = Set.ofSeq cancelled
    }

let allowedOutcomes workers serial client =
    (Checker.check 2_000_000 (ExecutorModel.system ExecutorSpecified workers serial client)).Terminals
    |> Set.map (fun state ->
        outcomeOf
            serial
            (state.Started |> List.map (fun s -> s.Queue, s.Number))
            (state.Cancelled |> List.map _.Number))

let runOnExecutor workers (serial: Set<string>) (client: ExecutorCall list) (threading: IThreading) =
    let gate = threading.CreateLock()
    let started = List<string * int>()
    let cancelled = List<int>()

    let locked f = Locking.locked gate f

    let executor = Executor(workers, 0, threading)

    let queues =
        [ "a"; "b"; "c" ]
        |> List.map (fun name -> name, executor.CreateQueue(name, serial.Contains name))
        |> Map.ofList

    for call in client do
        match call with
        | Submit session ->
            queues[session.Queue]
                .Submit(
                    (fun () -> locked (fun () -> started.Add((session.Queue, session.Number)))),
                    (fun () -> locked (fun () -> cancelled.Add session.Number))
                )
        | DestroyExecutor -> executor.Destroy()

    locked (fun () -> outcomeOf serial started cancelled)

let private programs: Arbitrary<int * Set<string> * ExecutorCall list> =
    gen {
        let! workers = Gen.choose (1, 2)
        let! serial = Gen.subListOf [ "a"; "b"; "c" ] |> Gen.map Set.ofList
        let! length = Gen.choose (1, 4)
        let! queues = Gen.listOfLength length (Gen.elements [ "a"; "b"; "c" ])
        let calls = queues |> List.mapi (fun i q -> Submit { Queue = q; Number = i + 1 })
        return workers, serial, calls @ [ DestroyExecutor ]
    }
    |> Arb.fromGen

/// Every outcome of the C# executor under the explorer (150 schedules, seed 1), or what went wrong.
let private disagreement workers serial client : string option =
    Locking.disagreementUnderExplorer 150 (runOnExecutor workers serial client) (allowedOutcomes workers serial client)
    |> Option.map (sprintf "program (%d workers, serial %A) %A:\n%s" workers serial client)

/// Conformance runs the explorer and the real executor: its tests run one at a time, after the others.
let tests =
    testSequenced
    <| testList
        "conformance"
        [
            testPropertyWithConfig
                (Checking.cases 30)
                "every outcome of the C# executor under the explorer is one the model allows"
            <| Prop.forAll programs (fun (workers, serial, client) ->
                match disagreement workers serial client with
                | None -> true
                | Some problem -> failwith problem)
        ]
