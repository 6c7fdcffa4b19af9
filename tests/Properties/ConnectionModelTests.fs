/// The connection lifecycle's model on its own: releases, replies owed to a half-closed peer, pinned state
/// counts, and the seeded teardown defects it catches.
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

            test "the connection model's state counts are pinned" {
                let resets = check ConnectionSpecified (ConnectionModel.sendsThenResets 2).Script
                let halfCloses = check ConnectionSpecified (halfCloseAfter 2)
                Expect.equal resets.ReachableStates 68 "the pinned state count of 2 messages, then a reset"
                Expect.equal halfCloses.ReachableStates 50 "the pinned state count of 2 messages, then a half-close"
            }

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
