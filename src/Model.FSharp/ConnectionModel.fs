namespace Pool.Model

/// The life of a connection in the reactor model: open, closed (out of the poller), released (descriptor closed).
type ConnectionPhase =
    | Open
    | ClosedWaiting
    | ReleasedPhase

/// What the outside world and the workers do to one connection.
type ConnectionStep =
    /// The loop reads message k and hands it to a worker.
    | ReceiveMessage of k: int
    /// The loop increments the in-flight count for message k (separate only in the seed's defective order).
    | CountInFlight of k: int
    /// A worker finishes message k and queues its reply to the loop.
    | WorkerDone of k: int
    /// The loop processes the reply to k: written if open, dropped otherwise; in-flight count - 1.
    | ProcessReply of k: int
    /// The peer closes (or resets) the connection.
    | PeerClose
    /// The loop releases the connection: the descriptor is closed.
    | Release

type ConnectionVariant =
    | ConnectionSpecified
    /// The seed's defect: the in-flight count is incremented after the message is handed to a worker.
    | InFlightAfterDispatch
    /// The connection is released on peer close without waiting for replies in flight.
    | ReleaseIgnoringInFlight

/// Observable history of a connection.
type ConnectionEvent =
    | ReplyWritten of int
    | ReplyDropped of int
    | Released
    /// A worker touched the connection after it was released (a use after free in the seed's C++).
    | TouchedAfterRelease of int

type ConnectionState =
    {
        Phase: ConnectionPhase
        /// Messages the peer will still send, in order (it stops at close).
        ToReceive: int list
        InFlight: int
        /// Messages a worker holds, and whether the loop has counted them yet.
        AtWorkers: Map<int, bool>
        /// Replies queued to the loop.
        Replies: int list
        History: ConnectionEvent list
    }

module ConnectionModel =
    let initial messages : ConnectionState =
        {
            Phase = Open
            ToReceive = [ 1..messages ]
            InFlight = 0
            AtWorkers = Map.empty
            Replies = []
            History = []
        }

    let private record event (state: ConnectionState) =
        { state with
            History = state.History @ [ event ]
        }

    let next variant (state: ConnectionState) : (ConnectionStep * ConnectionState) list =
        let receive =
            match state.ToReceive, state.Phase with
            | k :: rest, Open ->
                let counted = variant <> InFlightAfterDispatch

                [
                    ReceiveMessage k,
                    { state with
                        ToReceive = rest
                        InFlight = state.InFlight + (if counted then 1 else 0)
                        AtWorkers = state.AtWorkers.Add(k, counted)
                    }
                ]
            | _ -> []

        let count =
            state.AtWorkers
            |> Map.toList
            |> List.filter (fun (_, counted) -> not counted)
            |> List.map (fun (k, _) ->
                CountInFlight k,
                { state with
                    InFlight = state.InFlight + 1
                    AtWorkers = state.AtWorkers.Add(k, true)
                })

        let workers =
            state.AtWorkers
            |> Map.toList
            |> List.map (fun (k, _) ->
                let touched =
                    if state.Phase = ReleasedPhase then
                        record (TouchedAfterRelease k) state
                    else
                        state

                WorkerDone k,
                { touched with
                    AtWorkers = state.AtWorkers.Remove k
                    Replies = state.Replies @ [ k ]
                })

        let replies =
            match state.Replies with
            | k :: rest ->
                let after =
                    { state with
                        Replies = rest
                        InFlight = state.InFlight - 1
                    }

                match state.Phase with
                | Open -> [ ProcessReply k, record (ReplyWritten k) after ]
                | ClosedWaiting
                | ReleasedPhase -> [ ProcessReply k, record (ReplyDropped k) after ]
            | [] -> []

        let close =
            match state.Phase with
            | Open ->
                [
                    PeerClose,
                    { state with
                        Phase = ClosedWaiting
                        ToReceive = []
                    }
                ]
            | _ -> []

        let release =
            let idle = state.InFlight = 0 || variant = ReleaseIgnoringInFlight

            match state.Phase with
            | ClosedWaiting when idle -> [ Release, record Released { state with Phase = ReleasedPhase } ]
            | _ -> []

        receive @ count @ workers @ replies @ close @ release

    /// The connection is released at most once.
    let releaseOnce (state: ConnectionState) =
        (state.History |> List.filter ((=) Released) |> List.length) <= 1

    /// Nothing touches a released connection, and no reply is written after it closed.
    let noUseAfterRelease (state: ConnectionState) =
        state.History
        |> List.forall (function
            | TouchedAfterRelease _ -> false
            | _ -> true)

    /// Once released, no message is at a worker and no reply is on its way.
    let releasedOnlyWhenIdle (state: ConnectionState) =
        state.Phase <> ReleasedPhase
        || (state.AtWorkers.IsEmpty && state.Replies.IsEmpty)

    let invariants =
        [
            "release once", releaseOnce
            "no use after release", noUseAfterRelease
            "released only when idle", releasedOnlyWhenIdle
        ]

    /// Finished: the connection was released (every connection ends; a peer always closes in the end).
    let finished (state: ConnectionState) = state.Phase = ReleasedPhase

    let system variant messages : TransitionSystem<ConnectionState, ConnectionStep> =
        {
            Initial = initial messages
            Next = next variant
            Finished = finished
            Invariants = invariants
        }
