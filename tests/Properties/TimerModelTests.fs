/// The timer queue's model on its own: its invariants in every interleaving, with a pinned state count, and
/// the seeded defects it catches.
module Pool.Properties.TimerModelTests

open Expecto
open Pool.Model

let private check variant calls =
    Checker.check 1_000_000 (TimerModel.system variant 10 calls)

let private repeating =
    {
        Id = 1
        Due = 1
        Interval = Some 2
        CancelsItself = false
    }

let private selfCancelling =
    { repeating with
        Id = 2
        CancelsItself = true
    }

/// A repeating timer cancelled from another thread at any point, and one that cancels itself.
let private calls = [ AddTimer repeating; AddTimer selfCancelling; CancelTimer 1 ]

let tests =
    testList
        "model"
        [
            test "the specified timer queue keeps its invariants in every interleaving, with a pinned state count" {
                let result = check TimersSpecified calls
                Expect.isNone result.Violation "no invariant is violated"
                Expect.equal result.Deadlocks [] "nothing deadlocks"
                Expect.equal result.ReachableStates 55 "the pinned state count"

                for terminal in result.Terminals do
                    let firesOfTwo =
                        terminal.History
                        |> List.filter (function
                            | Fired(2, _) -> true
                            | _ -> false)

                    Expect.equal firesOfTwo.Length 1 "a self-cancelled timer fires exactly once in every outcome"
            }

            testTheory
                "each seeded timer defect fires after a processed cancel"
                [ CancelNeverMatches; RearmAfterSelfCancel ]
            <| fun variant ->
                let result = check variant calls
                let violation = Expect.wantSome result.Violation "a violation is found"
                Expect.equal violation.Invariant "no fire after cancel" "the violated invariant"
        ]
