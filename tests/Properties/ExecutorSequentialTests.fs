/// Sequential conformance of the executor: one worker on real threads, held by the first session while the
/// client submits the rest, then released. With one worker the start order is fully determined (round robin
/// between queues through the pool's FIFO), and it must be exactly the model's under the same discipline.
module Pool.Properties.ExecutorSequentialTests

open System
open System.Collections.Concurrent
open System.Threading
open FsCheck
open FsCheck.FSharp
open Expecto
open Pool
open Pool.Model

/// The model's start order: the first session starts (and is held), every other call is made, then
/// everything runs. The order is the one of the StartSession steps taken (one worker: also the order in
/// which the bodies begin).
let expectedStarts (serial: Set<string>) (sessions: Session list) : Session list =
    let first = List.head sessions

    let isCall (step, _) =
        match step with
        | ExecCall _ -> true
        | _ -> false

    let rec settle allowed (state, started) =
        match
            ExecutorModel.next ExecutorSpecified state
            |> List.tryFind (fun s -> not (isCall s) && allowed (fst s))
        with
        | Some(StartSession(_, session), after) -> settle allowed (after, session :: started)
        | Some(_, after) -> settle allowed (after, started)
        | None -> state, started

    let rec callAll state =
        match ExecutorModel.next ExecutorSpecified state |> List.tryFind isCall with
        | Some(_, after) -> callAll after
        | None -> state

    let client = sessions |> List.map Submit
    let start = ExecutorModel.initial 1 serial client

    let afterFirstCall =
        ExecutorModel.next ExecutorSpecified start |> List.find isCall |> snd

    let held, started =
        settle (fun step -> step <> FinishSession(0, first)) (afterFirstCall, [])

    settle (fun _ -> true) (callAll held, started) |> snd |> List.rev

/// Runs the same discipline on a real executor; the global start order it shows.
let observedStarts (serial: Set<string>) (sessions: Session list) : Session list =
    let executor = Executor(1)
    let started = ConcurrentQueue<Session>()
    use gate = new ManualResetEventSlim()
    let limit = TimeSpan.FromSeconds 30.0

    let queues =
        [ "a"; "b"; "c" ]
        |> List.map (fun name -> name, executor.CreateQueue(name, serial.Contains name))
        |> Map.ofList

    let submit (session: Session) body =
        queues[session.Queue]
            .Submit(fun () ->
                started.Enqueue session
                body ())

    let first = List.head sessions
    submit first (fun () -> gate.Wait limit |> ignore)
    SpinWait.SpinUntil((fun () -> not started.IsEmpty), limit) |> ignore

    for session in List.tail sessions do
        submit session ignore

    gate.Set()
    SpinWait.SpinUntil((fun () -> started.Count = sessions.Length), limit) |> ignore
    executor.Destroy()
    List.ofSeq started

let private programs: Arbitrary<Set<string> * Session list> =
    gen {
        let! serial = Gen.subListOf [ "a"; "b"; "c" ] |> Gen.map Set.ofList
        let! length = Gen.choose (2, 8)
        let! queues = Gen.listOfLength length (Gen.elements [ "a"; "b"; "c" ])
        return serial, queues |> List.mapi (fun i q -> ExecutorModel.session q (i + 1))
    }
    |> Arb.fromGen

/// Real threads, with bounded waits: its test runs alone, after the others.
let tests =
    testSequenced
    <| testList
        "sequential"
        [
            testPropertyWithConfig
                (Checking.cases 100)
                "a one-worker executor starts sessions in exactly the model's order"
            <| Prop.forAll programs (fun (serial, sessions) ->
                let expected = expectedStarts serial sessions
                let observed = observedStarts serial sessions

                if observed <> expected then
                    failwithf "serial %A, sessions %A: started %A, the model says %A" serial sessions observed expected

                true)
        ]
