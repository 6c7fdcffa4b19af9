/// The queue's handshake model on its own: pinned state counts beside checks on every final state, the outcomes of
/// the smallest program written out by hand, and each wrong variant (a mutant of the C# queue) caught with its
/// counterexample.
module Pool.Properties.QueueModelTests

open System
open System.IO
open Expecto
open Microsoft.FSharp.Reflection
open Pool.Model

let private check variant program =
    Checker.check 2_000_000 (QueueModel.system variant program)

let private program consumers producers destroys =
    {
        Consumers = consumers
        Producers = producers
        Destroys = destroys
    }

let private tasks (program: QueueProgram) =
    program.Producers
    |> List.concat
    |> List.choose (function
        | Put task -> Some task
        | PutExit -> None)

let private exitEntries (program: QueueProgram) =
    program.Producers |> List.concat |> List.filter ((=) PutExit) |> List.length

/// What every final state of a program without destroy shows, checked apart from the invariants: every task ran
/// once, every exit entry was taken, and every consumer that did not leave is parked, asleep, or waiting for the
/// get lock that the sleeper holds, with one sleeper at most.
let private idleCompletely (program: QueueProgram) (final: QueueState) =
    Expect.equal final.Ran (List.sort (tasks program)) "every task ran exactly once"
    Expect.equal final.ExitsTaken (exitEntries program) "every exit entry was taken"
    Expect.isTrue (List.isEmpty final.Refused) "nothing was refused"

    for pc in final.Consumers do
        match pc with
        | Parked
        | SleepWaiting _
        | Exited -> ()
        | Locking -> Expect.isSome final.GetLock "a consumer waits for the get lock only while another holds it"
        | other -> failtestf "a consumer is %A in a final state" other

    let sleepers =
        final.Consumers
        |> List.filter (function
            | SleepWaiting _ -> true
            | _ -> false)

    Expect.isLessThanOrEqual sleepers.Length 1 "one consumer sleeps at most"

/// What every final state of a program with destroy shows: the destroy returned with the queue sealed and every
/// consumer gone; each task ran or was drained, never both, unless it was refused; every exit entry was taken or
/// refused, or dropped by the drain.
let private destroyedCompletely (program: QueueProgram) (final: QueueState) =
    let ran = Set.ofList final.Ran
    let drained = Set.ofList final.Drained

    let refused =
        final.Refused
        |> List.choose (function
            | Put task -> Some task
            | PutExit -> None)
        |> Set.ofList

    Expect.equal final.Destroyer (Some DestroyReturned) "destroy returned"
    Expect.isTrue final.Sealed "the queue is sealed"

    Expect.isTrue (final.Consumers |> List.forall (fun pc -> pc = Exited || pc = Closed)) "every consumer left"

    Expect.equal ran.Count final.Ran.Length "no task ran twice"
    Expect.equal drained.Count final.Drained.Length "no task was drained twice"

    for a, b in [ ran, drained; ran, refused; drained, refused ] do
        Expect.isTrue (Set.intersect a b).IsEmpty "no task is in two of ran, drained and refused"

    Expect.equal (Set.unionMany [ ran; drained; refused ]) (Set.ofList (tasks program)) "every task is accounted for"

/// The configurations whose state counts are pinned: (consumers, producers' calls, destroy).
let private pinned =
    [
        "1 consumer, 2 tasks", program 1 [ [ Put 1; Put 2 ] ] false, 175
        "2 consumers, 3 tasks", program 2 [ [ Put 1; Put 2; Put 3 ] ] false, 7964
        "2 consumers, 2 producers, 3 tasks", program 2 [ [ Put 1; Put 2 ]; [ Put 3 ] ] false, 62625
        "3 consumers, 3 tasks", program 3 [ [ Put 1; Put 2; Put 3 ] ] false, 146526
        "2 consumers, 2 tasks and an exit entry", program 2 [ [ Put 1; PutExit; Put 2 ] ] false, 2942
        "2 consumers, 3 tasks, destroy", program 2 [ [ Put 1; Put 2; Put 3 ] ] true, 35035
        "2 consumers, 2 producers with a task and an exit entry, destroy",
        program 2 [ [ Put 1; Put 2 ]; [ PutExit ] ] true,
        50946
        // Two exit entries, each enqueued after the waiter looked: it may swap for each in vain.
        "2 consumers, 2 producers each with a task and an exit entry, destroy",
        program 2 [ [ Put 1; PutExit ]; [ PutExit; Put 2 ] ] true,
        86404
    ]

/// Each wrong variant, a program that shows its defect, and the invariant it breaks first.
let private wrongVariants =
    let waits = "no task waits while every idle consumer is parked or asleep"
    let exactlyOnce = "no task lost or run twice"
    let oneTwoThree = [ [ Put 1; Put 2; Put 3 ] ]

    [
        ClaimPublishedWithoutWake, program 2 oneTwoThree false, waits, 16
        ClaimReadsListBeforeClaimWord, program 2 [ [ Put 1; Put 2 ] ] false, exactlyOnce, 23
        DestroyForgetsLateTasks, program 1 [ [ Put 1; Put 2 ] ] true, "destroy leaves nothing queued", 5
        ExitEntryWithoutWake, program 1 [ [ PutExit ] ] false, waits, 6
        IdleWorkerNeverSteals, program 2 oneTwoThree false, "no consumer spins on empty swaps", 27
        NoRecheckUnderGetLock, program 2 [ [ Put 1; Put 2 ] ] false, exactlyOnce, 10
        OneWakeForSeveralClaimed, program 3 oneTwoThree false, waits, 23
        SleepFlagSetOnce, program 1 [ [ Put 1; Put 2 ] ] false, waits, 20
        SleeperFlagWithoutFence, program 1 [ [ Put 1; Put 2 ] ] false, waits, 7
        SleepingReadBeforePublish, program 1 [ [ Put 1; Put 2 ] ] false, waits, 8
        StandbyParksWithoutRecheck, program 2 [ [ Put 1; Put 2 ] ] false, waits, 15
        StandbyTokenLeftBehind, program 2 [ [ Put 1; Put 2 ] ] false, "tokens never outnumber parked consumers", 13
        TakeWithoutCompareExchange, program 2 oneTwoThree false, exactlyOnce, 24
        LeavingWaiterSkipsStandbyWake, program 3 [ [ Put 1; Put 2; Put 3; Put 4 ] ] false, waits, 30
    ]

/// The queue's files in the C# pool: a mutant that patches one of them is a mutant of the queue.
let private queueFiles =
    [
        "TaskQueue"
        "PutGate"
        "ClaimWord"
        "ClaimedTasks"
        "ClaimedTaskSlots"
        "IdleConsumers"
    ]
    |> List.map (sprintf "src/Pool.CSharp/Pool/%s.cs")

/// The mutants of tests/Coyote/Mutants that patch a file of the queue, by name, from the repository that holds
/// this program's build.
let private queueMutants () =
    let rec root (directory: DirectoryInfo | null) =
        match directory with
        | null -> failtest "no Pool.sln above the test program"
        | found when File.Exists(Path.Combine(found.FullName, "Pool.sln")) -> found.FullName
        | other -> root other.Parent

    let mutants =
        Path.Combine(root (DirectoryInfo AppContext.BaseDirectory), "tests", "Coyote", "Mutants")

    Directory.GetFiles(mutants, "*.patch")
    |> Array.filter (fun patch ->
        let text = File.ReadAllText patch
        queueFiles |> List.exists (fun file -> text.Contains("+++ b/" + file)))
    |> Array.map Path.GetFileNameWithoutExtension
    |> Set.ofArray

let tests =
    testList
        "model"
        [
            // Pinned reachable-state counts: a change to the specification that changes them must be deliberate.
            testTheory
                "state counts of small configurations are pinned, and every final state is an idle or a destroyed queue"
                (pinned |> List.map (fun (name, _, _) -> name))
            <| fun name ->
                let _, program, expected = pinned |> List.find (fun (n, _, _) -> n = name)
                let result = check QueueSpecified program
                Expect.isNone result.Violation "no invariant is violated"
                Expect.equal result.Deadlocks [] "nothing deadlocks"
                Expect.isNonEmpty result.Terminals "some run finishes"

                for final in result.Terminals do
                    if program.Destroys then
                        destroyedCompletely program final
                    else
                        idleCompletely program final

                Expect.equal result.ReachableStates expected "the pinned state count"

            test "one task, one consumer and destroy: exactly the three outcomes written out by hand" {
                let outcome ran drained refused =
                    {
                        Ran = set ran
                        Drained = drained
                        ExitsTaken = 0
                        Refused = refused
                    }

                Expect.equal
                    (QueueModel.allowedOutcomes (program 1 [ [ Put 1 ] ] true))
                    (set [ outcome [ 1 ] [] []; outcome [] [ 1 ] []; outcome [] [] [ Put 1 ] ])
                    "the task runs, or the drain returns it, or the queue was sealed before it came"
            }

            // Each variant is one of the C# queue's mutants (tests/Coyote/Mutants, same name), or the leaving
            // waiter's wake-up left out: the checker finds a shortest path to a broken invariant, printed here.
            testTheory
                "each wrong variant of the queue breaks an invariant, with a shortest counterexample"
                (wrongVariants |> List.map (fun (variant, _, _, _) -> variant))
            <| fun variant ->
                let _, program, invariant, length =
                    wrongVariants |> List.find (fun (v, _, _, _) -> v = variant)

                let result = check variant program
                let violation = Expect.wantSome result.Violation "a violation is found"

                printfn
                    "%A breaks \"%s\" (%d consumers, producers %A):\n%s"
                    variant
                    violation.Invariant
                    program.Consumers
                    program.Producers
                    (QueueModel.describe violation.Path)

                Expect.equal violation.Invariant invariant "the violated invariant"
                Expect.equal violation.Path.Length length "the shortest path's length"

            test "every mutant of the queue's files has a wrong variant of the same name" {
                let variants =
                    FSharpType.GetUnionCases typeof<QueueVariant> |> Array.map _.Name |> Set.ofArray

                let mutants = queueMutants ()
                Expect.isGreaterThanOrEqual mutants.Count 13 "the queue's mutants are found"
                Expect.isEmpty (Set.difference mutants variants) "mutants without a variant"

                Expect.isTrue
                    (wrongVariants
                     |> List.forall (fun (variant, _, _, _) -> variant <> QueueSpecified))
                    "the theory above holds wrong variants only"

                Expect.equal
                    (wrongVariants
                     |> List.map (fun (variant, _, _, _) -> sprintf "%A" variant)
                     |> Set.ofList)
                    (Set.remove "QueueSpecified" variants)
                    "the theory above checks every wrong variant"
            }
        ]
