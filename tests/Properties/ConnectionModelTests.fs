module Pool.Properties.ConnectionModelTests

open Xunit
open Pool.Model

let private check variant script =
    Checker.check 1_000_000 (ConnectionModel.system variant script)

let private halfCloseAfter messages =
    [ for k in 1..messages -> SendMessage k ] @ [ HalfClose ]

[<Fact>]
let ``a reset at any point releases exactly once with nothing in flight`` () =
    let result = check ConnectionSpecified (ConnectionModel.sendsThenResets 3).Script
    Assert.True(result.Violation.IsNone, sprintf "%A" result.Violation)
    Assert.Empty(result.Deadlocks)

    for terminal in result.Terminals do
        Assert.Equal(1, terminal.History |> List.filter ((=) Released) |> List.length)

[<Fact>]
let ``a half-closed peer gets a reply to every message`` () =
    let result = check ConnectionSpecified (halfCloseAfter 3)
    Assert.True(result.Violation.IsNone, sprintf "%A" result.Violation)
    Assert.Empty(result.Deadlocks)

    let outcomes = ConnectionModel.allowedOutcomes (halfCloseAfter 3)

    Assert.Equal<Set<int>>(Set.singleton (Set.ofList [ 1; 2; 3 ]), outcomes |> Set.map (fun outcome -> outcome.Written))

[<Fact>]
let ``the connection model's state counts are pinned`` () =
    Assert.Equal(68, (check ConnectionSpecified (ConnectionModel.sendsThenResets 2).Script).ReachableStates)
    Assert.Equal(50, (check ConnectionSpecified (halfCloseAfter 2)).ReachableStates)

[<Theory>]
[<InlineData("InFlightAfterDispatch")>]
[<InlineData("ReleaseIgnoringInFlight")>]
let ``each seeded teardown defect loses a reply owed to a half-closed peer`` (variant: string) =
    let variant =
        match variant with
        | "InFlightAfterDispatch" -> InFlightAfterDispatch
        | _ -> ReleaseIgnoringInFlight

    let result = check variant (halfCloseAfter 1)

    let violation =
        result.Violation |> Option.defaultWith (fun () -> failwith "no violation")

    Assert.Contains(violation.Invariant, [ "released only when idle"; "a half-closed peer gets every reply" ])
