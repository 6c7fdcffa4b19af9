/// The executor's model on its own: pinned state counts beside checks on the outcomes, a shortest path to the
/// wrong variant's violation, and generated configurations that keep every invariant.
module Pool.Properties.ExecutorModelTests

open Expecto
open FsCheck
open FsCheck.FSharp
open Pool.Model

let private session queue number =
    Submit(ExecutorModel.session queue number)

let private check variant workers serial client =
    Checker.check 2_000_000 (ExecutorModel.system variant workers serial client)

/// Generated executor programs: 1-2 workers, queues a/b/c serial or not, the given range of sessions. A
/// session's body may destroy the executor or (one session at most) submit a session from inside it; the
/// sessions of a program of at most three are split between one or two client threads, and the first client
/// ends with destroy. The bounds keep the model's state space small (four sessions and two submitted from
/// sessions over two clients reach tens of thousands of states).
let executorPrograms (fewest: int) (most: int) : Arbitrary<int * Set<string> * ExecutorCall list list> =
    let queue = Gen.elements [ "a"; "b"; "c" ]

    let sessionAt number =
        gen {
            let! q = queue
            let! child = queue

            let! body =
                Gen.frequency
                    [
                        4, Gen.constant Returns
                        1, Gen.constant (SubmitsFromSession(ExecutorModel.session child (100 + number)))
                        1, Gen.constant DestroysFromSession
                    ]

            return
                {
                    Queue = q
                    Number = number
                    Body = body
                }
        }

    gen {
        let! workers = Gen.choose (1, 2)
        let! serial = Gen.subListOf [ "a"; "b"; "c" ] |> Gen.map Set.ofList
        let! length = Gen.choose (fewest, most)
        let! generated = [ 1..length ] |> List.map sessionAt |> Gen.sequenceToList

        let firstSubmitting =
            generated
            |> List.tryFindIndex (fun s ->
                match s.Body with
                | SubmitsFromSession _ -> true
                | _ -> false)

        let sessions =
            generated
            |> List.mapi (fun i s ->
                match s.Body with
                | SubmitsFromSession _ when Some i <> firstSubmitting -> { s with Body = Returns }
                | _ -> s)

        let! twoClients =
            if length <= 3 then
                Gen.frequency [ 2, Gen.constant false; 1, Gen.constant true ]
            else
                Gen.constant false

        let! onSecond =
            Gen.listOfLength
                length
                (if twoClients then
                     Gen.elements [ false; true ]
                 else
                     Gen.constant false)

        let on second =
            List.zip sessions onSecond
            |> List.filter (fun (_, s) -> s = second)
            |> List.map (fst >> Submit)

        let second = on true

        return
            workers,
            serial,
            (on false @ [ DestroyExecutor ])
            :: (if List.isEmpty second then [] else [ second ])
    }
    |> Arb.fromGen

/// What the client of one queue holding sessions 1 and 2 sees after destroy, written out by hand: which sessions
/// began, in the order they began, and the rest cancelled.
let private expectedForOneQueue (workers: int) (serial: bool) : Set<ExecutorOutcome> =
    let outcome begun =
        {
            BegunPerQueue = (if List.isEmpty begun then Map.empty else Map [ "a", begun ])
            Cancelled = Set.difference (set [ 1; 2 ]) (Set.ofList begun)
            RejectedDestroys = 0
        }

    // Destroy comes before any take, after the first session was taken, or after both; two workers running
    // a concurrent queue may begin its second session before its first.
    let orders =
        [
            yield []
            yield [ 1 ]
            yield [ 1; 2 ]
            if workers > 1 && not serial then
                yield [ 2; 1 ]
        ]

    orders |> List.map outcome |> Set.ofList

let tests =
    testList
        "model"
        [
            test "state counts of small executor configurations are pinned, and every final state is a drained executor" {
                let client =
                    [ session "a" 1; session "b" 2; session "a" 3; session "b" 4; DestroyExecutor ]

                let concurrent = check ExecutorSpecified 2 Set.empty client
                let serial = check ExecutorSpecified 2 (Set.ofList [ "a"; "b" ]) client

                for result in [ concurrent; serial ] do
                    Expect.isNone result.Violation "no invariant is violated"
                    Expect.equal result.Deadlocks [] "nothing deadlocks"

                    for final in result.Terminals do
                        Expect.isTrue final.Destroyed "destroy finished"
                        Expect.allEqual final.Workers IdleWorker "no worker runs a session"
                        let outcome = ExecutorModel.outcome final
                        let began = outcome.BegunPerQueue |> Map.toList |> List.collect snd |> Set.ofList
                        let cancelled = outcome.Cancelled
                        Expect.isTrue (Set.intersect began cancelled).IsEmpty "no session began and was cancelled"
                        Expect.equal (Set.union began cancelled) (set [ 1..4 ]) "every session began or was cancelled"

                        for q, numbers in [ "a", [ 1; 3 ]; "b", [ 2; 4 ] ] do
                            let begunHere = numbers |> List.filter began.Contains
                            Expect.equal begunHere (List.truncate begunHere.Length numbers) "the oldest sessions began"

                let inOrder (result: CheckResult<ExecutorState, ExecutorStep>) =
                    result.Terminals
                    |> Set.forall (fun final ->
                        (ExecutorModel.outcome final).BegunPerQueue
                        |> Map.forall (fun _ numbers -> numbers = List.sort numbers))

                Expect.isTrue (inOrder serial) "a serial queue's sessions begin in order"
                Expect.isFalse (inOrder concurrent) "two workers may begin a concurrent queue's sessions out of order"

                for result in [ concurrent; serial ] do
                    let outcomes = result.Terminals |> Set.map ExecutorModel.outcome
                    let all = set [ 1..4 ]
                    Expect.exists outcomes (fun o -> o.Cancelled = all) "destroy may cancel every session"
                    Expect.exists outcomes (fun o -> o.Cancelled.IsEmpty) "every session may begin before destroy"

                Expect.equal
                    (concurrent.ReachableStates, serial.ReachableStates)
                    (1168, 553)
                    "the pinned state counts (concurrent, serial)"
            }

            testTheory
                "the outcomes of two sessions of one queue are exactly the ones written out by hand"
                [ (1, false); (1, true); (2, false); (2, true) ]
            <| fun (workers, serial) ->
                let client = [ session "a" 1; session "a" 2; DestroyExecutor ]
                let serialQueues = if serial then Set.singleton "a" else Set.empty

                Expect.equal
                    (ExecutorModel.allowedOutcomes workers serialQueues [ client ])
                    (expectedForOneQueue workers serial)
                    "the model's outcomes"

            test "a serial queue that reschedules early runs two sessions at once, and the checker shows how" {
                let client = [ session "s" 1; session "s" 2; DestroyExecutor ]
                let result = check SerialReschedulesEarly 2 (Set.singleton "s") client
                let violation = Expect.wantSome result.Violation "a violation is found"
                Expect.equal violation.Invariant "serial queues are serial" "the violated invariant"
                // Shortest: two submits, then each worker takes the queue task and takes a session off it (6 steps).
                Expect.equal violation.Path.Length 6 "the shortest path's length"
            }

            testPropertyWithConfig
                (Checking.cases 100)
                "executor invariants hold and nothing deadlocks in generated configurations"
            <| Prop.forAll (executorPrograms 0 4) (fun (workers, serial, clients) ->
                let result =
                    Checker.check 2_000_000 (ExecutorModel.systemWithClients ExecutorSpecified workers serial clients)

                result.Violation.IsNone
                && result.Deadlocks.IsEmpty
                && not result.Terminals.IsEmpty)
        ]
