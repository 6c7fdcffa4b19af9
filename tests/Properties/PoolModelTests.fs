module Pool.Properties.PoolModelTests

open Xunit
open FsCheck
open FsCheck.FSharp
open Pool.Model

let private task id body = Schedule { Id = id; Body = body }

let private check variant workers client =
    Checker.check 2_000_000 (PoolModel.system variant workers client)

/// Pinned reachable-state counts: a change to the specification that changes them must be deliberate.
[<Theory>]
[<InlineData(1, 0)>]
[<InlineData(2, 1)>]
[<InlineData(2, 2)>]
[<InlineData(3, 3)>]
let ``state counts of small configurations are pinned`` (workers: int) (configuration: int) =
    let clients =
        [|
            [ task 1 Plain; Destroy ]
            [ task 1 (ScheduleChild 11); task 2 Plain; Destroy ]
            [ task 1 ExitWorker; Decrease; task 2 (ScheduleChild 12); Increase; Destroy ]
            [
                task 1 (ScheduleChild 11)
                task 2 DestroyFromTask
                task 3 ExitWorker
                task 4 Plain
                Destroy
            ]
        |]

    let expected = Map [ (1, 0), 13; (2, 1), 282; (2, 2), 358; (3, 3), 25417 ]
    let result = check Specified workers clients[configuration]
    Assert.True(result.Violation.IsNone, sprintf "%A" result.Violation)
    Assert.Empty(result.Deadlocks)
    Assert.Equal(expected[(workers, configuration)], result.ReachableStates)

[<Fact>]
let ``the wrong variant loses a task and the checker returns a shortest path to it`` () =
    let client = [ task 1 (ScheduleChild 11); Destroy ]
    let result = check ForgetsLateTasks 1 client

    let violation =
        result.Violation |> Option.defaultWith (fun () -> failwith "no violation found")

    Assert.Equal("exactly once", violation.Invariant)

    Assert.Equal<PoolStep list>(
        [
            Call(task 1 (ScheduleChild 11))
            Take(0, [ 1 ])
            Call Destroy
            Effect(0, 1)
            Finish(0, 1)
            Leave 0
            DrainComplete
        ],
        violation.Path
    )

[<Fact>]
let ``destroy from a task ends with every queued task in pending and nothing running`` () =
    let client = [ task 1 DestroyFromTask; task 2 Plain; task 3 Plain ]
    let result = check Specified 1 client
    Assert.True(result.Violation.IsNone)
    Assert.Empty(result.Deadlocks)

    for outcome in result.Terminals |> Set.map PoolModel.outcome do
        Assert.Equal(0, outcome.CountAfter)
        Assert.True(outcome.Ran.Contains 1)

/// Generated small programs: calls of one client thread, then destroy.
let programs: Arbitrary<int * ClientCall list> =
    let body id =
        Gen.elements [ Plain; ScheduleChild(100 + id); ExitWorker; DestroyFromTask ]

    let callAt id =
        Gen.frequency
            [
                4, body id |> Gen.map (fun b -> task id b)
                1, Gen.constant Increase
                1, Gen.constant Decrease
            ]

    gen {
        let! workers = Gen.choose (0, 2)
        let! length = Gen.choose (0, 3)
        let! calls = [ 1..length ] |> List.map callAt |> Gen.sequenceToList
        return workers, calls @ [ Destroy ]
    }
    |> Arb.fromGen

[<Fact>]
let ``every invariant holds and nothing deadlocks in every generated configuration`` () =
    let property (workers, client) =
        let result = check Specified workers client

        result.Violation.IsNone
        && result.Deadlocks.IsEmpty
        && not result.Terminals.IsEmpty

    Check.One(Config.QuickThrowOnFailure.WithMaxTest(100), Prop.forAll programs property)

[<Fact>]
let ``the model's largest take is the C# pool's claim capacity`` () =
    Assert.Equal(Pool.ClaimedTasks.Capacity, PoolModel.MaxTake)
