namespace Pool.Model

// Every type in namespace Pool.Model is the specification's, never the C# code's: `ConnectionState` here is the model's whole connection, not the C# enum `Pool.Reactor.ConnectionState` (the model's phase is `ConnectionPhase`).

/// What the peer does, in order: the script of one connection's client.
type PeerAction =
    /// The peer sends message k (it waits in the network until the loop reads it).
    | SendMessage of k: int
    /// The peer ends its sending direction but keeps reading: every reply owed to it must still arrive.
    | HalfClose
    /// The connection is reset: unread messages are lost and every later write fails.
    | Reset

/// The life of a connection in the reactor model.
type ConnectionPhase =
    /// Reading and writing.
    | Open
    /// The loop read the peer's end of stream: no more messages; replies still written; closes when idle.
    | Draining
    /// Out of the poller; the descriptor stays open while replies are in flight.
    | ClosedWaiting
    /// The descriptor is closed.
    | ReleasedPhase

/// One step of the connection, the peer, or a worker.
type ConnectionStep =
    /// The peer's next scripted action reaches the network.
    | PeerActs of PeerAction
    /// The loop reads message k and hands it to a worker.
    | ReceiveMessage of k: int
    /// The loop increments the in-flight count for message k (separate only in the seed's defective order).
    | CountInFlight of k: int
    /// A worker finishes message k and queues its reply to the loop.
    | WorkerDone of k: int
    /// A worker finishes message k and writes the reply itself: the connection is open (the loop has seen neither
    /// an end of stream nor a reset), no reply is queued before it, and the peer still reads; in-flight count - 1.
    | WorkerWrites of k: int
    /// The loop processes the reply to k: written if it can be, otherwise dropped; in-flight count - 1.
    | ProcessReply of k: int
    /// The loop reads the peer's end of stream (after every message sent before it).
    | SeeEndOfStream
    /// The loop sees the reset (a read fails): it closes at once.
    | SeeReset
    /// After the end of stream, with nothing in flight, the loop closes the connection.
    | CloseDrained
    /// The loop releases the connection: the descriptor is closed.
    | Release

type ConnectionVariant =
    | ConnectionSpecified
    /// The seed's defect: the in-flight count is incremented after the message is handed to a worker.
    | InFlightAfterDispatch
    /// The connection closes and is released without waiting for replies in flight.
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
        /// What the peer will still do, in order.
        Script: PeerAction list
        /// Messages sent and not yet read by the loop, oldest first.
        Inbound: int list
        /// The peer half-closed (its end of stream follows the inbound messages).
        EndOfStream: bool
        /// The connection was reset.
        IsReset: bool
        Phase: ConnectionPhase
        InFlight: int
        /// Messages a worker holds, and whether the loop has counted them yet.
        AtWorkers: Map<int, bool>
        /// Replies queued to the loop.
        Replies: int list
        History: ConnectionEvent list
    }

module ConnectionModel =
    let initial (script: PeerAction list) : ConnectionState =
        {
            Script = script
            Inbound = []
            EndOfStream = false
            IsReset = false
            Phase = Open
            InFlight = 0
            AtWorkers = Map.empty
            Replies = []
            History = []
        }

    /// A peer that sends messages 1..n and then resets: the configuration of the state-count pins.
    let sendsThenResets messages =
        initial ([ for k in 1..messages -> SendMessage k ] @ [ Reset ])

    let private record event (state: ConnectionState) =
        { state with
            History = state.History @ [ event ]
        }

    let private isLive state =
        state.Phase = Open || state.Phase = Draining

    /// Nothing in flight (or, in the defective variant, not waiting for it).
    let private idle variant state =
        state.InFlight = 0 || variant = ReleaseIgnoringInFlight

    let private peer (state: ConnectionState) =
        match state.Script with
        | action :: rest ->
            let after = { state with Script = rest }

            let acted =
                match action with
                | SendMessage k ->
                    { after with
                        Inbound = state.Inbound @ [ k ]
                    }
                | HalfClose -> { after with EndOfStream = true }
                | Reset ->
                    { after with
                        IsReset = true
                        Inbound = []
                    }

            [ PeerActs action, acted ]
        | [] -> []

    let private receive variant (state: ConnectionState) =
        match state.Inbound, state.Phase with
        | k :: rest, Open when not state.IsReset ->
            let counted = variant <> InFlightAfterDispatch

            [
                ReceiveMessage k,
                { state with
                    Inbound = rest
                    InFlight = state.InFlight + (if counted then 1 else 0)
                    AtWorkers = state.AtWorkers.Add(k, counted)
                }
            ]
        | [], Open when state.EndOfStream && not state.IsReset -> [ SeeEndOfStream, { state with Phase = Draining } ]
        | _ when state.IsReset && isLive state -> [ SeeReset, { state with Phase = ClosedWaiting } ]
        | _ -> []

    let private count (state: ConnectionState) =
        state.AtWorkers
        |> Map.toList
        |> List.filter (fun (_, counted) -> not counted)
        |> List.map (fun (k, _) ->
            CountInFlight k,
            { state with
                InFlight = state.InFlight + 1
                AtWorkers = state.AtWorkers.Add(k, true)
            })

    /// A worker may write its reply itself only while nothing stands in its way; otherwise (or when the write
    /// stops short) the reply goes through the loop.
    let private canWriteDirectly (state: ConnectionState) =
        state.Phase = Open && state.Replies.IsEmpty && not state.IsReset

    let private workers (state: ConnectionState) =
        state.AtWorkers
        |> Map.toList
        |> List.collect (fun (k, _) ->
            let touched =
                if state.Phase = ReleasedPhase then
                    record (TouchedAfterRelease k) state
                else
                    state

            let queued =
                WorkerDone k,
                { touched with
                    AtWorkers = state.AtWorkers.Remove k
                    Replies = state.Replies @ [ k ]
                }

            if canWriteDirectly state then
                [
                    queued
                    WorkerWrites k,
                    record
                        (ReplyWritten k)
                        { state with
                            AtWorkers = state.AtWorkers.Remove k
                            InFlight = state.InFlight - 1
                        }
                ]
            else
                [ queued ])

    let private replies (state: ConnectionState) =
        match state.Replies with
        | k :: rest ->
            let after =
                { state with
                    Replies = rest
                    InFlight = state.InFlight - 1
                }

            match isLive state, state.IsReset with
            | true, false -> [ ProcessReply k, record (ReplyWritten k) after ]
            // the write fails: the reply is dropped and the connection closes
            | true, true -> [ ProcessReply k, record (ReplyDropped k) { after with Phase = ClosedWaiting } ]
            | false, _ -> [ ProcessReply k, record (ReplyDropped k) after ]
        | [] -> []

    let private closeAndRelease variant (state: ConnectionState) =
        match state.Phase with
        | Draining when idle variant state -> [ CloseDrained, { state with Phase = ClosedWaiting } ]
        | ClosedWaiting when idle variant state -> [ Release, record Released { state with Phase = ReleasedPhase } ]
        | _ -> []

    let next variant (state: ConnectionState) : (ConnectionStep * ConnectionState) list =
        peer state
        @ receive variant state
        @ count state
        @ workers state
        @ replies state
        @ closeAndRelease variant state

    /// The connection is released at most once.
    let releaseOnce (state: ConnectionState) =
        (state.History |> List.filter ((=) Released) |> List.length) <= 1

    /// Nothing touches a released connection.
    let noUseAfterRelease (state: ConnectionState) =
        state.History
        |> List.forall (function
            | TouchedAfterRelease _ -> false
            | _ -> true)

    /// Once released, no message is at a worker and no reply is on its way.
    let releasedOnlyWhenIdle (state: ConnectionState) =
        state.Phase <> ReleasedPhase
        || (state.AtWorkers.IsEmpty && state.Replies.IsEmpty)

    /// A peer that half-closed and never reset gets a reply to every message the loop read.
    let halfClosedPeerGetsEveryReply (state: ConnectionState) =
        state.IsReset
        || not state.EndOfStream
        || state.History
           |> List.forall (function
               | ReplyDropped _ -> false
               | _ -> true)

    let invariants =
        [
            "release once", releaseOnce
            "no use after release", noUseAfterRelease
            "released only when idle", releasedOnlyWhenIdle
            "a half-closed peer gets every reply", halfClosedPeerGetsEveryReply
        ]

    /// Finished: the connection was released (a script that ends with a half-close or a reset always gets there).
    let finished (state: ConnectionState) = state.Phase = ReleasedPhase

    let system variant script : TransitionSystem<ConnectionState, ConnectionStep> =
        {
            Initial = initial script
            Next = next variant
            Finished = finished
            Invariants = invariants
        }

    /// What a conformance test can observe of a finished connection: per message, written or dropped (absent:
    /// never read); messages whose worker finished after the release; how many times it was released.
    type Outcome =
        {
            Written: Set<int>
            Dropped: Set<int>
            TouchedAfterRelease: Set<int>
            Releases: int
        }

    let outcome (state: ConnectionState) : Outcome =
        let pick f =
            state.History |> List.choose f |> Set.ofList

        {
            Written =
                pick (function
                    | ReplyWritten k -> Some k
                    | _ -> None)
            Dropped =
                pick (function
                    | ReplyDropped k -> Some k
                    | _ -> None)
            TouchedAfterRelease =
                pick (function
                    | TouchedAfterRelease k -> Some k
                    | _ -> None)
            Releases = state.History |> List.filter ((=) Released) |> List.length
        }

    /// Every outcome the specification allows for the script: the terminal states' outcomes.
    let allowedOutcomes script =
        (Checker.check 1_000_000 (system ConnectionSpecified script)).Terminals
        |> Set.map outcome
