namespace Pool.Model

// Every type in namespace Pool.Model is the specification's, never the C# code's: `Work`, `SchedulerState` and `SchedulerWorker` here are the model's, not C# types.

/// What a piece of scheduler work does besides recording where it ran (docs/spec.md, "The task scheduler").
type WorkBody =
    | Quiet
    /// Starts a quiet task with this number on the scheduler (Task.Factory.StartNew inside the task).
    | StartChild of child: TaskId
    /// Calls DestroyPool from inside the task.
    | DestroyFromWork

/// A task, a continuation or a posted callback: its number and its body.
type Work = { Id: TaskId; Body: WorkBody }

/// A call of the client thread, made in program order.
type SchedulerCall =
    /// Task.Factory.StartNew on the scheduler.
    | StartNew of Work
    /// antecedent.ContinueWith(a quiet continuation, scheduler); no call at all when StartNew refused the antecedent.
    | ContinueWith of antecedent: TaskId * continuation: TaskId
    /// Post of a quiet callback to the scheduler's SynchronizationContext.
    | Post of TaskId
    | DestroyPool

/// Where a piece of work ran.
type Place =
    | OnWorker
    /// On the thread inside DestroyPool, during its drain.
    | OnDestroyer
    /// On the thread that posted it, because the pool had been destroyed.
    | OnPoster

/// A piece of work being run, and whether its body's action has happened.
type WorkRun = { Work: Work; EffectDone: bool }

type SchedulerWorker =
    | Free
    | RunsWork of WorkRun
    /// The worker whose task called DestroyPool: it drains the queue, then its task finishes.
    | Destroying of WorkRun
    | Left

/// Who runs DestroyPool's drain.
type Destroyer =
    | NoDestroyer
    | ClientDestroys
    | WorkerDestroys of worker: int

/// The pool under a PoolTaskScheduler, its client, and what they observe.
type SchedulerState =
    {
        Phase: Phase
        Workers: SchedulerWorker list
        /// Work accepted and not started, in queue order.
        Queue: Work list
        Destroyer: Destroyer
        /// The work the destroyer is running in its drain.
        Drained: WorkRun option
        Client: SchedulerCall list
        /// Continuations registered on a task that has not completed, per antecedent, in registration order.
        Continuations: Map<TaskId, TaskId list>
        Completed: Set<TaskId>
        /// Work the pool accepted (tasks and callbacks); refused tasks and callbacks run on the poster are not.
        Accepted: Set<TaskId>
        /// Every run, in the order they started.
        Runs: (TaskId * Place) list
        /// Tasks the scheduler refused (TaskSchedulerException).
        Refused: Set<TaskId>
        /// DestroyPool calls that threw (destroy twice).
        Rejected: int
    }

/// One step of the scheduler model: a client call, a worker step, or a step of the destroyer's drain.
type SchedulerStep =
    | SchedulerCallStep of SchedulerCall
    | StartWork of worker: int * TaskId
    | WorkEffect of worker: int * TaskId
    | FinishWork of worker: int * TaskId
    | LeavePool of worker: int
    | DrainStart of TaskId
    | DrainEffect of TaskId
    | DrainFinish of TaskId
    | DrainDone

/// Which rules: the specification, or a deliberately wrong variant (proof that the checks bite).
type SchedulerVariant =
    | SchedulerSpecified
    /// DestroyPool drops the work still queued, as ThreadPool.Destroy with no pending callback would.
    | DropsQueuedWork

/// What a finished run shows to its user.
type SchedulerOutcome =
    {
        /// Where each piece of work ran (a list, so that a second run would show).
        Places: Map<TaskId, Place list>
        /// The work the destroyer ran, in order.
        DestroyerOrder: TaskId list
        Refused: Set<TaskId>
        Rejected: int
    }

/// PoolTaskScheduler (src/Pool.CSharp/Tasks) over a pool, as a small-step transition system. The pool's queue is
/// abstracted (PoolModel checks it): with one worker, work starts in queue order; with more, in any order, a
/// superset of what the pool's claims allow. What matters here is where each piece of work runs, and that none is
/// lost or run twice when the pool is destroyed.
module TaskSchedulerModel =
    let initial (workers: int) (client: SchedulerCall list) : SchedulerState =
        {
            Phase = Running
            Workers = List.replicate workers Free
            Queue = []
            Destroyer = NoDestroyer
            Drained = None
            Client = client
            Continuations = Map.empty
            Completed = Set.empty
            Accepted = Set.empty
            Runs = []
            Refused = Set.empty
            Rejected = 0
        }

    /// QueueTask, or Post's schedule: accepted until the drain has completed; a task is refused after.
    let private queueTask (work: Work) (state: SchedulerState) =
        match state.Phase with
        | Destroyed ->
            { state with
                Refused = state.Refused.Add work.Id
            }
        | Running
        | Draining ->
            { state with
                Queue = state.Queue @ [ work ]
                Accepted = state.Accepted.Add work.Id
            }

    let private quiet id = { Id = id; Body = Quiet }

    /// A task completed: .NET queues its continuations to the scheduler, in registration order.
    let private complete (id: TaskId) (state: SchedulerState) =
        let continuations = state.Continuations |> Map.tryFind id |> Option.defaultValue []

        continuations
        |> List.fold
            (fun s c -> queueTask (quiet c) s)
            { state with
                Completed = state.Completed.Add id
                Continuations = state.Continuations.Remove id
            }

    let private ran id place (state: SchedulerState) =
        { state with
            Runs = state.Runs @ [ id, place ]
        }

    let private reject (state: SchedulerState) =
        { state with
            Rejected = state.Rejected + 1
        }

    let private setWorker index worker (state: SchedulerState) =
        { state with
            Workers = state.Workers |> List.updateAt index worker
        }

    let private call (c: SchedulerCall) (state: SchedulerState) =
        let state =
            { state with
                Client = List.tail state.Client
            }

        match c with
        | StartNew work -> queueTask work state
        | ContinueWith(antecedent, _) when state.Refused.Contains antecedent -> state
        | ContinueWith(antecedent, continuation) when state.Completed.Contains antecedent ->
            queueTask (quiet continuation) state
        | ContinueWith(antecedent, continuation) ->
            let registered =
                state.Continuations |> Map.tryFind antecedent |> Option.defaultValue []

            { state with
                Continuations = state.Continuations.Add(antecedent, registered @ [ continuation ])
            }
        | Post id when state.Phase = Destroyed -> ran id OnPoster state
        | Post id -> queueTask (quiet id) state
        | DestroyPool when state.Phase = Running ->
            { state with
                Phase = Draining
                Destroyer = ClientDestroys
            }
        | DestroyPool -> reject state

    /// The body's action; a destroy from a worker's task detaches that worker, which becomes the destroyer.
    let private effect (run: WorkRun) (worker: int option) (state: SchedulerState) =
        match run.Work.Body with
        | Quiet -> state
        | StartChild child -> queueTask (quiet child) state
        | DestroyFromWork ->
            match worker with
            | Some w when state.Phase = Running ->
                { state with
                    Phase = Draining
                    Destroyer = WorkerDestroys w
                }
                |> setWorker w (Destroying { run with EffectDone = true })
            | _ -> reject state

    let private workersOut (state: SchedulerState) =
        state.Workers
        |> List.forall (function
            | Left
            | Destroying _ -> true
            | Free
            | RunsWork _ -> false)

    let private clientWaits (state: SchedulerState) =
        state.Destroyer = ClientDestroys && state.Phase = Draining

    /// Every enabled step and its successor.
    let next (variant: SchedulerVariant) (state: SchedulerState) : (SchedulerStep * SchedulerState) list =
        let client =
            match state.Client with
            | c :: _ when not (clientWaits state) -> [ SchedulerCallStep c, call c state ]
            | _ -> []

        let startable =
            match state.Workers.Length, state.Queue with
            | _, [] -> []
            | 1, head :: _ -> [ head ]
            | _, queue -> queue

        let workers =
            state.Workers
            |> List.indexed
            |> List.collect (fun (w, worker) ->
                match worker, state.Phase with
                | Free, Running ->
                    startable
                    |> List.map (fun work ->
                        StartWork(w, work.Id),
                        { state with
                            Queue = state.Queue |> List.filter (fun q -> q.Id <> work.Id)
                        }
                        |> setWorker w (RunsWork { Work = work; EffectDone = false })
                        |> ran work.Id OnWorker)
                | Free, (Draining | Destroyed) -> [ LeavePool w, setWorker w Left state ]
                | RunsWork run, _ when not run.EffectDone ->
                    let done' = setWorker w (RunsWork { run with EffectDone = true }) state
                    [ WorkEffect(w, run.Work.Id), effect run (Some w) done' ]
                | RunsWork run, _ -> [ FinishWork(w, run.Work.Id), setWorker w Free state |> complete run.Work.Id ]
                | Destroying run, Destroyed ->
                    [ FinishWork(w, run.Work.Id), setWorker w Left state |> complete run.Work.Id ]
                | Destroying _, _
                | Left, _ -> [])

        let destroyer =
            if state.Phase = Draining && workersOut state then
                match state.Drained, state.Queue, variant with
                | None, head :: rest, SchedulerSpecified ->
                    [
                        DrainStart head.Id,
                        { state with
                            Queue = rest
                            Drained = Some { Work = head; EffectDone = false }
                        }
                        |> ran head.Id OnDestroyer
                    ]
                | None, _, _ ->
                    [
                        DrainDone,
                        { state with
                            Phase = Destroyed
                            Queue = []
                        }
                    ]
                | Some run, _, _ when not run.EffectDone ->
                    [
                        DrainEffect run.Work.Id,
                        effect
                            run
                            None
                            { state with
                                Drained = Some { run with EffectDone = true }
                            }
                    ]
                | Some run, _, _ -> [ DrainFinish run.Work.Id, complete run.Work.Id { state with Drained = None } ]
            else
                []

        client @ workers @ destroyer

    let private ranIds (state: SchedulerState) = state.Runs |> List.map fst

    /// No piece of work runs twice.
    let atMostOnce (state: SchedulerState) =
        let ids = ranIds state
        List.length (List.distinct ids) = List.length ids

    /// Once DestroyPool has returned, every piece of work the pool accepted has run: no awaiter waits forever.
    let noneLeftPending (state: SchedulerState) =
        state.Phase <> Destroyed
        || Set.isSubset state.Accepted (Set.ofList (ranIds state))

    /// A refused task never runs, and only accepted work (or a callback posted after destroy, on its poster) runs.
    let onlyAcceptedWorkRuns (state: SchedulerState) =
        state.Runs
        |> List.forall (fun (id, place) ->
            not (state.Refused.Contains id)
            && (state.Accepted.Contains id || place = OnPoster))

    /// When DestroyPool has returned no worker runs work, except the task that destroyed the pool.
    let nothingOnAWorkerAfterDestroy (state: SchedulerState) =
        state.Phase <> Destroyed
        || state.Workers
           |> List.forall (function
               | RunsWork _ -> false
               | _ -> true)

    let invariants =
        [
            "at most once", atMostOnce
            "none left pending", noneLeftPending
            "only accepted work runs", onlyAcceptedWorkRuns
            "nothing on a worker after destroy", nothingOnAWorkerAfterDestroy
        ]

    /// Finished: the client made every call and returned, the pool is destroyed, and every worker has left.
    let finished (state: SchedulerState) =
        List.isEmpty state.Client
        && state.Phase = Destroyed
        && state.Workers |> List.forall ((=) Left)

    let system variant workers client : TransitionSystem<SchedulerState, SchedulerStep> =
        {
            Initial = initial workers client
            Next = next variant
            Finished = finished
            Invariants = invariants
        }

    let outcome (state: SchedulerState) : SchedulerOutcome =
        {
            Places =
                state.Runs
                |> List.groupBy fst
                |> List.map (fun (id, runs) -> id, List.map snd runs)
                |> Map.ofList
            DestroyerOrder =
                state.Runs
                |> List.choose (fun (id, place) -> if place = OnDestroyer then Some id else None)
            Refused = state.Refused
            Rejected = state.Rejected
        }

    /// The set of outcomes the specification allows for a program (exhaustive; small programs only).
    let allowedOutcomes workers client : Set<SchedulerOutcome> =
        (Checker.check 2_000_000 (system SchedulerSpecified workers client)).Terminals
        |> Set.map outcome
