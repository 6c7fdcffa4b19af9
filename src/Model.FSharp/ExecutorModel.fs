namespace Pool.Model

/// A session: its queue and its number (submission order within the whole program).
type Session = { Queue: string; Number: int }

/// The executor's client: submits sessions to named queues, then destroys the executor.
type ExecutorCall =
    | Submit of Session
    | DestroyExecutor

type ExecutorStep =
    | ExecCall of ExecutorCall
    /// A worker takes the pool's next queue task (it has not yet looked at the queue), claiming the next
    /// ones too when the pool's queue is long enough (see PoolModel.takeSizes).
    | TakeQueueTask of worker: int * queue: string * claimed: string list
    /// A worker takes the oldest queue task claimed by itself or, when it has claimed none, by another worker.
    | TakeClaimedQueueTask of worker: int * from: int * queue: string
    /// The queue task starts that queue's oldest session (or ends, if there is none).
    | StartSession of worker: int * Session
    | FinishSession of worker: int * Session
    /// Destroy drains: every session not started is reported cancelled, in queue order.
    | CancelRemaining

type ExecutorVariant =
    | ExecutorSpecified
    /// A serial queue re-schedules itself when a session starts, as a concurrent queue does.
    | SerialReschedulesEarly

/// What a pool worker is doing for the executor.
type ExecutorWorker =
    | IdleWorker
    /// Running a queue's pool task, before it took a session from the queue.
    | Taking of queue: string
    | Running of Session

/// The executor of shared/design/pool.md over a pool of workers, as a small-step transition system.
type ExecutorState =
    {
        Client: ExecutorCall list
        Serial: Set<string>
        /// Sessions waiting in each queue, oldest first.
        Waiting: Map<string, Session list>
        /// The pool's FIFO of queue tasks (at most one per queue).
        PoolTasks: string list
        /// Per worker (same index), the queue tasks it claimed from the pool's FIFO and has not started.
        Claimed: string list list
        Workers: ExecutorWorker list
        Destroying: bool
        Destroyed: bool
        Submitted: Set<Session>
        Started: Session list
        Finished: Set<Session>
        Cancelled: Session list
    }

module ExecutorModel =
    let initial workers (serial: Set<string>) (client: ExecutorCall list) =
        {
            Client = client
            Serial = serial
            Waiting = Map.empty
            PoolTasks = []
            Claimed = List.replicate workers []
            Workers = List.replicate workers IdleWorker
            Destroying = false
            Destroyed = false
            Submitted = Set.empty
            Started = []
            Finished = Set.empty
            Cancelled = []
        }

    let private waiting queue state =
        state.Waiting |> Map.tryFind queue |> Option.defaultValue []

    let private running queue state =
        state.Workers
        |> List.exists (function
            | Running s -> s.Queue = queue
            | _ -> false)

    let private taking queue state =
        state.Workers |> List.contains (Taking queue)

    /// The queue tasks in the pool, taken by no worker yet: claimed ones and the FIFO.
    let private poolTasks state =
        List.concat state.Claimed @ state.PoolTasks

    /// A queue gets a pool task when it has sessions and has none already, and, unless
    /// <paramref name="ignoreSerial"/> (the wrong variant), a serial queue only when it runs nothing.
    let private scheduleWhen ignoreSerial queue (state: ExecutorState) =
        let needed =
            not (List.isEmpty (waiting queue state))
            && not (List.contains queue (poolTasks state))
            && not (taking queue state)
            && (ignoreSerial || not (state.Serial.Contains queue && running queue state))

        if needed && not state.Destroying then
            { state with
                PoolTasks = state.PoolTasks @ [ queue ]
            }
        else
            state

    let private scheduleIfNeeded = scheduleWhen false

    let private submit session state =
        if state.Destroying then
            { state with
                Cancelled = state.Cancelled @ [ session ]
            } // refused work is reported cancelled
        else
            { state with
                Waiting = state.Waiting.Add(session.Queue, waiting session.Queue state @ [ session ])
                Submitted = state.Submitted.Add session
            }
            |> scheduleIfNeeded session.Queue

    let next variant (state: ExecutorState) : (ExecutorStep * ExecutorState) list =
        let client =
            match state.Client with
            | call :: rest when not state.Destroying ->
                let after = { state with Client = rest }

                match call with
                | Submit session -> [ ExecCall call, submit session after ]
                | DestroyExecutor -> [ ExecCall call, { after with Destroying = true } ]
            | _ -> []

        // The pool's rules (PoolModel): a worker runs its own claimed tasks first; with none, it takes from the
        // FIFO (claiming some of the next ones) or the oldest task another worker claimed. Once destroy began
        // the pool's workers take nothing: claimed queue tasks go to the pool's pending, like queued ones.
        let takeClaimed w from (state: ExecutorState) =
            match state.Claimed[from] with
            | queue :: rest ->
                [
                    TakeClaimedQueueTask(w, from, queue),
                    { state with
                        Claimed = state.Claimed |> List.updateAt from rest
                        Workers = state.Workers |> List.updateAt w (Taking queue)
                    }
                ]
            | [] -> []

        let takeFromFifo w (state: ExecutorState) =
            match state.PoolTasks with
            | [] -> []
            | tasks ->
                PoolModel.takeSizes tasks.Length
                |> List.map (fun size ->
                    let taken, rest = List.splitAt size tasks

                    TakeQueueTask(w, taken.Head, taken.Tail),
                    { state with
                        PoolTasks = rest
                        Claimed = state.Claimed |> List.updateAt w taken.Tail
                        Workers = state.Workers |> List.updateAt w (Taking taken.Head)
                    })

        let takes =
            if state.Destroying then
                []
            else
                state.Workers
                |> List.indexed
                |> List.collect (fun (w, worker) ->
                    match worker with
                    | IdleWorker when not state.Claimed[w].IsEmpty -> takeClaimed w w state
                    | IdleWorker ->
                        takeFromFifo w state
                        @ (state.Claimed
                           |> List.indexed
                           |> List.collect (fun (other, _) -> if other = w then [] else takeClaimed w other state))
                    | _ -> [])

        // A task already taken runs even after destroy began (the pool lets running tasks finish).
        let starts =
            state.Workers
            |> List.indexed
            |> List.choose (fun (w, worker) ->
                match worker with
                | Taking queue ->
                    match waiting queue state with
                    | session :: rest ->
                        let taken =
                            { state with
                                Waiting = state.Waiting.Add(queue, rest)
                                Workers = state.Workers |> List.updateAt w (Running session)
                                Started = state.Started @ [ session ]
                            }

                        let after =
                            match variant with
                            | ExecutorSpecified -> scheduleIfNeeded queue taken
                            | SerialReschedulesEarly -> scheduleWhen true queue taken

                        Some(StartSession(w, session), after)
                    | [] -> None
                | _ -> None)

        let finishes =
            state.Workers
            |> List.indexed
            |> List.choose (fun (w, worker) ->
                match worker with
                | Running session ->
                    let freed =
                        { state with
                            Workers = state.Workers |> List.updateAt w IdleWorker
                            Finished = state.Finished.Add session
                        }

                    Some(FinishSession(w, session), scheduleIfNeeded session.Queue freed)
                | _ -> None)

        let drain =
            if
                state.Destroying
                && not state.Destroyed
                && List.forall ((=) IdleWorker) state.Workers
            then
                let remaining = state.Waiting |> Map.toList |> List.collect snd

                [
                    CancelRemaining,
                    { state with
                        Destroyed = true
                        Waiting = Map.empty
                        PoolTasks = []
                        Claimed = state.Claimed |> List.map (fun _ -> [])
                        Cancelled = state.Cancelled @ remaining
                    }
                ]
            else
                []

        client @ takes @ starts @ finishes @ drain

    /// Every submitted session runs or is cancelled, never both; once destroyed, every one did one of them.
    let exactlyOnce (state: ExecutorState) =
        let cancelled = Set.ofList state.Cancelled
        let started = Set.ofList state.Started

        Set.intersect started cancelled |> Set.isEmpty
        && (not state.Destroyed
            || Set.union started cancelled = Set.union state.Submitted cancelled)

    /// Sessions of one queue start in the order they were submitted.
    let fifoPerQueue (state: ExecutorState) =
        state.Started
        |> List.groupBy _.Queue
        |> List.forall (fun (_, sessions) -> sessions = List.sortBy _.Number sessions)

    /// A serial queue never runs two sessions at once.
    let serialIsSerial (state: ExecutorState) =
        state.Serial
        |> Set.forall (fun queue ->
            state.Workers
            |> List.filter (function
                | Running s -> s.Queue = queue
                | _ -> false)
            |> List.length
            <= 1)

    /// One pool task per non-empty queue at most.
    let onePoolTaskPerQueue (state: ExecutorState) =
        poolTasks state |> List.countBy id |> List.forall (fun (_, n) -> n = 1)

    let invariants =
        [
            "exactly once", exactlyOnce
            "FIFO start order per queue", fifoPerQueue
            "serial queues are serial", serialIsSerial
            "one pool task per queue", onePoolTaskPerQueue
        ]

    let finished (state: ExecutorState) =
        List.isEmpty state.Client && (not state.Destroying || state.Destroyed)

    let system variant workers serial client : TransitionSystem<ExecutorState, ExecutorStep> =
        {
            Initial = initial workers serial client
            Next = next variant
            Finished = finished
            Invariants = invariants
        }
