namespace Pool.Model

// The pool's queue (TaskQueue with its PutGate, ClaimWord, ClaimedTasks and IdleConsumers) at the grain of its atomic
// steps. The types here are the specification's: a `Slot` is the model of a ClaimedTasks, not the C# class.

/// A producer's call on the queue.
type QueueCall =
    /// Enqueue: a task.
    | Put of TaskId
    /// EnqueueExit: an exit entry, taken by the next consumer that has no claimed task of its own.
    | PutExit

/// The claim word: the get list's generation (swaps so far) and how many of its tasks are claimed.
type ClaimValue = { Generation: int; Claimed: int }

/// A consumer's claimed tasks (ClaimedTasks): those of its last claim of several, after the one it ran. Next is the
/// first one not yet taken; the owner and thieves take from the front.
type Slot = { Tasks: TaskId list; Next: int }

/// Where a consumer is in Dequeue's loop, or in running what it returned. Each case names the next step it takes.
type ConsumerPc =
    /// At the top of the loop: reads the control word (closed, exit entries), takes an exit entry or a task of its
    /// own slot, else reads the claim word.
    | Looking
    /// (ClaimReadsListBeforeClaimWord only) read the get list's count and which list it is; reads the claim word next.
    | ReadingWord of count: int * ring: int
    /// Holds a claim word value; compare-exchanges it to claim the next tasks (the count and list read before the
    /// word are given in the wrong variant that reads them first).
    | Claiming of seen: ClaimValue * early: (int * int) option
    /// Claimed several tasks and runs the first: the others are its own, not yet published in its slot.
    | Publishing of run: TaskId * rest: TaskId list
    /// Published its claim and saw the waiter asleep: wakes it.
    | WakingSleeper of run: TaskId
    /// Made work available: wakes parked consumers, this many at most, if nobody waits for work.
    | WakingParked of count: int * run: TaskId
    /// Found nothing to claim and saw the waiter: parks (standby).
    | Parking
    /// Parked on the standby condition.
    | Parked
    /// Signalled in standby: checks again under the sleep lock.
    | Unparking
    /// Found nothing to claim and nobody waiting: takes the get lock (blocks while another holds it).
    | Locking
    /// (TakeWithoutCompareExchange only) read a slot's next index; writes it back one further.
    | TakingFromSlot of slot: int * index: int * stolen: bool
    /// Holds the get lock and stole a task: wakes a parked consumer if claimed tasks are left, then releases.
    | WakingAfterSteal of run: TaskId
    /// The waiter (get lock held, get list cleared) looks for work: swaps, or sleeps. Waits: it raised the
    /// waiting flag.
    | Spinning of waits: bool
    /// In Sleep (sleep lock held): sets the sleeping flag, checks for work, and waits or leaves.
    | SleepChecking of waits: bool * first: bool
    /// Sleeps on the work-arrived condition.
    | SleepWaiting of waits: bool
    /// Found work in Sleep: clears the sleeping flag.
    | SleepLeaving of waits: bool
    /// Swaps the lists under the put gate (and stops waiting).
    | Swapping of waits: bool
    /// After the swap: wakes a parked consumer for claims published while it waited, then releases the get lock.
    | LeavingWait of waits: bool
    /// Runs a task, for as long as the task likes.
    | RunningTask of TaskId
    /// Dequeue returned an exit entry: the consumer left.
    | Exited
    /// Dequeue returned Closed: the consumer left.
    | Closed

/// Where a producer is: between calls, or announcing the task that made the put list non-empty.
type ProducerPc =
    | Calling
    /// (SleepingReadBeforePublish only) read the sleeping flag before entering the put gate.
    | Putting of sleeping: bool
    /// Made the put list non-empty: reads the sleeping flag (unless read before) and wakes the sleeper, or wakes a
    /// parked consumer when nobody waited for work (unwatched).
    | Announcing of unwatched: bool * early: bool option
    /// Saw the sleeper: resets its flag, and signals it if the flag was set.
    | SignallingSleeper
    /// Added an exit entry: wakes every sleeping and parked consumer.
    | WakingAllForExit

type Producer =
    {
        Pc: ProducerPc
        Calls: QueueCall list
    }

/// The destroyer (ThreadPool.Destroy over the queue): closes, wakes all, joins the consumers, drains.
type DestroyerPc =
    | BeforeClose
    | WakingAllOnClose
    | Joining
    /// Calls TryDrain until it returns false; budget: only the wrong variant DestroyForgetsLateTasks keeps one.
    | DrainingQueue of budget: int option
    | DestroyReturned

/// The queue, its consumers, producers and destroyer.
type QueueState =
    {
        /// The two lists (TaskRing): one is the get list, the other the put list.
        Rings: TaskId list * TaskId list
        /// Which ring is the get list (0 or 1).
        GetRing: int
        /// The claim word (generation, tasks claimed).
        Word: ClaimValue
        /// The get list's task count as of the last swap (ClaimWord.Count).
        Count: int
        /// 1 iff the put list is not empty (written under the put gate).
        PutHasTasks: bool
        /// The control word: exit entries, and the closed bit.
        Exits: int
        Closed: bool
        /// Set by the drain once both lists are empty: later enqueues throw.
        Sealed: bool
        /// The consumer holding the get lock.
        GetLock: int option
        /// One claimed-task slot per consumer.
        Slots: Slot list
        /// IdleConsumers: the waiter sleeps (the Dekker flag), the get lock's holder waits for work, consumers parked
        /// (or parking), wake-ups owed to parked consumers.
        Sleeping: bool
        Waiting: bool
        Standby: int
        Tokens: int
        /// (SleeperFlagWithoutFence only) the sleeper's store of its flag, not yet visible to other threads.
        SleepingBuffered: bool
        Consumers: ConsumerPc list
        Producers: Producer list
        Destroyer: DestroyerPc option
        /// Tasks accepted, in queue order.
        Accepted: TaskId list
        /// Tasks taken by consumers (sorted: a task taken twice appears twice).
        Ran: TaskId list
        /// Tasks the drain returned, in order.
        Drained: TaskId list
        /// Calls that threw (sealed), sorted.
        Refused: QueueCall list
        ExitsTaken: int
        /// Per consumer, lists with no task it swapped in since the work last changed: a task or exit entry enqueued
        /// or taken (by anyone), claimed tasks published, or the close.
        IdleSwaps: int list
    }

/// Who takes a step.
type QueueActor =
    | Consumer of int
    | Producer of int
    | Destroyer

/// What a step does (the C# member it is a part of in brackets, where the name does not say).
type QueueAction =
    /// Dequeue returns Closed.
    | ReturnClosed
    /// Dequeue returns an exit entry (compare-exchange on the control word).
    | TakeExitEntry
    /// Dequeue returns the next task of the consumer's own slot.
    | TakeOwn of TaskId
    /// (ClaimReadsListBeforeClaimWord) reads the get list's count and array.
    | ReadList
    | ReadClaimWord
    /// A claim's compare-exchange succeeded: the tasks claimed, the first of which runs.
    | Claim of TaskId list
    /// The claim word changed since it was read: retry with the value seen.
    | ClaimFails
    /// Nothing to claim; whether the consumer saw the waiting flag set (it parks) or clear (it takes the get lock).
    | FindNothing of waiterSeen: bool
    /// The tasks claimed with the one that runs, published in the claimer's slot (and the sleeping flag read).
    | Publish of TaskId list
    /// WakeSleeper: resets the sleeping flag and, if it was set, signals the sleeper.
    | WakeSleeper
    /// WakeParked or WakeParkedIfUnwatched: tokens and signals for parked consumers.
    | WakeParked
    /// Park: counted in standby, waits or leaves.
    | Park
    /// A parked consumer checks again after a signal: waits or leaves.
    | Unpark
    /// Under the get lock: another consumer swapped meanwhile; the lock is released.
    | ListNotUsedUp
    /// (TakeWithoutCompareExchange) reads a slot's next index.
    | ReadRange of slot: int * index: int
    /// (TakeWithoutCompareExchange) writes a slot's index back one further, taking the task at the index read.
    | WriteRange of slot: int * TaskId
    /// Under the get lock: takes the next task of another consumer's slot.
    | StealTask of slot: int * TaskId
    /// WaitAndSwap begins: the get list is cleared; waits: the waiting flag is raised (there was no work).
    | StartWaiting of waits: bool
    /// Under the get lock with the control word set: the lock is released.
    | NothingToSteal
    /// The waiter's look for work before it sleeps.
    | Spin of workFound: bool
    /// In Sleep: the flag set (in the specification), the check, and the wait if nothing was found.
    | SleepCheck of workFound: bool
    /// (SleeperFlagWithoutFence) the sleeper's buffered store of its flag reaches memory.
    | FlagBecomesVisible
    | LeaveSleep
    /// SwapLists under the put gate: the tasks swapped in.
    | Swap of TaskId list
    /// The end of WaitAndSwap: the leaving waiter's wake-up for parked consumers, and the get lock released.
    | LeaveWait
    | FinishTask of TaskId
    /// (SleepingReadBeforePublish) the sleeping flag, read before the put gate.
    | ReadSleepingEarly
    | Enqueue of QueueCall
    /// The call threw: the queue is sealed.
    | Refuse of QueueCall
    /// After making the put list non-empty: the sleeping flag read, and parked consumers woken if unwatched.
    | Announce
    | WakeAll
    | Close
    | Join
    /// TryDrain returned a task.
    | Drain of TaskId
    /// TryDrain found both lists empty: the queue is sealed.
    | Seal
    /// (DestroyForgetsLateTasks) TryDrain returns false with its budget spent, without sealing.
    | StopDraining

type QueueStep =
    {
        Actor: QueueActor
        Action: QueueAction
    }

/// The specification, or a deliberately wrong variant: each is one of the C# mutants of the queue
/// (tests/Coyote/Mutants, same name), or the leaving waiter's missing wake-up.
type QueueVariant =
    | QueueSpecified
    /// A claim of several publishes its tasks and wakes nobody.
    | ClaimPublishedWithoutWake
    /// A claimer reads the get list's count and array before the claim word.
    | ClaimReadsListBeforeClaimWord
    /// The drain takes as many tasks as were queued at its first call, and does not seal.
    | DestroyForgetsLateTasks
    /// An exit entry wakes nobody.
    | ExitEntryWithoutWake
    /// A consumer never steals a task claimed by another.
    | IdleWorkerNeverSteals
    /// The get lock's holder does not check again that the get list is used up.
    | NoRecheckUnderGetLock
    /// A claim of several gives one token to parked consumers instead of two.
    | OneWakeForSeveralClaimed
    /// The sleeper sets its flag once, before its first check only.
    | SleepFlagSetOnce
    /// The sleeper's flag is a release store: it becomes visible after the sleeper's check for work.
    | SleeperFlagWithoutFence
    /// A producer reads the sleeping flag before it enqueues.
    | SleepingReadBeforePublish
    /// A consumer parks on the waiter it saw, without looking again under the sleep lock.
    | StandbyParksWithoutRecheck
    /// Only a parked consumer that leaves for a token takes one.
    | StandbyTokenLeftBehind
    /// A slot's take reads the range and writes it back, without a compare-exchange.
    | TakeWithoutCompareExchange
    /// The leaving waiter does not wake a parked consumer for claims published while it waited.
    | LeavingWaiterSkipsStandbyWake

/// A program for the queue: the consumers (each a worker looping on Dequeue), each producer's calls, and whether
/// a destroyer closes the queue, joins the consumers and drains it.
type QueueProgram =
    {
        Consumers: int
        Producers: QueueCall list list
        Destroys: bool
    }

/// What a run shows: the tasks consumers ran, the tasks the drain returned (in order), exit entries taken, and the
/// calls refused because the queue was sealed (sorted).
type QueueOutcome =
    {
        Ran: Set<TaskId>
        Drained: TaskId list
        ExitsTaken: int
        Refused: QueueCall list
    }

/// The queue's handshake as a transition system (docs/spec.md, "The queue's handshake").
module QueueModel =
    /// What a claim reads from an array slot past the list's tasks (null in the C# array): never a task's number.
    [<Literal>]
    let Missing = 0

    /// The tasks one claim takes: half of what is left (rounded up), at most a slot's capacity.
    let claimSize (unclaimed: int) =
        min PoolModel.MaxTake ((unclaimed + 1) / 2)

    let private ring index (s: QueueState) =
        if index = 0 then fst s.Rings else snd s.Rings

    let private setRing index tasks (s: QueueState) =
        { s with
            Rings =
                if index = 0 then
                    (tasks, snd s.Rings)
                else
                    (fst s.Rings, tasks)
        }

    let private putRing (s: QueueState) = 1 - s.GetRing

    let private itemAt index (tasks: TaskId list) =
        if index < List.length tasks then tasks[index] else Missing

    let private left (slot: Slot) =
        List.skip (min slot.Next slot.Tasks.Length) slot.Tasks

    let private slotHasTasks (slot: Slot) = slot.Next < slot.Tasks.Length

    let private anySlotTasks (s: QueueState) = s.Slots |> List.exists slotHasTasks

    /// The control word is zero: no exit entry, not closed.
    let private controlClear (s: QueueState) = s.Exits = 0 && not s.Closed

    /// HasWorkOrSignal: the put list has tasks, the control word is set, or a slot holds a task.
    let hasWorkOrSignal (s: QueueState) =
        s.PutHasTasks || not (controlClear s) || anySlotTasks s

    let private setConsumer c pc (s: QueueState) =
        { s with
            Consumers = s.Consumers |> List.updateAt c pc
        }

    let private setSlot index slot (s: QueueState) =
        { s with
            Slots = s.Slots |> List.updateAt index slot
        }

    let private setProducer p producer (s: QueueState) =
        { s with
            Producers = s.Producers |> List.updateAt p producer
        }

    let private insertSorted x list =
        let before, after = List.partition (fun y -> y <= x) list
        before @ x :: after

    /// The work changed (a task or exit entry enqueued or taken, claimed tasks published, the close): the idle swaps
    /// start again from zero.
    let private progress (s: QueueState) =
        { s with
            IdleSwaps = s.IdleSwaps |> List.map (fun _ -> 0)
        }

    let private taken task (s: QueueState) =
        progress { s with Ran = insertSorted task s.Ran }

    // The sleep lock's two conditions. A signal wakes one waiter (any: each choice is a successor), or is lost when
    // none waits; a wait is always in the same step as the check before it, under the lock.

    /// Signals work-arrived: the sleeper, if it waits, checks again.
    let private signalSleeper (s: QueueState) =
        { s with
            Consumers =
                s.Consumers
                |> List.map (function
                    | SleepWaiting waits -> SleepChecking(waits, false)
                    | pc -> pc)
        }

    /// Signals standby-wake: one parked consumer checks again.
    let private signalParked (s: QueueState) : QueueState list =
        let parked =
            s.Consumers
            |> List.indexed
            |> List.filter (fun (_, pc) -> pc = Parked)
            |> List.map fst

        match parked with
        | [] -> [ s ]
        | _ -> parked |> List.map (fun c -> setConsumer c Unparking s)

    /// WakeAll: broadcasts both conditions.
    let private wakeAll (s: QueueState) =
        let sleeperSignalled = signalSleeper s

        { sleeperSignalled with
            Consumers =
                sleeperSignalled.Consumers
                |> List.map (function
                    | Parked -> Unparking
                    | pc -> pc)
        }

    /// WakeParked(n): under the sleep lock, a token and a signal each, while tokens are fewer than parked consumers.
    let rec private wakeParked n (s: QueueState) : QueueState list =
        if n = 0 || s.Tokens >= s.Standby then
            [ s ]
        else
            signalParked { s with Tokens = s.Tokens + 1 }
            |> List.collect (wakeParked (n - 1))

    /// WakeParkedIfUnwatched(n): parked consumers are woken when nobody waits for work.
    let private wakeParkedIfUnwatched n (s: QueueState) =
        if s.Standby <> 0 && not s.Waiting then
            wakeParked n s
        else
            [ s ]

    /// The check of Park's loop, under the sleep lock: wait, or leave (taking a token if there is one).
    let private parkCheck variant c (s: QueueState) : QueueState =
        let watched = controlClear s && s.Waiting

        let waits, tokenTaken =
            match variant with
            | StandbyParksWithoutRecheck -> s.Tokens = 0 && controlClear s, s.Tokens > 0
            | StandbyTokenLeftBehind -> watched && s.Tokens = 0, watched && s.Tokens > 0
            | _ -> watched && s.Tokens = 0, s.Tokens > 0

        if waits then
            setConsumer c Parked s
        else
            { s with
                Tokens = if tokenTaken then s.Tokens - 1 else s.Tokens
                Standby = s.Standby - 1
            }
            |> setConsumer c Looking

    let private one action state = [ action, state ]

    let private all action states =
        states |> List.distinct |> List.map (fun state -> action, state)

    /// The steps of consumer c.
    let private consumerSteps variant c (s: QueueState) : (QueueAction * QueueState) list =
        let go pc = setConsumer c pc
        let release (s: QueueState) = { s with GetLock = None }

        match s.Consumers[c] with
        | Looking when s.Closed -> one ReturnClosed (go Closed s)
        | Looking ->
            let own = s.Slots[c]

            if s.Exits > 0 && not (slotHasTasks own) then
                one
                    TakeExitEntry
                    ({ progress s with
                        Exits = s.Exits - 1
                        ExitsTaken = s.ExitsTaken + 1
                     }
                     |> go Exited)
            elif slotHasTasks own && variant = TakeWithoutCompareExchange then
                one (ReadRange(c, own.Next)) (go (TakingFromSlot(c, own.Next, false)) s)
            elif slotHasTasks own then
                let task = own.Tasks[own.Next]

                one
                    (TakeOwn task)
                    (s
                     |> setSlot c { own with Next = own.Next + 1 }
                     |> taken task
                     |> go (RunningTask task))
            elif variant = ClaimReadsListBeforeClaimWord then
                one ReadList (go (ReadingWord(s.Count, s.GetRing)) s)
            else
                one ReadClaimWord (go (Claiming(s.Word, None)) s)
        | ReadingWord(count, list) -> one ReadClaimWord (go (Claiming(s.Word, Some(count, list))) s)
        | Claiming(seen, early) ->
            let count, list = early |> Option.defaultValue (s.Count, s.GetRing)
            let unclaimed = count - seen.Claimed

            if unclaimed <= 0 then
                one (FindNothing s.Waiting) (go (if s.Waiting then Parking else Locking) s)
            elif s.Word <> seen then
                one ClaimFails (go (Claiming(s.Word, early)) s)
            else
                let size = claimSize unclaimed

                let tasks =
                    [ seen.Claimed .. seen.Claimed + size - 1 ]
                    |> List.map (fun i -> itemAt i (ring list s))

                let run = tasks.Head

                let next =
                    if size > 1 then Publishing(run, tasks.Tail)
                    elif unclaimed > 1 then WakingParked(1, run)
                    else RunningTask run

                one
                    (Claim tasks)
                    ({ s with
                        Word =
                            { seen with
                                Claimed = seen.Claimed + size
                            }
                     }
                     |> taken run
                     |> go next)
        | Publishing(run, rest) ->
            let published = setSlot c { Tasks = rest; Next = 0 } s |> progress

            let next =
                match variant with
                | ClaimPublishedWithoutWake -> RunningTask run
                | _ when s.Sleeping -> WakingSleeper run
                | OneWakeForSeveralClaimed -> WakingParked(1, run)
                | _ -> WakingParked(2, run)

            one (Publish rest) (go next published)
        | WakingSleeper run ->
            let woken =
                if s.Sleeping then
                    signalSleeper { s with Sleeping = false }
                else
                    s

            one WakeSleeper (go (RunningTask run) woken)
        | WakingParked(count, run) ->
            wakeParkedIfUnwatched count s
            |> List.map (go (RunningTask run))
            |> all WakeParked
        | Parking -> one Park (parkCheck variant c { s with Standby = s.Standby + 1 })
        | Parked -> []
        | Unparking -> one Unpark (parkCheck variant c s)
        | Locking when s.GetLock.IsSome -> []
        | Locking ->
            let locked = { s with GetLock = Some c }

            let victim =
                match variant with
                | IdleWorkerNeverSteals -> None
                | _ -> s.Slots |> List.tryFindIndex slotHasTasks

            if s.Word.Claimed < s.Count && variant <> NoRecheckUnderGetLock then
                one ListNotUsedUp (go Looking s)
            else
                match victim with
                | Some v when variant = TakeWithoutCompareExchange ->
                    one (ReadRange(v, s.Slots[v].Next)) (go (TakingFromSlot(v, s.Slots[v].Next, true)) locked)
                | Some v ->
                    let slot = s.Slots[v]
                    let task = slot.Tasks[slot.Next]

                    one
                        (StealTask(v, task))
                        (locked
                         |> setSlot v { slot with Next = slot.Next + 1 }
                         |> taken task
                         |> go (WakingAfterSteal task))
                | None when controlClear s ->
                    // WaitAndSwap: the get list is cleared; the waiting flag is raised unless there is work.
                    let cleared = setRing s.GetRing [] locked
                    let waits = not (hasWorkOrSignal cleared)

                    one
                        (StartWaiting waits)
                        ({ cleared with
                            Waiting = s.Waiting || waits
                         }
                         |> go (Spinning waits))
                | None -> one NothingToSteal (go Looking s)
        | TakingFromSlot(v, index, stolen) ->
            let slot = s.Slots[v]
            let task = itemAt index slot.Tasks

            one
                (WriteRange(v, task))
                (s
                 |> setSlot v { slot with Next = index + 1 }
                 |> taken task
                 |> go (if stolen then WakingAfterSteal task else RunningTask task))
        | WakingAfterSteal run ->
            let woken =
                if s.Standby <> 0 && anySlotTasks s then
                    wakeParked 1 s
                else
                    [ s ]

            woken |> List.map (release >> go (RunningTask run)) |> all WakeParked
        | Spinning waits when hasWorkOrSignal s -> one (Spin true) (go (Swapping waits) s)
        | Spinning waits -> one (Spin false) (go (SleepChecking(waits, true)) s)
        | SleepChecking(waits, _) when variant = SleeperFlagWithoutFence ->
            // The store of the flag waits in the store buffer while the check reads.
            let s =
                if s.SleepingBuffered then
                    { s with
                        Sleeping = true
                        SleepingBuffered = false
                    }
                else
                    s

            if hasWorkOrSignal s then
                one (SleepCheck true) (go (SleepLeaving waits) s)
            else
                one (SleepCheck false) (go (SleepWaiting waits) { s with SleepingBuffered = true })
        | SleepChecking(waits, first) ->
            let flagged =
                if variant = SleepFlagSetOnce && not first then
                    s
                else
                    { s with Sleeping = true }

            if hasWorkOrSignal flagged then
                one (SleepCheck true) (go (SleepLeaving waits) flagged)
            else
                one (SleepCheck false) (go (SleepWaiting waits) flagged)
        | SleepWaiting _ when s.SleepingBuffered ->
            one
                FlagBecomesVisible
                { s with
                    Sleeping = true
                    SleepingBuffered = false
                }
        | SleepWaiting _ -> []
        | SleepLeaving waits -> one LeaveSleep (go (Swapping waits) { s with Sleeping = false })
        | Swapping waits ->
            let incoming = ring (putRing s) s

            let swapped =
                { s with
                    GetRing = putRing s
                    Word =
                        {
                            Generation = s.Word.Generation + 1
                            Claimed = 0
                        }
                    Count = incoming.Length
                    Waiting = s.Waiting && not waits
                    PutHasTasks = s.PutHasTasks && incoming.IsEmpty
                    IdleSwaps =
                        if incoming.IsEmpty then
                            s.IdleSwaps |> List.updateAt c (s.IdleSwaps[c] + 1)
                        else
                            s.IdleSwaps
                }

            one (Swap incoming) (go (LeavingWait waits) swapped)
        | LeavingWait waits ->
            let woken =
                if
                    waits
                    && s.Count <> 0
                    && s.Standby <> 0
                    && anySlotTasks s
                    && variant <> LeavingWaiterSkipsStandbyWake
                then
                    wakeParked 1 s
                else
                    [ s ]

            woken |> List.map (release >> go Looking) |> all LeaveWait
        | RunningTask task -> one (FinishTask task) (go Looking s)
        | Exited
        | Closed -> []

    /// The steps of producer p.
    let private producerSteps variant p (s: QueueState) : (QueueAction * QueueState) list =
        let producer = s.Producers[p]

        let go pc calls =
            setProducer p { Pc = pc; Calls = calls }

        match producer.Pc, producer.Calls with
        | Calling, Put _ :: _ when variant = SleepingReadBeforePublish ->
            one ReadSleepingEarly (go (Putting s.Sleeping) producer.Calls s)
        | (Calling | Putting _), (Put task as call) :: rest ->
            // The put gate's section of Enqueue: one step, since nothing else happens under the gate.
            if s.Sealed then
                one
                    (Refuse call)
                    ({ s with
                        Refused = insertSorted call s.Refused
                     }
                     |> go Calling rest)
            else
                let tasks = ring (putRing s) s @ [ task ]
                let wasEmpty = tasks.Length = 1

                let early =
                    match producer.Pc with
                    | Putting sleeping -> Some sleeping
                    | _ -> None

                let accepted =
                    { setRing (putRing s) tasks s with
                        Accepted = s.Accepted @ [ task ]
                        PutHasTasks = true
                    }

                let next =
                    if wasEmpty then
                        Announcing(not s.Waiting, early)
                    else
                        Calling

                one (Enqueue call) (go next rest (progress accepted))
        | Calling, PutExit :: rest ->
            if s.Sealed then
                one
                    (Refuse PutExit)
                    ({ s with
                        Refused = insertSorted PutExit s.Refused
                     }
                     |> go Calling rest)
            else
                let next =
                    if variant = ExitEntryWithoutWake then
                        Calling
                    else
                        WakingAllForExit

                one (Enqueue PutExit) (go next rest (progress { s with Exits = s.Exits + 1 }))
        | Announcing(unwatched, early), calls ->
            if Option.defaultValue s.Sleeping early then
                one Announce (go SignallingSleeper calls s)
            elif unwatched && s.Standby <> 0 then
                wakeParked 1 s |> List.map (go Calling calls) |> all WakeParked
            else
                one Announce (go Calling calls s)
        | SignallingSleeper, calls ->
            let woken =
                if s.Sleeping then
                    signalSleeper { s with Sleeping = false }
                else
                    s

            one WakeSleeper (go Calling calls woken)
        | WakingAllForExit, calls -> one WakeAll (go Calling calls (wakeAll s))
        | Putting _, _
        | Calling, [] -> []

    /// TryDrain, as one step: nothing else takes the get lock once every consumer has left.
    let private drain (s: QueueState) : QueueAction * QueueState =
        let oldest =
            s.Slots
            |> List.indexed
            |> List.filter (snd >> slotHasTasks)
            |> List.sortBy (fun (_, slot) -> List.findIndex ((=) slot.Tasks[slot.Next]) s.Accepted)
            |> List.tryHead

        let drained task (s: QueueState) =
            { s with
                Drained = s.Drained @ [ task ]
            }

        match oldest with
        | Some(v, slot) ->
            let task = slot.Tasks[slot.Next]
            Drain task, s |> setSlot v { slot with Next = slot.Next + 1 } |> drained task
        | None when s.Word.Claimed < s.Count ->
            let task = itemAt s.Word.Claimed (ring s.GetRing s)

            Drain task,
            { s with
                Word =
                    { s.Word with
                        Claimed = s.Word.Claimed + 1
                    }
            }
            |> drained task
        | None ->
            let incoming = ring (putRing s) s

            let swapped =
                { setRing s.GetRing [] s with
                    GetRing = putRing s
                    Word =
                        {
                            Generation = s.Word.Generation + 1
                            Claimed = 0
                        }
                    Count = incoming.Length
                    PutHasTasks = false
                }

            match incoming with
            | task :: _ ->
                Drain task,
                { swapped with
                    Word = { swapped.Word with Claimed = 1 }
                }
                |> drained task
            | [] -> Seal, { swapped with Sealed = true }

    let private queued (s: QueueState) =
        ring (putRing s) s
        @ (ring s.GetRing s
           |> List.indexed
           |> List.filter (fun (i, _) -> i >= s.Word.Claimed)
           |> List.map snd)
        @ List.collect left s.Slots
        @ (s.Consumers
           |> List.collect (function
               | Publishing(_, rest) -> rest
               | _ -> []))
        |> List.filter ((<>) Missing)

    let private destroyerSteps variant (s: QueueState) : (QueueAction * QueueState) list =
        let go pc (s: QueueState) = { s with Destroyer = Some pc }

        match s.Destroyer with
        | None
        | Some DestroyReturned -> []
        | Some BeforeClose -> one Close (go WakingAllOnClose (progress { s with Closed = true }))
        | Some WakingAllOnClose -> one WakeAll (go Joining (wakeAll s))
        | Some Joining ->
            if s.Consumers |> List.forall (fun pc -> pc = Exited || pc = Closed) then
                one Join (go (DrainingQueue None) s)
            else
                []
        | Some(DrainingQueue budget) ->
            // The wrong variant counts what is queued at its first call and drains that many tasks, no more.
            let budget =
                match variant with
                | DestroyForgetsLateTasks -> Some(defaultArg budget (queued s).Length)
                | _ -> None

            match budget with
            | Some 0 -> one StopDraining (go DestroyReturned s)
            | _ ->
                let action, drained = drain s

                let next =
                    match action with
                    | Seal -> DestroyReturned
                    | _ -> DrainingQueue(budget |> Option.map (fun n -> n - 1))

                one action (go next drained)

    /// Every enabled step and its successor.
    let next (variant: QueueVariant) (s: QueueState) : (QueueStep * QueueState) list =
        let tagged actor steps =
            steps
            |> List.map (fun (action, state) -> { Actor = actor; Action = action }, state)

        [
            for c in 0 .. s.Consumers.Length - 1 do
                yield! consumerSteps variant c s |> tagged (Consumer c)
            for p in 0 .. s.Producers.Length - 1 do
                yield! producerSteps variant p s |> tagged (Producer p)
            yield! destroyerSteps variant s |> tagged Destroyer
        ]

    let initial (program: QueueProgram) : QueueState =
        {
            Rings = [], []
            GetRing = 0
            Word = { Generation = 0; Claimed = 0 }
            Count = 0
            PutHasTasks = false
            Exits = 0
            Closed = false
            Sealed = false
            GetLock = None
            Slots = List.replicate program.Consumers { Tasks = []; Next = 0 }
            Sleeping = false
            Waiting = false
            Standby = 0
            Tokens = 0
            SleepingBuffered = false
            Consumers = List.replicate program.Consumers Looking
            Producers = program.Producers |> List.map (fun calls -> { Pc = Calling; Calls = calls })
            Destroyer = if program.Destroys then Some BeforeClose else None
            Accepted = []
            Ran = []
            Drained = []
            Refused = []
            ExitsTaken = 0
            IdleSwaps = List.replicate program.Consumers 0
        }

    /// No task is lost or taken twice: every accepted task is in exactly one place (a list, a claim not yet
    /// published, a slot, run, or drained), and nothing that is not a task was ever run or drained.
    let exactlyOnce (s: QueueState) =
        not (List.contains Missing s.Ran)
        && not (List.contains Missing s.Drained)
        && List.sort (queued s @ s.Ran @ s.Drained) = List.sort s.Accepted

    /// Blocked for work: parked, asleep, or waiting for the get lock that a sleeper holds.
    let private blockedIdle (s: QueueState) (pc: ConsumerPc) =
        match pc with
        | Parked
        | SleepWaiting _ -> true
        | Locking ->
            match s.GetLock with
            | Some holder ->
                match s.Consumers[holder] with
                | SleepWaiting _ -> true
                | _ -> false
            | None -> false
        | _ -> false

    /// No task (or exit entry, or close) waits while every idle consumer is parked or asleep: at a quiescent state
    /// (no producer or destroyer in the middle of a call; every consumer running a task, gone, or blocked for work,
    /// at least one blocked), nothing is queued and the control word is clear.
    let noWorkWaitsForSleepers (s: QueueState) =
        let quiescent =
            s.Producers |> List.forall (fun p -> p.Pc = Calling)
            && s.Destroyer <> Some WakingAllOnClose
            && s.Consumers
               |> List.forall (fun pc ->
                   match pc with
                   | RunningTask _
                   | Exited
                   | Closed -> true
                   | _ -> blockedIdle s pc)
            && s.Consumers |> List.exists (blockedIdle s)

        not quiescent || (queued s |> List.isEmpty && controlClear s)

    /// No consumer spins: between two changes of the work (a task or exit entry enqueued or taken, claimed tasks
    /// published, the close) it swaps in an empty list at most once. A swap that finds no task is for work that
    /// another consumer took meanwhile, and that consumer's take is a change; a second one with nothing changed
    /// would be for work it sees and cannot take.
    let noIdleSpin (s: QueueState) =
        s.IdleSwaps |> List.forall (fun n -> n <= 1)

    /// Tokens never outnumber the parked consumers.
    let tokensCovered (s: QueueState) = s.Tokens <= s.Standby

    /// Once destroy has drained the queue, nothing is queued and the queue is sealed.
    let drainedCompletely (s: QueueState) =
        s.Destroyer <> Some DestroyReturned || (queued s |> List.isEmpty && s.Sealed)

    let invariants =
        [
            "no task lost or run twice", exactlyOnce
            "no task waits while every idle consumer is parked or asleep", noWorkWaitsForSleepers
            "no consumer spins on empty swaps", noIdleSpin
            "tokens never outnumber parked consumers", tokensCovered
            "destroy leaves nothing queued", drainedCompletely
        ]

    /// Finished: every producer made its calls, and the destroyer (if any) returned.
    let finished (s: QueueState) =
        s.Producers |> List.forall (fun p -> p.Pc = Calling && p.Calls.IsEmpty)
        && (s.Destroyer.IsNone || s.Destroyer = Some DestroyReturned)

    let system variant (program: QueueProgram) : TransitionSystem<QueueState, QueueStep> =
        {
            Initial = initial program
            Next = next variant
            Finished = finished
            Invariants = invariants
        }

    let outcome (s: QueueState) : QueueOutcome =
        {
            Ran = Set.ofList s.Ran
            Drained = s.Drained
            ExitsTaken = s.ExitsTaken
            Refused = s.Refused
        }

    /// The set of outcomes the specification allows for a program that destroys (exhaustive; small programs only).
    let allowedOutcomes (program: QueueProgram) : Set<QueueOutcome> =
        (Checker.check 2_000_000 (system QueueSpecified program)).Terminals
        |> Set.map outcome

    /// A path as numbered lines, one step each: who, and what.
    let describe (path: QueueStep list) : string =
        path
        |> List.mapi (fun i step ->
            let actor =
                match step.Actor with
                | Consumer c -> sprintf "consumer %d" c
                | Producer p -> sprintf "producer %d" p
                | Destroyer -> "destroyer"

            sprintf "%3d. %-11s %A" (i + 1) actor step.Action)
        |> String.concat "\n"
