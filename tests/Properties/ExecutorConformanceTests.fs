/// The C# Executor, run under the explorer, against the executor model: what every observed run shows (the
/// sessions of each queue in the order their bodies began, the cancelled ones, the destroy calls that threw)
/// must be an outcome the model allows.
module Pool.Properties.ExecutorConformanceTests

open System
open System.Collections.Generic
open Expecto
open FsCheck
open FsCheck.FSharp
open Pool
open Pool.Model
open Pool.Threading

/// Runs a program on a real executor: the first client on the calling thread, a second one (if any) on its
/// own thread. A session's body records that it began, then makes its call. A submit or destroy that throws
/// (after destroy began) counts as the model counts it: the session as cancelled, the destroy as rejected.
let runOnExecutor workers (serial: Set<string>) (clients: ExecutorCall list list) (threading: IThreading) =
    let gate = threading.CreateLock()
    let began = List<Session>()
    let cancelled = List<Session>()
    let rejectedDestroys = ref 0

    let locked f = Locking.locked gate f

    let executor = Executor(workers, 0, threading)

    let queues =
        [ "a"; "b"; "c" ]
        |> List.map (fun name -> name, executor.CreateQueue(name, serial.Contains name))
        |> Map.ofList

    let destroy () =
        try
            executor.Destroy()
        with :? InvalidOperationException ->
            locked (fun () -> rejectedDestroys.Value <- rejectedDestroys.Value + 1)

    let rec submit (session: Session) =
        let body () =
            locked (fun () -> began.Add session)

            match session.Body with
            | Returns -> ()
            | SubmitsFromSession child -> submit child
            | DestroysFromSession -> destroy ()

        try
            queues[session.Queue].Submit(body, (fun () -> locked (fun () -> cancelled.Add session)))
        with :? InvalidOperationException ->
            locked (fun () -> cancelled.Add session)

    let call =
        function
        | Submit session -> submit session
        | DestroyExecutor -> destroy ()

    let others =
        clients.Tail
        |> List.mapi (fun i calls -> threading.Start((fun () -> List.iter call calls), sprintf "client %d" (i + 1)))

    List.iter call clients.Head

    for client in others do
        client.Join()

    // The virtual clock moves only when every other thread is blocked or has finished: a destroy called by a
    // session (the client's own destroy then threw at once) has finished before the outcome is read.
    threading.Sleep(TimeSpan.FromSeconds 1.0)

    locked (fun () -> ExecutorModel.observed began cancelled rejectedDestroys.Value)

/// The first outcome of the C# executor under the explorer (150 schedules, seed 1) the model does not
/// allow, or what else went wrong.
let private disagreement workers serial clients : string option =
    Locking.disagreementUnderExplorer
        150
        (runOnExecutor workers serial clients)
        (ExecutorModel.allowedOutcomes workers serial clients)
    |> Option.map (sprintf "program (%d workers, serial %A) %A:\n%s" workers serial clients)

/// Conformance runs the explorer and the real executor: its tests run one at a time, after the others.
let tests =
    testSequenced
    <| testList
        "conformance"
        [
            testPropertyWithConfig
                (Checking.cases 30)
                "every outcome of the C# executor under the explorer is one the model allows"
            <| Prop.forAll (ExecutorModelTests.executorPrograms 1 4) (fun (workers, serial, clients) ->
                match disagreement workers serial clients with
                | None -> true
                | Some problem -> failwith problem)

            // A session of a serial queue destroys the executor while its queue holds sessions: the queue has no
            // pool task for destroy to drain, and its sessions must still be reported cancelled. The mutation
            // check (tests/Coyote/Mutants) runs this test against DestroySkipsRunningSerialQueues and expects it
            // to fail.
            test "the executor conforms when a session of a serial queue destroys it" {
                let session queue number body =
                    Submit
                        {
                            Queue = queue
                            Number = number
                            Body = body
                        }

                let client =
                    [
                        session "a" 1 DestroysFromSession
                        session "a" 2 Returns
                        session "b" 3 Returns
                        DestroyExecutor
                    ]

                let problem = disagreement 1 (Set.singleton "a") [ client ]
                Expect.isNone problem "the real executor must conform"
            }
        ]
