/// The C# TaskQueue, run under the explorer, against the queue's model: consumers loop on Dequeue, producers
/// enqueue, and the main thread closes, joins the consumers and drains; every observed outcome must be one the
/// model allows.
module Pool.Properties.QueueConformanceTests

open System
open System.Collections.Generic
open Expecto
open FsCheck
open FsCheck.FSharp
open Pool
open Pool.Model
open Pool.Threading

/// Runs one program on the real queue over the given threading and reports what it shows. A task that runs twice
/// shows as its number negated beside it, which no outcome of the model has.
let runOnQueue (program: QueueProgram) (threading: IThreading) : QueueOutcome =
    let gate = threading.CreateLock()
    let ran = HashSet<TaskId>()
    let drained = List<TaskId>()
    let refused = List<QueueCall>()
    let mutable exits = 0
    let locked f = Locking.locked gate f
    let queue = TaskQueue(threading)

    let task (id: TaskId) =
        PoolTask(
            (fun _ ->
                locked (fun () ->
                    if not (ran.Add id) then
                        ran.Add -id |> ignore)),
            box id
        )

    let consume () =
        let own = queue.JoinConsumers()
        let rechecks = queue.NewSpinBudget()
        let mutable consuming = true

        while consuming do
            match queue.Dequeue(own, rechecks) with
            | DequeueResult.Task, next -> next.Routine.Invoke next.Context
            | DequeueResult.Exit, _ ->
                locked (fun () -> exits <- exits + 1)
                consuming <- false
            | _ -> consuming <- false

        own.Abandon()

    let produce (calls: QueueCall list) () =
        for call in calls do
            try
                match call with
                | Put id ->
                    let next = task id
                    queue.Enqueue(&next)
                | PutExit -> queue.EnqueueExit()
            with :? InvalidOperationException ->
                locked (fun () -> refused.Add call)

    let consumers =
        [ for _ in 1 .. program.Consumers -> threading.Start(Action consume) ]

    let producers =
        [ for calls in program.Producers -> threading.Start(Action(produce calls)) ]

    if program.Destroys then
        queue.Close()

        for consumer in consumers do
            consumer.Join()

        let mutable draining = true

        while draining do
            match queue.TryDrain() with
            | true, next -> drained.Add(unbox<TaskId> next.Context)
            | false, _ -> draining <- false

    for producer in producers do
        producer.Join()

    locked (fun () ->
        {
            Ran = Set.ofSeq ran
            Drained = List.ofSeq drained
            ExitsTaken = exits
            Refused = List.sort (List.ofSeq refused)
        })

/// Explores a program on the C# queue; returns the first outcome the model does not allow, or a bug the explorer
/// found.
let disagreement (iterations: int) (program: QueueProgram) : string option =
    Locking.disagreementUnderExplorer iterations (runOnQueue program) (QueueModel.allowedOutcomes program)

/// The programs: 1-2 consumers, 1-2 producers, 2-3 tasks, with and without an exit entry; each ends with the
/// close, the join and the drain.
let private programs =
    [
        "1 consumer, 2 tasks", 1, [ [ Put 1; Put 2 ] ]
        "2 consumers, 3 tasks", 2, [ [ Put 1; Put 2; Put 3 ] ]
        "2 consumers, 2 producers, 3 tasks", 2, [ [ Put 1; Put 2 ]; [ Put 3 ] ]
        "2 consumers, 2 producers, 2 tasks and an exit entry", 2, [ [ Put 1; Put 2 ]; [ PutExit ] ]
    ]

/// Generated programs: 1-2 consumers, 1-3 calls (a task, or an exit entry now and then) dealt to 1-2 producers,
/// and the destroy.
let generatedPrograms: Arbitrary<QueueProgram> =
    gen {
        let! consumers = Gen.choose (1, 2)
        let! length = Gen.choose (1, 3)

        let! calls =
            [ 1..length ]
            |> List.map (fun id -> Gen.frequency [ 3, Gen.constant (Put id); 1, Gen.constant PutExit ])
            |> Gen.sequenceToList

        let! producerOf = Gen.listOfLength length (Gen.choose (0, 1))

        let producers =
            [ 0; 1 ]
            |> List.map (fun p -> List.zip producerOf calls |> List.filter (fst >> (=) p) |> List.map snd)
            |> List.filter (not << List.isEmpty)

        return
            {
                Consumers = consumers
                Producers = producers
                Destroys = true
            }
    }
    |> Arb.fromGen

/// Conformance runs the explorer and the real queue: its tests run one at a time, after the others.
let tests =
    testSequenced
    <| testList
        "conformance"
        [
            testTheory
                "every outcome of the C# queue under the explorer is one the model allows"
                (programs |> List.map (fun (name, _, _) -> name))
            <| fun name ->
                let _, consumers, producers = programs |> List.find (fun (n, _, _) -> n = name)

                let program =
                    {
                        Consumers = consumers
                        Producers = producers
                        Destroys = true
                    }

                Expect.isNone (disagreement 300 program) "the real queue must conform"

            testPropertyWithConfig
                (Checking.cases 10)
                "every outcome of the C# queue under the explorer is one the model allows, for generated programs"
            <| Prop.forAll generatedPrograms (fun program ->
                match disagreement 100 program with
                | None -> true
                | Some reason -> failwithf "program %A:\n%s" program reason)

            // The conformance above is not vacuous: the explorer drives the real queue into each of the model's
            // outcomes of the smallest program (the task runs, is drained, or comes after the seal).
            test "the explorer shows the C# queue running the task, draining it and refusing it" {
                let program =
                    {
                        Consumers = 1
                        Producers = [ [ Put 1 ] ]
                        Destroys = true
                    }

                match Locking.outcomesUnderExplorer 300 (runOnQueue program) with
                | Error bug -> failtest bug
                | Ok observed ->
                    Expect.equal observed (QueueModel.allowedOutcomes program) "every outcome the model allows is seen"
            }
        ]
