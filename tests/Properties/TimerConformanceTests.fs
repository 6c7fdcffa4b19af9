/// The real EventLoop and TimerQueue, under the explorer with virtual time, against the timer model: the
/// sequence of fires of every run must be one the model allows.
module Pool.Properties.TimerConformanceTests

open System
open System.Collections.Generic
open Expecto
open Pool
open Pool.Model
open Pool.Reactor
open Pool.Systematic
open Pool.Threading
open Pool.Scenarios.Network

let private horizon = 10

/// The fire sequences the model allows: (timer, second) in order.
let allowedFires calls =
    (Checker.check 1_000_000 (TimerModel.system TimersSpecified horizon calls)).Terminals
    |> Set.map (fun state ->
        state.History
        |> List.choose (function
            | Fired(id, at) -> Some(id, at)
            | CancelProcessed _ -> None))

/// Runs the calls on a real loop: a client thread makes them in order (they reach the loop as functors),
/// sleeping until the given second before each cancel so that it races the fires due then; times are
/// seconds of the explorer's virtual clock; the loop quits just after the horizon.
let runOnLoop (calls: TimerCall list) (cancelAt: Map<int, int>) (threading: IThreading) : (int * int) list =
    let network = new SimulatedNetwork(threading)
    let loop = new EventLoop(threading, network, network)
    let fired = List<int * int>()
    let ids = Dictionary<int, TimerId>()
    let second (time: TimeSpan) = int (Math.Round time.TotalSeconds)

    loop.RunAt(TimeSpan.FromSeconds(float horizon + 0.5), Action loop.Quit)
    |> ignore

    let thread = threading.Start(Action loop.Run, "loop")

    let client =
        threading.Start(
            (fun () ->
                for call in calls do
                    match call with
                    | AddTimer spec ->
                        let callback () =
                            fired.Add((spec.Id, second loop.Now))

                            if spec.CancelsItself then
                                loop.Cancel ids[spec.Id]

                        let due = TimeSpan.FromSeconds(float spec.Due)

                        ids[spec.Id] <-
                            match spec.Interval with
                            | Some interval when spec.Due = interval ->
                                loop.RunEvery(TimeSpan.FromSeconds(float interval), Action callback)
                            | Some _ -> failwith "this harness starts repeating timers one interval from now"
                            | None -> loop.RunAt(due, Action callback)
                    | CancelTimer id ->
                        let wait = TimeSpan.FromSeconds(float cancelAt[id]) - threading.Now

                        if wait > TimeSpan.Zero then
                            threading.Sleep wait

                        loop.Cancel ids[id]),
            "client"
        )

    client.Join()
    thread.Join()
    List.ofSeq fired

let private calls =
    [
        AddTimer
            {
                Id = 1
                Due = 2
                Interval = Some 2
                CancelsItself = false
            }
        AddTimer
            {
                Id = 2
                Due = 3
                Interval = Some 3
                CancelsItself = true
            }
        AddTimer
            {
                Id = 3
                Due = 5
                Interval = None
                CancelsItself = false
            }
        CancelTimer 1
        CancelTimer 3
    ]

/// Fire sequences of the real loop over 500 explored schedules that the model does not allow (every
/// schedule must end and show one sequence: Locking.runsUnderExplorer).
let private disallowedFires () =
    let allowed = allowedFires calls

    match Locking.runsUnderExplorer 500 (runOnLoop calls (Map [ 1, 4; 3, 5 ])) with
    | Error problem -> failtest problem
    | Ok observed -> observed |> List.filter (fun fires -> not (allowed.Contains fires))

/// Conformance runs the explorer and the real loop: its tests run one at a time, after the others.
let tests =
    testSequenced
    <| testList
        "conformance"
        [
            // With virtual time a cancel made at a timer's deadline is processed after the fire (the loop runs due
            // timers before queued functors), so the real loop shows fewer orders than the model allows; every one
            // it shows must be allowed. The mutation check (tests/Coyote/Mutants) runs this test against
            // CancelTimerNeverMatches and expects it to fail.
            test "every fire sequence of the real timer queue under the explorer is one the model allows" {
                Expect.equal (disallowedFires ()) [] "the fire sequences the model does not allow"
            }
        ]
