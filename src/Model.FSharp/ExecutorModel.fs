namespace Pool.Model

// Every type in namespace Pool.Model is the specification's, never the C# code's: `Session`, `ExecutorState` and `ExecutorWorker` here are the model's, not C# types.

/// A session: its queue, its number (unique in the program) and what its body does.
type Session =
    {
        Queue: string
        Number: int
        Body: SessionBody
    }

/// What a session's body does. It begins (its first action, the one its user sees start: the start order of
/// a queue is observed there), may then act, and returns.
and SessionBody =
    | Returns
    /// Submits this session (to any queue) from inside the running session.
    | SubmitsFromSession of Session
    /// Destroys the executor from inside the running session (legal): the call returns once every other
    /// session has finished and every waiting one was reported cancelled; then the session returns.
    | DestroysFromSession

/// A call of a client thread: submit a session to its queue, or destroy the executor.
type ExecutorCall =
    | Submit of Session
    | DestroyExecutor

/// What a running session's body has done so far.
type SessionPhase =
    /// Taken from its queue by the queue's pool task; its body has not begun.
    | Dequeued
    /// Its body began; its action (if it has one) is still to come.
    | Begun
    /// Its body is inside Destroy, waiting for every other worker to go idle.
    | InDestroy
    /// Its body's action is done: it returns next.
    | Acted

type ExecutorStep =
    /// A call of the client thread with this index (0 for the first).
    | ExecCall of client: int * ExecutorCall
    /// A worker takes the pool's next queue task (it has not yet looked at the queue), claiming the next
    /// ones too when the pool's queue is long enough (see PoolModel.takeSizes).
    | TakeQueueTask of worker: int * queue: string * claimed: string list
    /// A worker takes the oldest queue task claimed by itself or, when it has claimed none, by another worker.
    | TakeClaimedQueueTask of worker: int * from: int * queue: string
    /// The queue task takes that queue's oldest session off the queue (or ends, if there is none).
    | StartSession of worker: int * Session
    /// The session's body begins.
    | BeginSession of worker: int * Session
    /// The session's body submits a session.
    | SubmitFromSession of worker: int * Session
    /// The session's body calls Destroy.
    | DestroyFromSession of worker: int
    /// The destroy called (by a client or a session) destroys the pool: from then on no queue task is taken and
    /// a submitted session is reported cancelled. Before this step, only another Destroy call notices (it throws).
    | BeginPoolDestroy
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
    | Running of Session * SessionPhase

/// The executor (named queues of sessions over one pool, docs/spec.md) over a pool of workers, as a small-step transition system.
type ExecutorState =
    {
        /// Per client thread (same index), the calls it has still to make, in its program order.
        Clients: ExecutorCall list list
        /// The client threads inside Destroy: they make no call before it returns.
        ClientsInDestroy: Set<int>
        Serial: Set<string>
        /// Sessions waiting in each queue, oldest first.
        Waiting: Map<string, Session list>
        /// The pool's FIFO of queue tasks (at most one per queue).
        PoolTasks: string list
        /// Per worker (same index), the queue tasks it claimed from the pool's FIFO and has not started.
        Claimed: string list list
        Workers: ExecutorWorker list
        /// Destroy was called: a later call throws.
        DestroyCalled: bool
        /// The pool's destroy began.
        Destroying: bool
        Destroyed: bool
        /// Per queue, the sessions it accepted, in that order.
        Submitted: Map<string, Session list>
        /// Per queue, the sessions taken off it, in that order.
        Started: Map<string, Session list>
        /// Per queue, the sessions whose body began, in that order (what a user of the executor sees start).
        /// Only the order within a queue is kept: the interleaving of queues is not observable here and
        /// keeping it would multiply the states.
        Began: Map<string, Session list>
        /// Sessions reported cancelled: refused after the pool's destroy began, or drained by destroy.
        Cancelled: Set<Session>
        /// Destroy calls that threw because destroy had already begun.
        RejectedDestroys: int
    }

/// What a finished run shows to the executor's user: the sessions of each queue in the order their bodies
/// began, the sessions reported cancelled (or refused), and the destroy calls that threw.
type ExecutorOutcome =
    {
        BegunPerQueue: Map<string, int list>
        Cancelled: Set<int>
        RejectedDestroys: int
    }

module ExecutorModel =
    /// A session whose body only begins and returns.
    let session queue number =
        {
            Queue = queue
            Number = number
            Body = Returns
        }

    /// The executor before any call: clients (one list of calls per client thread), the pool's workers and
    /// the serial queues.
    let initialWithClients workers (serial: Set<string>) (clients: ExecutorCall list list) =
        {
            Clients = clients
            ClientsInDestroy = Set.empty
            Serial = serial
            Waiting = Map.empty
            PoolTasks = []
            Claimed = List.replicate workers []
            Workers = List.replicate workers IdleWorker
            DestroyCalled = false
            Destroying = false
            Destroyed = false
            Submitted = Map.empty
            Started = Map.empty
            Began = Map.empty
            Cancelled = Set.empty
            RejectedDestroys = 0
        }

    /// The executor before any call of its one client thread.
    let initial workers (serial: Set<string>) (client: ExecutorCall list) =
        initialWithClients workers serial [ client ]

    /// The sessions of a queue in one of the per-queue maps.
    let ofQueue queue (sessions: Map<string, Session list>) =
        sessions |> Map.tryFind queue |> Option.defaultValue []

    let private append (session: Session) (sessions: Map<string, Session list>) =
        sessions.Add(session.Queue, ofQueue session.Queue sessions @ [ session ])

    let private all (sessions: Map<string, Session list>) =
        sessions |> Map.toList |> List.collect snd |> Set.ofList

    let private waiting queue (state: ExecutorState) = ofQueue queue state.Waiting

    let private running queue state =
        state.Workers
        |> List.exists (function
            | Running(s, _) -> s.Queue = queue
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
                Cancelled = state.Cancelled.Add session
            } // refused work is reported cancelled
        else
            { state with
                Waiting = append session state.Waiting
                Submitted = append session state.Submitted
            }
            |> scheduleIfNeeded session.Queue

    /// Destroy called again throws (and changes nothing else).
    let private rejectDestroy (state: ExecutorState) =
        { state with
            RejectedDestroys = state.RejectedDestroys + 1
        }

    let private setWorker w worker (state: ExecutorState) =
        { state with
            Workers = state.Workers |> List.updateAt w worker
        }

    let next variant (state: ExecutorState) : (ExecutorStep * ExecutorState) list =
        let clients =
            state.Clients
            |> List.indexed
            |> List.collect (fun (c, calls) ->
                match calls with
                | call :: rest when not (state.ClientsInDestroy.Contains c) ->
                    let after =
                        { state with
                            Clients = state.Clients |> List.updateAt c rest
                        }

                    match call with
                    | Submit session -> [ ExecCall(c, call), submit session after ]
                    | DestroyExecutor when state.DestroyCalled -> [ ExecCall(c, call), rejectDestroy after ]
                    | DestroyExecutor ->
                        [
                            ExecCall(c, call),
                            { after with
                                DestroyCalled = true
                                ClientsInDestroy = after.ClientsInDestroy.Add c
                            }
                        ]
                | _ -> [])

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

        // A task already taken runs even after destroy began (the pool lets running tasks finish), and so does
        // the body of a session already taken off its queue.
        let sessions =
            state.Workers
            |> List.indexed
            |> List.collect (fun (w, worker) ->
                match worker with
                | Taking queue ->
                    match waiting queue state with
                    | session :: rest ->
                        let taken =
                            { setWorker w (Running(session, Dequeued)) state with
                                Waiting = state.Waiting.Add(queue, rest)
                                Started = append session state.Started
                            }

                        let after =
                            match variant with
                            | ExecutorSpecified -> scheduleIfNeeded queue taken
                            | SerialReschedulesEarly -> scheduleWhen true queue taken

                        [ StartSession(w, session), after ]
                    | [] -> []
                | Running(session, Dequeued) ->
                    [
                        BeginSession(w, session),
                        { setWorker w (Running(session, Begun)) state with
                            Began = append session state.Began
                        }
                    ]
                | Running(session, Begun) when session.Body <> Returns ->
                    let acted = setWorker w (Running(session, Acted)) state

                    match session.Body with
                    | SubmitsFromSession child -> [ SubmitFromSession(w, child), submit child acted ]
                    | DestroysFromSession when state.DestroyCalled -> [ DestroyFromSession w, rejectDestroy acted ]
                    | _ ->
                        [
                            DestroyFromSession w,
                            { setWorker w (Running(session, InDestroy)) state with
                                DestroyCalled = true
                            }
                        ]
                | Running(session, (Begun | Acted)) ->
                    [
                        FinishSession(w, session), scheduleIfNeeded session.Queue (setWorker w IdleWorker state)
                    ]
                | Running(_, InDestroy)
                | IdleWorker -> [])

        let poolDestroy =
            if state.DestroyCalled && not state.Destroying then
                [ BeginPoolDestroy, { state with Destroying = true } ]
            else
                []

        // Destroy drains once every worker is idle but the one whose session called it: every waiting session
        // is reported cancelled; then the destroying client or session goes on.
        let drain =
            let settled =
                state.Workers
                |> List.forall (function
                    | IdleWorker
                    | Running(_, InDestroy) -> true
                    | _ -> false)

            if state.Destroying && not state.Destroyed && settled then

                [
                    CancelRemaining,
                    { state with
                        Destroyed = true
                        Waiting = Map.empty
                        PoolTasks = []
                        Claimed = state.Claimed |> List.map (fun _ -> [])
                        Workers =
                            state.Workers
                            |> List.map (function
                                | Running(session, InDestroy) -> Running(session, Acted)
                                | worker -> worker)
                        ClientsInDestroy = Set.empty
                        Cancelled = Set.union state.Cancelled (all state.Waiting)
                    }
                ]
            else
                []

        clients @ takes @ sessions @ poolDestroy @ drain

    /// Every submitted session runs or is cancelled, never both; once destroyed, every one did one of them.
    let exactlyOnce (state: ExecutorState) =
        let started = all state.Started

        Set.intersect started state.Cancelled |> Set.isEmpty
        && (not state.Destroyed
            || Set.union started state.Cancelled = Set.union (all state.Submitted) state.Cancelled)

    /// Sessions of one queue are taken off it in the order it accepted them: the ones taken are the oldest.
    let fifoPerQueue (state: ExecutorState) =
        state.Started
        |> Map.forall (fun queue sessions -> List.truncate sessions.Length (ofQueue queue state.Submitted) = sessions)

    /// A serial queue never runs two sessions at once.
    let serialIsSerial (state: ExecutorState) =
        state.Serial
        |> Set.forall (fun queue ->
            state.Workers
            |> List.filter (function
                | Running(s, _) -> s.Queue = queue
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

    /// Every client made every call and returned, and a destroy that began has finished.
    let finished (state: ExecutorState) =
        List.forall List.isEmpty state.Clients
        && state.ClientsInDestroy.IsEmpty
        && (not state.DestroyCalled || state.Destroyed)

    /// The executor with several client threads (one list of calls each).
    let systemWithClients variant workers serial clients : TransitionSystem<ExecutorState, ExecutorStep> =
        {
            Initial = initialWithClients workers serial clients
            Next = next variant
            Finished = finished
            Invariants = invariants
        }

    /// The executor with one client thread.
    let system variant workers serial client =
        systemWithClients variant workers serial [ client ]

    /// What a user sees: the sessions whose bodies began (in that order), the ones reported cancelled, and
    /// how many destroy calls threw.
    let observed (began: Session seq) (cancelled: Session seq) (rejectedDestroys: int) : ExecutorOutcome =
        {
            BegunPerQueue =
                began
                |> List.ofSeq
                |> List.groupBy _.Queue
                |> List.map (fun (queue, sessions) -> queue, sessions |> List.map _.Number)
                |> Map.ofList
            Cancelled = cancelled |> Seq.map _.Number |> Set.ofSeq
            RejectedDestroys = rejectedDestroys
        }

    /// What the user of a finished run sees.
    let outcome (state: ExecutorState) : ExecutorOutcome =
        observed (state.Began |> Map.toList |> List.collect snd) state.Cancelled state.RejectedDestroys

    /// The set of outcomes the specification allows for a program of client threads (exhaustive; small
    /// programs only).
    let allowedOutcomes workers serial clients : Set<ExecutorOutcome> =
        (Checker.check 2_000_000 (systemWithClients ExecutorSpecified workers serial clients)).Terminals
        |> Set.map outcome
