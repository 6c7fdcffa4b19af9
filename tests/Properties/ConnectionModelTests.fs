/// The connection lifecycle's model on its own: releases, replies owed to a half-closed peer, pinned state
/// counts beside checks on every outcome, and the seeded teardown defects it catches.
module Pool.Properties.ConnectionModelTests

open Expecto
open Pool.Model

let private check variant script =
    Checker.check 1_000_000 (ConnectionModel.system variant script)

let private halfCloseAfter messages =
    [ for k in 1..messages -> SendMessage k ] @ [ HalfClose ]

let tests =
    testList
        "model"
        [
            test "a reset at any point releases exactly once with nothing in flight" {
                let result = check ConnectionSpecified (ConnectionModel.sendsThenResets 3).Script
                Expect.isNone result.Violation "no invariant is violated"
                Expect.equal result.Deadlocks [] "nothing deadlocks"

                for terminal in result.Terminals do
                    let releases = terminal.History |> List.filter ((=) Released) |> List.length
                    Expect.equal releases 1 "one release in every outcome"
            }

            test "a half-closed peer gets a reply to every message" {
                let result = check ConnectionSpecified (halfCloseAfter 3)
                Expect.isNone result.Violation "no invariant is violated"
                Expect.equal result.Deadlocks [] "nothing deadlocks"

                let written =
                    ConnectionModel.allowedOutcomes (halfCloseAfter 3)
                    |> Set.map (fun outcome -> outcome.Written)

                Expect.equal written (Set.singleton (Set.ofList [ 1; 2; 3 ])) "every outcome writes every reply"
            }

            test "the connection model's state counts are pinned, and every outcome releases once" {
                let resets = check ConnectionSpecified (ConnectionModel.sendsThenResets 2).Script
                let halfCloses = check ConnectionSpecified (halfCloseAfter 2)

                for result in [ resets; halfCloses ] do
                    Expect.isNone result.Violation "no invariant is violated"
                    Expect.equal result.Deadlocks [] "nothing deadlocks"
                    Expect.isNonEmpty result.Terminals "some run finishes"

                    for terminal in result.Terminals do
                        let releases = terminal.History |> List.filter ((=) Released) |> List.length
                        Expect.equal releases 1 "one release in every outcome"

                Expect.equal
                    (ConnectionModel.allowedOutcomes (halfCloseAfter 2) |> Set.map _.Written)
                    (Set.singleton (set [ 1; 2 ]))
                    "a half-closed peer gets both replies in every outcome"

                Expect.equal resets.ReachableStates 68 "the pinned state count of 2 messages, then a reset"
                Expect.equal halfCloses.ReachableStates 50 "the pinned state count of 2 messages, then a half-close"
            }

            test "a worker may write its reply itself once the message is read on an open connection" {
                let system = ConnectionModel.system ConnectionSpecified (halfCloseAfter 1)

                let afterRead =
                    system.Next system.Initial
                    |> List.find (fst >> (=) (PeerActs(SendMessage 1)))
                    |> snd
                    |> system.Next
                    |> List.find (fst >> (=) (ReceiveMessage 1))
                    |> snd

                Expect.contains (system.Next afterRead |> List.map fst) (WorkerWrites 1) "the direct write is enabled"
            }

            testTheory
                "a worker's own write is its queued reply processed at once: no state the loop could not reach"
                [
                    ConnectionModel.sendsThenResets 2 |> _.Script
                    halfCloseAfter 2
                    [ SendMessage 1; Reset; SendMessage 2 ]
                ]
            <| fun script ->
                let system = ConnectionModel.system ConnectionSpecified script

                // In every reachable state, each direct write leads where "queue the reply, then the loop writes
                // it" leads: the shortcut refines the loop's path, so every invariant and outcome carries over.
                let shortcutRefinesTheLoop state =
                    let next = system.Next state

                    next
                    |> List.forall (function
                        | WorkerWrites k, direct ->
                            next
                            |> List.exists (function
                                | WorkerDone j, queued when j = k ->
                                    system.Next queued
                                    |> List.exists (fun (step, after) -> step = ProcessReply k && after = direct)
                                | _ -> false)
                        | _ -> true)

                let result =
                    Checker.check
                        1_000_000
                        { system with
                            Invariants =
                                [ "a direct write is a queued reply processed at once", shortcutRefinesTheLoop ]
                        }

                Expect.isNone result.Violation "every direct write refines the loop's path"
                Expect.equal result.Deadlocks [] "nothing deadlocks"

            testTheory
                "each seeded teardown defect loses a reply owed to a half-closed peer"
                [ InFlightAfterDispatch; ReleaseIgnoringInFlight ]
            <| fun variant ->
                let result = check variant (halfCloseAfter 1)
                let violation = Expect.wantSome result.Violation "a violation is found"

                Expect.contains
                    [ "released only when idle"; "a half-closed peer gets every reply" ]
                    violation.Invariant
                    "the violated invariant"
        ]
