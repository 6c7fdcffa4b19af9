namespace Pool.Model.Diagrams

open Pool.Model

/// The picture of one model and its wrong variants' counterexamples, for one small configuration.
type ModelPicture =
    {
        /// The name the command line takes (pool, executor, scheduler, timer, connection).
        Name: string
        Title: string
        /// The configuration the picture abstracts, in words.
        Configuration: string
        /// The abstraction, in words: what a node shows.
        Abstraction: string
        Graph: Lazy<Graph>
        /// Each wrong variant's name and counterexample (None: the checker finds nothing wrong with it).
        Counterexamples: (string * Lazy<Counterexample option>) list
    }

/// The abstraction and small configuration of each model.
module Models =
    let private variantName (variant: obj) = sprintf "%A" variant

    let private joined (items: string seq) = String.concat ", " items

    let private worker w = sprintf "worker %d" w

    // The pool ------------------------------------------------------------------------------------------------

    let private poolPhase =
        function
        | Phase.Running -> "running"
        | Phase.Draining -> "draining"
        | Phase.Destroyed -> "destroyed"

    let private poolWorker =
        function
        | Idle -> "idle"
        | Busy _ -> "busy"
        | Detached _ -> "detached"
        | Gone -> "gone"

    let private poolState (state: PoolState) =
        [
            poolPhase state.Phase
            state.Workers |> List.map poolWorker |> joined
            sprintf
                "queued %d, pending %d"
                (state.Queue.Length + List.sumBy List.length state.Claimed)
                state.Pending.Length
        ]

    let private jobOf (state: PoolState) w =
        match state.Workers[w] with
        | Busy job
        | Detached job -> Some job
        | Idle
        | Gone -> None

    let private poolStep (before: PoolState) (step: PoolStep) (after: PoolState) =
        match step with
        | Call(Schedule task) -> sprintf "schedule %d" task.Id
        | Call Increase -> "increase"
        | Call Decrease -> "decrease"
        | Call Destroy -> "destroy"
        | Call(DestroyScheduling child) -> sprintf "destroy (its callback schedules %d)" child
        | Take(_, [ id ]) -> sprintf "take %d" id
        | Take(_, id :: claimed) -> sprintf "take %d, claim %s" id (claimed |> List.map string |> joined)
        | Take(_, []) -> "take"
        | TakeClaimed(_, id) -> sprintf "run claimed %d" id
        | Steal(_, _, id) -> sprintf "steal %d" id
        | TakeExit _ -> "take an exit token"
        | Effect(w, id) ->
            match jobOf before w |> Option.map _.Task.Body with
            | Some(ScheduleChild child) -> sprintf "task %d schedules %d" id child
            | Some ExitWorker -> sprintf "task %d calls exit" id
            | Some DestroyFromTask -> sprintf "task %d calls destroy" id
            | Some Plain
            | None -> sprintf "task %d runs" id
        | Finish(_, id) -> sprintf "task %d returns" id
        | Leave _ -> "a worker leaves"
        | DrainComplete ->
            let handed = List.skip before.Pending.Length after.Pending

            if handed.IsEmpty then
                "drain: nothing pending"
            else
                sprintf "drain: pending %s" (handed |> List.map string |> joined)

    let private poolMessage (before: PoolState) (step: PoolStep) (after: PoolState) =
        let text = poolStep before step after

        match step with
        | Call _ ->
            {
                From = "client"
                To = "pool"
                Text = text
            }
        | Take(w, _)
        | TakeClaimed(w, _)
        | Steal(w, _, _)
        | TakeExit w
        | Effect(w, _)
        | Finish(w, _)
        | Leave w ->
            {
                From = worker w
                To = "pool"
                Text = text
            }
        | DrainComplete ->
            let destroyer =
                if before.ClientInDestroy then
                    "client"
                else
                    before.Workers
                    |> List.tryFindIndex (function
                        | Detached _ -> true
                        | _ -> false)
                    |> Option.map worker
                    |> Option.defaultValue "pool"

            {
                From = destroyer
                To = "pool"
                Text = text
            }

    let private poolAbstraction: Abstraction<PoolState, PoolStep> =
        {
            State = poolState
            Step = poolStep
            Message = poolMessage
            Actors = [ "client"; worker 0; worker 1; worker 2; "pool" ]
            Observer = "pool"
            Ending =
                fun state ->
                    let ids (items: TaskId seq) =
                        if Seq.isEmpty items then
                            "none"
                        else
                            items |> Seq.map string |> joined

                    [
                        poolPhase state.Phase
                        sprintf "accepted %s" (ids state.Accepted)
                        sprintf "ran %s" (ids state.Ran)
                        sprintf "pending %s" (ids state.Pending)
                    ]
        }

    let private poolClient = [ Schedule { Id = 1; Body = ScheduleChild 11 }; Destroy ]

    let pool: ModelPicture =
        {
            Name = "pool"
            Title = "The thread pool"
            Configuration = "one worker; the client schedules task 1, which schedules task 11, then destroys the pool"
            Abstraction = "the phase; each worker; the tasks queued or claimed, and the tasks handed to pending"
            Graph =
                lazy
                    (Graph.build
                        "pool"
                        poolAbstraction
                        [ PoolModel.system Specified 1 poolClient ]
                        [ variantName ForgetsLateTasks, PoolModel.system ForgetsLateTasks 1 poolClient ])
            Counterexamples =
                [
                    variantName ForgetsLateTasks,
                    lazy
                        (Graph.counterexample
                            "pool"
                            (variantName ForgetsLateTasks)
                            poolAbstraction
                            (PoolModel.system ForgetsLateTasks 1 poolClient))
                ]
        }

    // The task scheduler --------------------------------------------------------------------------------------

    let private schedulerWorker =
        function
        | Free -> "free"
        | RunsWork run -> sprintf "runs %d" run.Work.Id
        | Destroying run -> sprintf "%d destroys" run.Work.Id
        | Left -> "left"

    let private schedulerState (state: SchedulerState) =
        let ran = state.Runs |> List.map (fst >> string)

        [
            poolPhase state.Phase
            (state.Workers |> List.map schedulerWorker |> joined)
            + (match state.Drained with
               | Some run -> sprintf ", drain runs %d" run.Work.Id
               | None -> "")
            sprintf "queued %d, ran %s" state.Queue.Length (if ran.IsEmpty then "none" else joined ran)
        ]

    let private schedulerStep (before: SchedulerState) (step: SchedulerStep) (_: SchedulerState) =
        let body id =
            let running =
                before.Workers
                |> List.tryPick (function
                    | RunsWork run
                    | Destroying run when run.Work.Id = id -> Some run.Work.Body
                    | _ -> None)
                |> Option.orElse (before.Drained |> Option.map _.Work.Body)

            match running with
            | Some(StartChild child) -> sprintf "%d starts %d" id child
            | Some DestroyFromWork -> sprintf "%d calls destroy" id
            | Some Quiet
            | None -> sprintf "%d runs" id

        match step with
        | SchedulerCallStep(StartNew work) -> sprintf "start new %d" work.Id
        | SchedulerCallStep(ContinueWith(antecedent, continuation)) ->
            sprintf "continue %d with %d" antecedent continuation
        | SchedulerCallStep(Post id) -> sprintf "post %d" id
        | SchedulerCallStep DestroyPool -> "destroy pool"
        | StartWork(_, id) -> sprintf "start %d" id
        | WorkEffect(_, id) -> body id
        | FinishWork(_, id) -> sprintf "%d completes" id
        | LeavePool _ -> "a worker leaves"
        | DrainStart id -> sprintf "drain starts %d" id
        | DrainEffect id -> "drain: " + body id
        | DrainFinish id -> sprintf "drain: %d completes" id
        | DrainDone -> "drain done"

    let private schedulerMessage (before: SchedulerState) (step: SchedulerStep) (after: SchedulerState) =
        let text = schedulerStep before step after

        let destroyer =
            match before.Destroyer with
            | WorkerDestroys w -> worker w
            | ClientDestroys
            | NoDestroyer -> "client"

        match step with
        | SchedulerCallStep _ ->
            {
                From = "client"
                To = "scheduler"
                Text = text
            }
        | StartWork(w, _)
        | WorkEffect(w, _)
        | FinishWork(w, _)
        | LeavePool w ->
            {
                From = worker w
                To = "scheduler"
                Text = text
            }
        | DrainStart _
        | DrainEffect _
        | DrainFinish _
        | DrainDone ->
            {
                From = destroyer
                To = "scheduler"
                Text = text
            }

    let private schedulerAbstraction: Abstraction<SchedulerState, SchedulerStep> =
        {
            State = schedulerState
            Step = schedulerStep
            Message = schedulerMessage
            Actors = [ "client"; worker 0; worker 1; "scheduler" ]
            Observer = "scheduler"
            Ending = schedulerState
        }

    let private schedulerClient = [ StartNew { Id = 1; Body = Quiet }; DestroyPool ]

    let scheduler: ModelPicture =
        {
            Name = "scheduler"
            Title = "The task scheduler"
            Configuration = "one worker; the client starts task 1 on the scheduler, then destroys the pool"
            Abstraction = "the phase; the worker and the work the drain runs; the work queued and the work that ran"
            Graph =
                lazy
                    (Graph.build
                        "scheduler"
                        schedulerAbstraction
                        [ TaskSchedulerModel.system SchedulerSpecified 1 schedulerClient ]
                        [
                            variantName DropsQueuedWork, TaskSchedulerModel.system DropsQueuedWork 1 schedulerClient
                        ])
            Counterexamples =
                [
                    variantName DropsQueuedWork,
                    lazy
                        (Graph.counterexample
                            "scheduler"
                            (variantName DropsQueuedWork)
                            schedulerAbstraction
                            (TaskSchedulerModel.system DropsQueuedWork 1 schedulerClient))
                ]
        }

    // The executor --------------------------------------------------------------------------------------------

    let private sessionName (session: Session) =
        sprintf "%s%d" session.Queue session.Number

    let private executorState (state: ExecutorState) =
        let running =
            state.Workers
            |> List.choose (function
                | Running(session, _) -> Some(sessionName session)
                | _ -> None)

        let queueTasks =
            state.PoolTasks.Length
            + List.sumBy List.length state.Claimed
            + (state.Workers
               |> List.filter (function
                   | Taking _ -> true
                   | _ -> false)
               |> List.length)

        let destroy =
            if state.Destroyed then "destroyed"
            elif state.Destroying then "destroying"
            elif state.DestroyCalled then "destroy called"
            else "open"

        [
            destroy
            sprintf
                "waiting %d, queue tasks %d"
                (state.Waiting |> Map.toList |> List.sumBy (snd >> List.length))
                queueTasks
            (if running.IsEmpty then
                 "running none"
             else
                 "running " + joined running)
        ]

    let private executorStep (_: ExecutorState) (step: ExecutorStep) (_: ExecutorState) =
        match step with
        | ExecCall(_, Submit session) -> sprintf "submit %s" (sessionName session)
        | ExecCall(_, DestroyExecutor) -> "destroy"
        | TakeQueueTask(_, queue, []) -> sprintf "take queue task %s" queue
        | TakeQueueTask(_, queue, claimed) -> sprintf "take queue task %s, claim %s" queue (joined claimed)
        | TakeClaimedQueueTask(_, _, queue) -> sprintf "take claimed queue task %s" queue
        | StartSession(_, session) -> sprintf "start %s" (sessionName session)
        | BeginSession(_, session) -> sprintf "%s begins" (sessionName session)
        | SubmitFromSession(_, session) -> sprintf "submit %s from a session" (sessionName session)
        | DestroyFromSession _ -> "destroy from a session"
        | BeginPoolDestroy -> "the pool's destroy begins"
        | FinishSession(_, session) -> sprintf "%s finishes" (sessionName session)
        | CancelRemaining -> "cancel the rest"

    let private executorMessage (before: ExecutorState) (step: ExecutorStep) (after: ExecutorState) =
        let text = executorStep before step after

        let destroyer () =
            match Seq.tryHead before.ClientsInDestroy with
            | Some c -> sprintf "client %d" c
            | None ->
                before.Workers
                |> List.tryFindIndex (function
                    | Running(_, InDestroy) -> true
                    | _ -> false)
                |> Option.map worker
                |> Option.defaultValue "executor"

        let from =
            match step with
            | ExecCall(c, _) -> sprintf "client %d" c
            | TakeQueueTask(w, _, _)
            | TakeClaimedQueueTask(w, _, _)
            | StartSession(w, _)
            | BeginSession(w, _)
            | SubmitFromSession(w, _)
            | DestroyFromSession w
            | FinishSession(w, _) -> worker w
            | BeginPoolDestroy
            | CancelRemaining -> destroyer ()

        {
            From = from
            To = "executor"
            Text = text
        }

    let private executorAbstraction: Abstraction<ExecutorState, ExecutorStep> =
        {
            State = executorState
            Step = executorStep
            Message = executorMessage
            Actors = [ "client 0"; "client 1"; worker 0; worker 1; "executor" ]
            Observer = "executor"
            Ending = executorState
        }

    let private executorClient =
        [
            Submit(ExecutorModel.session "s" 1)
            Submit(ExecutorModel.session "s" 2)
            DestroyExecutor
        ]

    let private serialQueue = Set.singleton "s"

    let executor: ModelPicture =
        {
            Name = "executor"
            Title = "The executor"
            Configuration = "two workers; the client submits sessions s1 and s2 to the serial queue s, then destroys"
            Abstraction =
                "how far destroy got; the sessions waiting and the queue tasks in the pool (queued, claimed or being taken); the sessions running"
            Graph =
                lazy
                    (Graph.build
                        "executor"
                        executorAbstraction
                        [ ExecutorModel.system ExecutorSpecified 2 serialQueue executorClient ]
                        [
                            variantName SerialReschedulesEarly,
                            ExecutorModel.system SerialReschedulesEarly 2 serialQueue executorClient
                        ])
            Counterexamples =
                [
                    variantName SerialReschedulesEarly,
                    lazy
                        (Graph.counterexample
                            "executor"
                            (variantName SerialReschedulesEarly)
                            executorAbstraction
                            (ExecutorModel.system SerialReschedulesEarly 2 serialQueue executorClient))
                ]
        }

    // The timer queue -----------------------------------------------------------------------------------------

    let private timerIds = [ 1; 2 ]

    let private timerStatus (state: TimerState) id =
        let added =
            state.Calls
            |> List.exists (function
                | AddTimer spec -> spec.Id = id
                | CancelTimer _ -> false)
            |> not

        let cancelled = state.History |> List.contains (CancelProcessed id)

        let fired =
            state.History
            |> List.exists (function
                | Fired(fired, _) -> fired = id
                | CancelProcessed _ -> false)

        let status =
            match added, state.Active.ContainsKey id, cancelled with
            | false, _, _ -> "not added"
            | true, true, false -> if fired then "armed, has fired" else "armed"
            | true, true, true -> "armed after its cancel"
            | true, false, true -> "cancelled"
            | true, false, false -> "expired"

        sprintf "timer %d: %s" id status

    let private timerState (state: TimerState) =
        timerIds |> List.map (timerStatus state)

    let private timerStep (before: TimerState) (step: TimerStep) (_: TimerState) =
        match step with
        | ProcessCall(AddTimer spec) -> sprintf "add %d" spec.Id
        | ProcessCall(CancelTimer id) -> sprintf "cancel %d" id
        | Fire id when before.Active[id].CancelsItself -> sprintf "fire %d, which cancels itself" id
        | Fire id -> sprintf "fire %d" id

    let private timerMessage (before: TimerState) (step: TimerStep) (after: TimerState) =
        match step with
        | ProcessCall(AddTimer spec) ->
            let every =
                match spec.Interval with
                | Some interval -> sprintf ", every %d" interval
                | None -> ""

            let cancels = if spec.CancelsItself then ", cancels itself" else ""

            {
                From = "caller"
                To = "loop"
                Text = sprintf "add %d (due %d%s%s)" spec.Id spec.Due every cancels
            }
        | ProcessCall(CancelTimer id) ->
            {
                From = "caller"
                To = "loop"
                Text = sprintf "cancel %d" id
            }
        | Fire id ->
            {
                From = "loop"
                To = "callback"
                Text =
                    if before.Active[id].CancelsItself then
                        sprintf "fire %d at %d (its callback cancels it)" id after.Now
                    else
                        sprintf "fire %d at %d" id after.Now
            }

    let private timerAbstraction: Abstraction<TimerState, TimerStep> =
        {
            State = timerState
            Step = timerStep
            Message = timerMessage
            Actors = [ "caller"; "loop"; "callback" ]
            Observer = "loop"
            Ending = timerState
        }

    let private timerCalls =
        let repeating =
            {
                Id = 1
                Due = 1
                Interval = Some 2
                CancelsItself = false
            }

        [
            AddTimer repeating
            AddTimer
                { repeating with
                    Id = 2
                    CancelsItself = true
                }
            CancelTimer 1
        ]

    let private timerVariants = [ CancelNeverMatches; RearmAfterSelfCancel ]

    let timer: ModelPicture =
        {
            Name = "timer"
            Title = "The timer queue"
            Configuration =
                "horizon 10; another thread adds timer 1 (due 1, every 2) and timer 2 (due 1, every 2, its callback cancels it), then cancels timer 1"
            Abstraction = "each timer: not added, armed (and whether it has fired), cancelled or expired"
            Graph =
                lazy
                    (Graph.build
                        "timer"
                        timerAbstraction
                        [ TimerModel.system TimersSpecified 10 timerCalls ]
                        (timerVariants
                         |> List.map (fun variant -> variantName variant, TimerModel.system variant 10 timerCalls)))
            Counterexamples =
                timerVariants
                |> List.map (fun variant ->
                    variantName variant,
                    lazy
                        (Graph.counterexample
                            "timer"
                            (variantName variant)
                            timerAbstraction
                            (TimerModel.system variant 10 timerCalls)))
        }

    // The connection ------------------------------------------------------------------------------------------

    let private connectionPhase =
        function
        | Open -> "open"
        | ConnectionPhase.Draining -> "draining"
        | ClosedWaiting -> "closed, waiting"
        | ReleasedPhase -> "released"

    let private connectionState (state: ConnectionState) =
        [
            connectionPhase state.Phase
            sprintf "at a worker %d, in flight %d" state.AtWorkers.Count state.InFlight
            (match state.IsReset, state.EndOfStream with
             | true, _ -> "peer reset"
             | false, true -> "peer half-closed"
             | false, false -> "peer connected")
        ]

    let private lastEvent (state: ConnectionState) = List.tryLast state.History

    let private connectionStep (_: ConnectionState) (step: ConnectionStep) (after: ConnectionState) =
        match step with
        | PeerActs(SendMessage _) -> "peer sends"
        | PeerActs HalfClose -> "peer half-closes"
        | PeerActs Reset -> "peer resets"
        | ReceiveMessage _ -> "read, hand to a worker"
        | CountInFlight _ -> "count in flight"
        | WorkerDone _ -> "worker queues its reply"
        | WorkerWrites _ -> "worker writes its reply"
        | ProcessReply _ ->
            match lastEvent after with
            | Some(ReplyDropped _) -> "loop drops a reply"
            | _ -> "loop writes a reply"
        | SeeEndOfStream -> "read end of stream"
        | SeeReset -> "see the reset"
        | CloseDrained -> "close, drained"
        | Release -> "release"

    let private connectionMessage (before: ConnectionState) (step: ConnectionStep) (after: ConnectionState) =
        let message from target text =
            {
                From = from
                To = target
                Text = text
            }

        match step with
        | PeerActs(SendMessage k) -> message "peer" "loop" (sprintf "sends message %d" k)
        | PeerActs HalfClose -> message "peer" "loop" "half-closes"
        | PeerActs Reset -> message "peer" "loop" "resets"
        | ReceiveMessage k when after.InFlight > before.InFlight ->
            message "loop" "worker" (sprintf "message %d (in flight %d)" k after.InFlight)
        | ReceiveMessage k -> message "loop" "worker" (sprintf "message %d (not yet counted)" k)
        | CountInFlight k -> message "loop" "loop" (sprintf "count %d in flight (in flight %d)" k after.InFlight)
        | WorkerDone k when before.Phase = ReleasedPhase ->
            message "worker" "loop" (sprintf "reply %d queued to a released connection" k)
        | WorkerDone k -> message "worker" "loop" (sprintf "reply %d queued" k)
        | WorkerWrites k -> message "worker" "peer" (sprintf "reply %d (in flight %d)" k after.InFlight)
        | ProcessReply k ->
            match lastEvent after with
            | Some(ReplyDropped _) -> message "loop" "loop" (sprintf "reply %d dropped" k)
            | _ -> message "loop" "peer" (sprintf "reply %d (in flight %d)" k after.InFlight)
        | SeeEndOfStream -> message "loop" "loop" "end of stream: draining"
        | SeeReset -> message "loop" "loop" "reset: closed, waiting"
        | CloseDrained -> message "loop" "loop" (sprintf "close (in flight %d)" before.InFlight)
        | Release -> message "loop" "loop" (sprintf "release (in flight %d)" before.InFlight)

    let private connectionAbstraction: Abstraction<ConnectionState, ConnectionStep> =
        {
            State = connectionState
            Step = connectionStep
            Message = connectionMessage
            Actors = [ "peer"; "loop"; "worker" ]
            Observer = "loop"
            Ending = connectionState
        }

    let private connectionVariants = [ InFlightAfterDispatch; ReleaseIgnoringInFlight ]

    let private halfClose = [ SendMessage 1; HalfClose ]

    let connection: ModelPicture =
        {
            Name = "connection"
            Title = "The connection lifecycle"
            Configuration =
                "a peer that sends one message, then half-closes; and one that sends one message, then resets"
            Abstraction =
                "the connection's phase; the messages at a worker and the count in flight; what the peer did last"
            Graph =
                lazy
                    (Graph.build
                        "connection"
                        connectionAbstraction
                        [
                            ConnectionModel.system ConnectionSpecified halfClose
                            ConnectionModel.system ConnectionSpecified [ SendMessage 1; Reset ]
                        ]
                        (connectionVariants
                         |> List.map (fun variant -> variantName variant, ConnectionModel.system variant halfClose)))
            Counterexamples =
                connectionVariants
                |> List.map (fun variant ->
                    variantName variant,
                    lazy
                        (Graph.counterexample
                            "connection"
                            (variantName variant)
                            connectionAbstraction
                            (ConnectionModel.system variant halfClose)))
        }

    /// Every model with a picture, in the order docs/spec.md shows them.
    let all = [ pool; scheduler; executor; timer; connection ]

    /// The model of this name.
    let tryFind (name: string) =
        all |> List.tryFind (fun model -> model.Name = name)
