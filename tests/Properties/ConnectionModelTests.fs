module Pool.Properties.ConnectionModelTests

open Xunit
open Pool.Model

let private check variant messages =
    Checker.check 1_000_000 (ConnectionModel.system variant messages)

[<Fact>]
let ``peer close at any point releases exactly once with nothing in flight`` () =
    let result = check ConnectionSpecified 3
    Assert.True(result.Violation.IsNone, sprintf "%A" result.Violation)
    Assert.Empty(result.Deadlocks)

    for terminal in result.Terminals do
        Assert.Equal(1, terminal.History |> List.filter ((=) Released) |> List.length)

[<Fact>]
let ``the connection model's state count is pinned`` () =
    Assert.Equal(48, (check ConnectionSpecified 2).ReachableStates)

[<Theory>]
[<InlineData("InFlightAfterDispatch")>]
[<InlineData("ReleaseIgnoringInFlight")>]
let ``each seeded teardown defect releases a connection a worker still uses`` (variant: string) =
    let variant =
        match variant with
        | "InFlightAfterDispatch" -> InFlightAfterDispatch
        | _ -> ReleaseIgnoringInFlight

    let result = check variant 1

    let violation =
        result.Violation |> Option.defaultWith (fun () -> failwith "no violation")

    Assert.Equal("released only when idle", violation.Invariant)
