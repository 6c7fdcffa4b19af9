module Pool.Properties.TimerModelTests

open Xunit
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

[<Fact>]
let ``the specified timer queue keeps its invariants in every interleaving, with a pinned state count`` () =
    let result = check TimersSpecified calls
    Assert.True(result.Violation.IsNone, sprintf "%A" result.Violation)
    Assert.Empty(result.Deadlocks)
    Assert.Equal(55, result.ReachableStates)

    // A self-cancelled timer fires exactly once in every outcome.
    for terminal in result.Terminals do
        let firesOfTwo =
            terminal.History
            |> List.filter (function
                | Fired(2, _) -> true
                | _ -> false)

        Assert.Equal(1, firesOfTwo.Length)

[<Theory>]
[<InlineData("CancelNeverMatches")>]
[<InlineData("RearmAfterSelfCancel")>]
let ``each seeded timer defect fires after a processed cancel`` (variant: string) =
    let variant =
        match variant with
        | "CancelNeverMatches" -> CancelNeverMatches
        | _ -> RearmAfterSelfCancel

    let result = check variant calls

    let violation =
        result.Violation |> Option.defaultWith (fun () -> failwith "no violation")

    Assert.Equal("no fire after cancel", violation.Invariant)
