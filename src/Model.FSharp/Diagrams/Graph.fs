namespace Pool.Model.Diagrams

// Pictures of the models, drawn from them: an abstraction of every reachable state of a small configuration,
// and the checker's shortest path to a wrong variant's violation as a sequence of messages between actors.
// Nothing here is part of a model's rules; the models (Pool.Model) know nothing of it.

open Pool.Model

/// How a node of a picture is drawn.
type NodeKind =
    /// Holds the initial state of a configuration.
    | Initial
    /// Holds a finished terminal state (and no initial one).
    | Final
    | Intermediate
    /// Where a wrong variant's shortest path breaks an invariant (or deadlocks).
    | Broken

/// One abstract state: the label's lines, and how it is drawn.
type Node =
    {
        Id: string
        Lines: string list
        Kind: NodeKind
    }

/// Every step between two abstract states, one line per distinct step label. Wrong: steps of a wrong
/// variant's shortest path that the specification has no counterpart of (drawn red and dashed).
type Edge =
    {
        From: string
        To: string
        Lines: string list
        Wrong: bool
    }

/// A picture of one model.
type Graph =
    {
        Name: string
        /// Reachable states of the configurations the picture abstracts.
        ConcreteStates: int
        Nodes: Node list
        Edges: Edge list
    }

/// One step of a counterexample as a sequence diagram shows it: an actor acts on another (or on itself).
type Message =
    {
        From: string
        To: string
        Text: string
    }

/// A wrong variant's shortest path to a broken invariant or a deadlock, as messages between the model's actors.
type Counterexample =
    {
        Model: string
        Variant: string
        /// The invariant broken, or "deadlock".
        Broken: string
        /// Actors in the order a sequence diagram shows them (only those the path uses).
        Participants: string list
        /// The participant whose note tells what broke.
        Observer: string
        Messages: Message list
        /// The abstract state the path ends in, one line each.
        Ending: string list
    }

/// How a model is abstracted for its picture and its counterexamples.
type Abstraction<'State, 'Step when 'State: comparison> =
    {
        /// The abstract state: lines of a node's label. States with the same lines are one node.
        State: 'State -> string list
        /// A step's label on an edge, from the state it leaves and the one it reaches.
        Step: 'State -> 'Step -> 'State -> string
        /// A step as a message between actors, from the state it leaves and the one it reaches.
        Message: 'State -> 'Step -> 'State -> Message
        /// Every actor, in the order a sequence diagram shows them.
        Actors: string list
        /// The actor that notes the broken invariant at the end of a counterexample.
        Observer: string
        /// What the note at the end of a counterexample says of the state it ends in, one line each.
        Ending: 'State -> string list
    }

module Graph =
    /// Every state reachable from the initial one, with each transition, in breadth-first order (as the
    /// checker explores; no invariant stops it). Fails past maxStates.
    let explore (maxStates: int) (system: TransitionSystem<'State, 'Step>) =
        let seen = System.Collections.Generic.HashSet<'State>()
        let order = ResizeArray<'State>()
        let transitions = ResizeArray<'State * 'Step * 'State>()
        let queue = System.Collections.Generic.Queue<'State>()
        seen.Add system.Initial |> ignore
        order.Add system.Initial
        queue.Enqueue system.Initial

        while queue.Count > 0 do
            let state = queue.Dequeue()

            for step, successor in system.Next state do
                transitions.Add(state, step, successor)

                if seen.Add successor then
                    if seen.Count > maxStates then
                        failwithf "more than %d states: configuration too large for a picture" maxStates

                    order.Add successor
                    queue.Enqueue successor

        List.ofSeq order, List.ofSeq transitions

    /// The states of a path of steps from the initial state, the initial one first.
    let replay (system: TransitionSystem<'State, 'Step>) (path: 'Step list) : 'State list =
        let step state wanted =
            match system.Next state |> List.tryFind (fst >> (=) wanted) with
            | Some(_, successor) -> successor
            | None -> failwithf "the step %A is not enabled on the path" wanted

        List.scan step system.Initial path

    /// A wrong variant's shortest path to a violation or, when none, to a deadlock, with the states it passes
    /// through (None: the variant is correct for this configuration).
    let shortestFailure (maxStates: int) (system: TransitionSystem<'State, 'Step>) =
        let result = Checker.check maxStates system

        let failure =
            match result.Violation, result.Deadlocks with
            | Some violation, _ -> Some(violation.Invariant, violation.Path)
            | None, (_, path) :: _ -> Some("deadlock", path)
            | None, [] -> None

        // The path replayed must end where the checker said it does (a step that two successors share would not).
        failure
        |> Option.map (fun (broken, path) ->
            let states = replay system path
            let last = List.last states

            let reached =
                match system.Invariants |> List.tryFind (fst >> (=) broken) with
                | Some(_, holds) -> not (holds last)
                | None -> List.isEmpty (system.Next last) && not (system.Finished last)

            if not reached then
                failwithf "the path to \"%s\" replayed does not end there" broken

            broken, path, states)

    /// The counterexample of a wrong variant, or None when the checker finds nothing wrong with it.
    let counterexample
        (model: string)
        (variant: string)
        (abstraction: Abstraction<'State, 'Step>)
        (system: TransitionSystem<'State, 'Step>)
        : Counterexample option =
        shortestFailure 2_000_000 system
        |> Option.map (fun (broken, path, states) ->
            let messages =
                List.zip3 (List.take path.Length states) path (List.tail states)
                |> List.map (fun (before, step, after) -> abstraction.Message before step after)

            let used =
                abstraction.Observer :: (messages |> List.collect (fun m -> [ m.From; m.To ]))
                |> Set.ofList

            {
                Model = model
                Variant = variant
                Broken = broken
                Participants = abstraction.Actors |> List.filter used.Contains
                Observer = abstraction.Observer
                Messages = messages
                Ending = abstraction.Ending(List.last states)
            })

    /// The picture of a model: every reachable state of the specified configurations, abstracted; and, for each
    /// wrong variant, the steps of its shortest failing path the specification's picture lacks, ending in a
    /// broken node that names the invariant and the variant.
    let build
        (name: string)
        (abstraction: Abstraction<'State, 'Step>)
        (configurations: TransitionSystem<'State, 'Step> list)
        (wrong: (string * TransitionSystem<'State, 'Step>) list)
        : Graph =
        let ids =
            System.Collections.Generic.Dictionary<string list, string>(HashIdentity.Structural)

        let nodeOrder = ResizeArray<string list>()

        let kinds =
            System.Collections.Generic.Dictionary<string list, NodeKind>(HashIdentity.Structural)

        let edgeOrder = ResizeArray<string * string * bool>()

        let edgeLines =
            System.Collections.Generic.Dictionary<string * string * bool, ResizeArray<string>>(HashIdentity.Structural)

        let node lines kind =
            if not (ids.ContainsKey lines) then
                ids[lines] <- sprintf "n%d" ids.Count
                nodeOrder.Add lines
                kinds[lines] <- kind
            elif kind = Initial || (kind = Final && kinds[lines] = Intermediate) then
                kinds[lines] <- kind

            ids[lines]

        let edge from target label wrong =
            let key = (from, target, wrong)

            if not (edgeLines.ContainsKey key) then
                edgeOrder.Add key
                edgeLines[key] <- ResizeArray()

            if not (edgeLines[key].Contains label) then
                edgeLines[key].Add label

        let mutable concrete = 0

        for system in configurations do
            let states, transitions = explore 2_000_000 system
            concrete <- concrete + states.Length
            node (abstraction.State system.Initial) Initial |> ignore

            for state in states do
                let kind =
                    if system.Next state |> List.isEmpty && system.Finished state then
                        Final
                    else
                        Intermediate

                node (abstraction.State state) kind |> ignore

            for before, step, after in transitions do
                edge
                    (node (abstraction.State before) Intermediate)
                    (node (abstraction.State after) Intermediate)
                    (abstraction.Step before step after)
                    false

        let specified =
            edgeLines
            |> Seq.map (fun pair ->
                let from, target, _ = pair.Key
                (from, target), Set.ofSeq pair.Value)
            |> Map.ofSeq

        for variant, system in wrong do
            match shortestFailure 2_000_000 system with
            | None -> ()
            | Some(broken, path, states) ->
                let last = path.Length - 1

                List.zip3 (List.take path.Length states) path (List.tail states)
                |> List.iteri (fun i (before, step, after) ->
                    let from = node (abstraction.State before) Intermediate
                    let label = abstraction.Step before step after

                    if i = last then
                        let target = node [ sprintf "✗ %s" broken; variant ] Broken
                        edge from target label true
                    else
                        let target = node (abstraction.State after) Intermediate

                        let known =
                            specified
                            |> Map.tryFind (from, target)
                            |> Option.exists (fun labels -> labels.Contains label)

                        if not known then
                            edge from target (sprintf "%s (%s)" label variant) true)

        {
            Name = name
            ConcreteStates = concrete
            Nodes =
                nodeOrder
                |> Seq.map (fun lines ->
                    {
                        Id = ids[lines]
                        Lines = lines
                        Kind = kinds[lines]
                    })
                |> List.ofSeq
            Edges =
                edgeOrder
                |> Seq.map (fun (from, target, wrong) ->
                    {
                        From = from
                        To = target
                        Lines = List.ofSeq edgeLines[(from, target, wrong)]
                        Wrong = wrong
                    })
                |> List.ofSeq
        }
