namespace Pool.Model

// Every type in namespace Pool.Model is the specification's, never the C# code's: `PoolState` and `Worker` here are the model's, not the C# pool's internal types of those names.

/// A task's number; children scheduled by a task have numbers of their own.
type TaskId = int

/// What a task's routine does besides running (see docs/spec.md, "Tasks").
type Body =
    | Plain
    /// Schedules a plain task with this number.
    | ScheduleChild of child: TaskId
    /// Calls Exit: its worker leaves after the task returns.
    | ExitWorker
    /// Calls Destroy from inside the task.
    | DestroyFromTask

type TaskSpec = { Id: TaskId; Body: Body }

/// A call of the client thread, made in program order.
type ClientCall =
    | Schedule of TaskSpec
    | Increase
    | Decrease
    | Destroy
    /// Destroy whose pending callback, on the first task it receives, schedules a plain task with this number.
    | DestroyScheduling of child: TaskId

/// The pool's life: accepting work, draining after Destroy began, destroyed once Destroy returned.
type Phase =
    | Running
    | Draining
    | Destroyed

/// A task on a worker: whether its body's action has happened, and whether it asked its worker to exit.
type Job =
    {
        Task: TaskSpec
        EffectDone: bool
        ExitRequested: bool
    }

type Worker =
    | Idle
    | Busy of Job
    /// The worker whose task called Destroy: no longer counted, and its task goes on after Destroy returns.
    | Detached of Job
    | Gone

/// The whole observable and internal state of one pool and its client.
type PoolState =
    {
        Phase: Phase
        Workers: Worker list
        /// Per worker (same index), the tasks it claimed with its last take and has not started, oldest first.
        /// They stay when the worker leaves: other workers steal them, or destroy hands them to pending.
        Claimed: TaskSpec list list
        Queue: TaskSpec list
        ExitTokens: int
        /// The thread count the pool reports.
        Count: int
        Client: ClientCall list
        /// The client is inside Destroy, waiting for the workers.
        ClientInDestroy: bool
        /// Tasks Schedule accepted, in the order it accepted them (the queue order).
        Accepted: TaskId list
        Ran: Set<TaskId>
        Pending: TaskId list
        Refused: Set<TaskId>
        /// Calls that threw InvalidOperationException (increase, decrease or destroy after destroy began).
        Rejected: int
        /// Queue length when Destroy began (used by the deliberately wrong variant only).
        QueuedAtDestroy: int
        /// The task the client's pending callback schedules, if it does.
        PendingSchedules: TaskId option
    }

/// One step of the pool model: a client call or an internal step of a worker or of the destroyer.
type PoolStep =
    | Call of ClientCall
    /// An idle worker with nothing claimed takes the queue's first tasks: it runs the first and claims the others.
    | Take of worker: int * TaskId list
    /// An idle worker runs the oldest task it claimed.
    | TakeClaimed of worker: int * TaskId
    /// An idle worker with nothing claimed runs the oldest task another worker (busy or gone) claimed.
    | Steal of worker: int * from: int * TaskId
    | TakeExit of worker: int
    | Effect of worker: int * TaskId
    | Finish of worker: int * TaskId
    | Leave of worker: int
    | DrainComplete

/// Which rules to use: the specification, or a deliberately wrong variant (proof that the checks bite).
type PoolVariant =
    | Specified
    /// Destroy hands to pending only the tasks queued when it began; tasks scheduled later (by running tasks,
    /// or by the pending callback during the drain) are lost.
    | ForgetsLateTasks

/// What a finished run shows to its user.
type PoolOutcome =
    {
        Ran: Set<TaskId>
        Pending: TaskId list
        Refused: Set<TaskId>
        Rejected: int
        CountAfter: int
    }

/// The thread pool (sogou/workflow's thrdpool semantics, docs/spec.md) as a small-step transition system.
module PoolModel =
    /// The most tasks one take removes from the queue (ClaimedTasks.Capacity in the C# pool).
    [<Literal>]
    let MaxTake = 8

    /// How many tasks a take may remove: half the queue (rounded up), at most MaxTake, at least one.
    let takeSizes (queueLength: int) =
        [ 1 .. max 1 (min MaxTake ((queueLength + 1) / 2)) ]

    let initial (workers: int) (client: ClientCall list) : PoolState =
        {
            Phase = Running
            Workers = List.replicate workers Idle
            Claimed = List.replicate workers []
            Queue = []
            ExitTokens = 0
            Count = workers
            Client = client
            ClientInDestroy = false
            Accepted = []
            Ran = Set.empty
            Pending = []
            Refused = Set.empty
            Rejected = 0
            QueuedAtDestroy = 0
            PendingSchedules = None
        }

    let private setWorker index worker state =
        { state with
            Workers = state.Workers |> List.updateAt index worker
        }

    /// Schedule: accepted (queued) until Destroy has returned, refused after.
    let schedule (task: TaskSpec) (state: PoolState) =
        match state.Phase with
        | Destroyed ->
            { state with
                Refused = state.Refused.Add task.Id
            }
        | Running
        | Draining ->
            { state with
                Queue = state.Queue @ [ task ]
                Accepted = state.Accepted @ [ task.Id ]
            }

    let private beginDestroy (state: PoolState) =
        { state with
            Phase = Draining
            QueuedAtDestroy = state.Queue.Length + List.sumBy List.length state.Claimed
        }

    let private reject (state: PoolState) =
        { state with
            Rejected = state.Rejected + 1
        }

    let private call (c: ClientCall) (state: PoolState) =
        let state =
            { state with
                Client = List.tail state.Client
            }

        match c, state.Phase with
        | Schedule task, _ -> schedule task state
        | Increase, Running ->
            { state with
                Workers = state.Workers @ [ Idle ]
                Claimed = state.Claimed @ [ [] ]
                Count = state.Count + 1
            }
        | Decrease, Running ->
            { state with
                ExitTokens = state.ExitTokens + 1
            }
        | Destroy, Running ->
            { beginDestroy state with
                ClientInDestroy = true
            }
        | DestroyScheduling child, Running ->
            { beginDestroy state with
                ClientInDestroy = true
                PendingSchedules = Some child
            }
        | (Increase | Decrease | Destroy | DestroyScheduling _), (Draining | Destroyed) -> reject state

    /// The body's action, performed while the task runs on worker w.
    let private effect w (job: Job) (state: PoolState) =
        let done' = { job with EffectDone = true }

        match job.Task.Body with
        | Plain -> setWorker w (Busy done') state
        | ScheduleChild child -> setWorker w (Busy done') (schedule { Id = child; Body = Plain } state)
        | ExitWorker -> setWorker w (Busy { done' with ExitRequested = true }) state
        | DestroyFromTask when state.Phase = Running ->
            { beginDestroy state with
                Count = state.Count - 1
            }
            |> setWorker w (Detached done')
        | DestroyFromTask -> setWorker w (Busy done') (reject state)

    let private drain variant (state: PoolState) =
        // Claimed tasks are older than the queued ones: everything not started, in the order it was accepted.
        let queued =
            List.concat state.Claimed @ state.Queue
            |> List.map _.Id
            |> List.sortBy (fun id -> List.findIndex ((=) id) state.Accepted)

        // The pending callback runs on each queued task in order; a task it schedules joins the queue's end.
        let scheduledByCallback =
            match state.PendingSchedules, queued with
            | Some child, _ :: _ -> [ child ]
            | _ -> []

        let handed =
            match variant with
            | Specified -> queued @ scheduledByCallback
            | ForgetsLateTasks -> List.truncate state.QueuedAtDestroy queued

        { state with
            Phase = Destroyed
            Pending = state.Pending @ handed
            Accepted = state.Accepted @ scheduledByCallback
            Claimed = state.Claimed |> List.map (fun _ -> [])
            Queue = []
            ClientInDestroy = false
        }

    let private workersGone (state: PoolState) =
        state.Workers
        |> List.forall (function
            | Gone
            | Detached _ -> true
            | Idle
            | Busy _ -> false)

    let private setClaimed index claimed state =
        { state with
            Claimed = state.Claimed |> List.updateAt index claimed
        }

    /// Worker w starts a task: from then on it counts as run.
    let private start w (task: TaskSpec) state =
        { setWorker
              w
              (Busy
                  {
                      Task = task
                      EffectDone = false
                      ExitRequested = false
                  })
              state with
            Ran = state.Ran.Add task.Id
        }

    /// What an idle worker with nothing claimed may start: the queue's first task, claiming the next ones
    /// (any take size), or the oldest task another worker claimed.
    let private takes w (state: PoolState) =
        let fromQueue =
            match state.Queue with
            | [] -> []
            | queue ->
                takeSizes queue.Length
                |> List.map (fun size ->
                    let taken, rest = List.splitAt size queue

                    Take(w, taken |> List.map _.Id),
                    { start w taken.Head state with
                        Queue = rest
                    }
                    |> setClaimed w taken.Tail)

        let steals =
            state.Claimed
            |> List.indexed
            |> List.choose (fun (other, claimed) ->
                match claimed with
                | task :: rest when other <> w ->
                    Some(Steal(w, other, task.Id), start w task state |> setClaimed other rest)
                | _ -> None)

        fromQueue @ steals

    /// Every enabled step and its successor.
    let next (variant: PoolVariant) (state: PoolState) : (PoolStep * PoolState) list =
        let client =
            match state.Client with
            | c :: _ when not state.ClientInDestroy -> [ Call c, call c state ]
            | _ -> []

        let workers =
            state.Workers
            |> List.indexed
            |> List.collect (fun (w, worker) ->
                match worker, state.Phase with
                | Idle, Running when not state.Claimed[w].IsEmpty ->
                    // Its own claimed tasks come first; a worker that has some is not idle for an exit token.
                    let task = state.Claimed[w].Head

                    [
                        TakeClaimed(w, task.Id), start w task state |> setClaimed w state.Claimed[w].Tail
                    ]
                | Idle, Running when state.ExitTokens > 0 ->
                    [
                        TakeExit w,
                        { setWorker w Gone state with
                            ExitTokens = state.ExitTokens - 1
                            Count = state.Count - 1
                        }
                    ]
                | Idle, Running -> takes w state
                | Idle, (Draining | Destroyed) ->
                    [
                        Leave w,
                        { setWorker w Gone state with
                            Count = state.Count - 1
                        }
                    ]
                | Busy job, _ when not job.EffectDone -> [ Effect(w, job.Task.Id), effect w job state ]
                | Busy job, _ when job.ExitRequested ->
                    [
                        Finish(w, job.Task.Id),
                        { setWorker w Gone state with
                            Count = state.Count - 1
                        }
                    ]
                | Busy job, _ -> [ Finish(w, job.Task.Id), setWorker w Idle state ]
                | Detached job, Destroyed -> [ Finish(w, job.Task.Id), setWorker w Gone state ]
                | Detached _, _
                | Gone, _ -> [])

        let destroyer =
            if state.Phase = Draining && workersGone state then
                [ DrainComplete, drain variant state ]
            else
                []

        client @ workers @ destroyer

    let private live (state: PoolState) =
        state.Workers
        |> List.sumBy (function
            | Idle
            | Busy _ -> 1
            | Detached _
            | Gone -> 0)

    /// Invariant 1 of pool.md: no task both runs and reaches pending; once destroyed, every accepted task did one.
    let exactlyOnce (state: PoolState) =
        let pending = Set.ofList state.Pending

        Set.intersect state.Ran pending |> Set.isEmpty
        && pending.Count = state.Pending.Length
        && (state.Phase <> Destroyed
            || Set.union state.Ran pending = Set.ofList state.Accepted)

    /// Every accepted task is in exactly one place: queued, claimed by one worker, run, or handed to pending.
    let onePlace (state: PoolState) =
        let places =
            (state.Queue @ List.concat state.Claimed |> List.map _.Id)
            @ Set.toList state.Ran
            @ state.Pending

        List.sort places = List.sort state.Accepted

    /// The reported count is the number of counted workers.
    let countExact (state: PoolState) = state.Count = live state

    /// When Destroy has returned no counted worker remains and no task but the destroying one runs.
    let nothingRunsAfterDestroy (state: PoolState) =
        state.Phase <> Destroyed || live state = 0

    let invariants =
        [
            "exactly once", exactlyOnce
            "one place", onePlace
            "count exact", countExact
            "nothing runs after destroy", nothingRunsAfterDestroy
        ]

    /// Finished: the client made every call and returned; if the pool was destroyed, every worker is gone.
    let finished (state: PoolState) =
        List.isEmpty state.Client
        && not state.ClientInDestroy
        && (state.Phase <> Destroyed
            || state.Workers
               |> List.forall (function
                   | Gone -> true
                   | _ -> false))

    let system variant workers client : TransitionSystem<PoolState, PoolStep> =
        {
            Initial = initial workers client
            Next = next variant
            Finished = finished
            Invariants = invariants
        }

    let outcome (state: PoolState) : PoolOutcome =
        {
            Ran = state.Ran
            Pending = state.Pending
            Refused = state.Refused
            Rejected = state.Rejected
            CountAfter = state.Count
        }

    /// The set of outcomes the specification allows for a program (exhaustive; small programs only).
    let allowedOutcomes workers client : Set<PoolOutcome> =
        (Checker.check 2_000_000 (system Specified workers client)).Terminals
        |> Set.map outcome
