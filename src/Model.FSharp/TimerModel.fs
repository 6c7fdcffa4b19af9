namespace Pool.Model

// Every type in namespace Pool.Model is the specification's, never the C# code's: `TimerState` here is the model's timer queue, not the C# `TimerQueue`.

/// A timer as its client creates it: first deadline, optional repeat interval, and whether its callback
/// cancels the timer itself.
type TimerSpec =
    {
        Id: int
        Due: int
        Interval: int option
        CancelsItself: bool
    }

/// Calls of a thread other than the loop, each processed on the loop in order.
type TimerCall =
    | AddTimer of TimerSpec
    | CancelTimer of id: int

/// What the loop did, in order: the observable history.
type TimerEvent =
    | Fired of id: int * at: int
    | CancelProcessed of id: int

type TimerStep =
    | ProcessCall of TimerCall
    /// The earliest due timer fires (time jumps to its deadline).
    | Fire of id: int

type TimerVariant =
    | TimersSpecified
    /// The seed's defect: a cancel never finds its timer.
    | CancelNeverMatches
    /// A repeating timer that cancels itself from its callback is re-armed anyway.
    | RearmAfterSelfCancel

/// The event loop's timer queue (docs/spec.md, "The timer queue"), up to a time horizon (which keeps it finite).
type TimerState =
    {
        Now: int
        Horizon: int
        Calls: TimerCall list
        Active: Map<int, TimerSpec>
        History: TimerEvent list
    }

module TimerModel =
    let initial horizon calls =
        {
            Now = 0
            Horizon = horizon
            Calls = calls
            Active = Map.empty
            History = []
        }

    let private record event state =
        { state with
            History = state.History @ [ event ]
        }

    let private processCall variant call state =
        let state =
            { state with
                Calls = List.tail state.Calls
            }

        match call with
        | AddTimer spec ->
            { state with
                Active = state.Active.Add(spec.Id, spec)
            }
        | CancelTimer id ->
            let active =
                match variant with
                | CancelNeverMatches -> state.Active
                | _ -> state.Active.Remove id

            record (CancelProcessed id) { state with Active = active }

    let private fire variant (timer: TimerSpec) state =
        // A timer added after its deadline fires at once: time never goes back.
        let at = max state.Now timer.Due
        let state = record (Fired(timer.Id, at)) { state with Now = at }

        let state =
            if timer.CancelsItself then
                record (CancelProcessed timer.Id) state
            else
                state

        let rearm =
            timer.Interval.IsSome
            && (not timer.CancelsItself || variant = RearmAfterSelfCancel)

        if rearm then
            { state with
                Active =
                    state.Active.Add(
                        timer.Id,
                        { timer with
                            Due = timer.Due + timer.Interval.Value
                        }
                    )
            }
        else
            { state with
                Active = state.Active.Remove timer.Id
            }

    let next variant (state: TimerState) : (TimerStep * TimerState) list =
        let calls =
            match state.Calls with
            | call :: _ -> [ ProcessCall call, processCall variant call state ]
            | [] -> []

        let due =
            state.Active
            |> Map.toList
            |> List.map snd
            |> List.filter (fun t -> t.Due <= state.Horizon)
            |> List.sortBy (fun t -> t.Due, t.Id)
            |> List.tryHead

        let fires =
            match due with
            | Some timer -> [ Fire timer.Id, fire variant timer state ]
            | None -> []

        calls @ fires

    /// Once a cancel of a timer is processed, that timer never fires again.
    let noFireAfterCancel (state: TimerState) =
        state.History
        |> List.indexed
        |> List.forall (fun (i, event) ->
            match event with
            | Fired(id, _) -> state.History |> List.take i |> List.contains (CancelProcessed id) |> not
            | CancelProcessed _ -> true)

    /// Timers fire in deadline order: time never goes back.
    let firesInOrder (state: TimerState) =
        let times =
            state.History
            |> List.choose (function
                | Fired(_, at) -> Some at
                | CancelProcessed _ -> None)

        times = List.sort times

    let invariants =
        [
            "no fire after cancel", noFireAfterCancel
            "fires in deadline order", firesInOrder
        ]

    let system variant horizon calls : TransitionSystem<TimerState, TimerStep> =
        {
            Initial = initial horizon calls
            Next = next variant
            Finished = fun state -> List.isEmpty state.Calls
            Invariants = invariants
        }
