namespace Pool.Model

// Every type in namespace Pool.Model is the specification's, never the C# code's: the checker is generic over the models' state and step types.

/// A transition system: an initial state, the enabled steps of a state with their successors, and named
/// invariants. States must be values (structural equality): the checker hashes them.
type TransitionSystem<'State, 'Step when 'State: comparison> =
    {
        Initial: 'State
        /// Every step enabled in a state, with the state it leads to. Empty: the state is terminal.
        Next: 'State -> ('Step * 'State) list
        /// A terminal state that is not finished is a deadlock.
        Finished: 'State -> bool
        /// Named predicates that must hold in every reachable state.
        Invariants: (string * ('State -> bool)) list
    }

/// An invariant that fails, and the shortest sequence of steps from the initial state that breaks it.
type Violation<'Step> = { Invariant: string; Path: 'Step list }

/// What an exhaustive exploration found.
type CheckResult<'State, 'Step when 'State: comparison> =
    {
        ReachableStates: int
        /// The first violation found in breadth-first order: its path is a shortest one.
        Violation: Violation<'Step> option
        /// Terminal states that are not finished, each with a shortest path to it.
        Deadlocks: ('State * 'Step list) list
        /// Every finished terminal state.
        Terminals: Set<'State>
    }

/// Breadth-first model checking over all interleavings, with state hashing (in the manner of TLC).
module Checker =
    let private firstBroken system state =
        system.Invariants
        |> List.tryFind (fun (_, holds) -> not (holds state))
        |> Option.map fst

    /// Explores every state reachable from the initial one (up to maxStates), stopping at the first violation.
    let check (maxStates: int) (system: TransitionSystem<'State, 'Step>) : CheckResult<'State, 'Step> =
        let rec loop (frontier: ('State * 'Step list) list) (seen: Set<'State>) deadlocks terminals =
            match frontier with
            | [] ->
                {
                    ReachableStates = seen.Count
                    Violation = None
                    Deadlocks = List.rev deadlocks
                    Terminals = terminals
                }
            | _ ->
                let expand (next, seen, deadlocks, terminals, violation) (state, path) =
                    match violation with
                    | Some _ -> (next, seen, deadlocks, terminals, violation)
                    | None ->
                        match firstBroken system state with
                        | Some name ->
                            (next,
                             seen,
                             deadlocks,
                             terminals,
                             Some
                                 {
                                     Invariant = name
                                     Path = List.rev path
                                 })
                        | None ->
                            match system.Next state with
                            | [] when system.Finished state -> (next, seen, deadlocks, Set.add state terminals, None)
                            | [] -> (next, seen, (state, List.rev path) :: deadlocks, terminals, None)
                            | steps ->
                                let fresh =
                                    steps
                                    |> List.filter (fun (_, successor) -> not (Set.contains successor seen))
                                    |> List.distinctBy snd

                                let seen = fresh |> List.fold (fun s (_, successor) -> Set.add successor s) seen

                                let next =
                                    (fresh |> List.map (fun (step, successor) -> (successor, step :: path))) @ next

                                (next, seen, deadlocks, terminals, None)

                let next, seen, deadlocks, terminals, violation =
                    frontier |> List.fold expand ([], seen, deadlocks, terminals, None)

                match violation with
                | Some v ->
                    {
                        ReachableStates = seen.Count
                        Violation = Some v
                        Deadlocks = List.rev deadlocks
                        Terminals = terminals
                    }
                | None when seen.Count > maxStates -> failwithf "more than %d states: configuration too large" maxStates
                | None -> loop (List.rev next) seen deadlocks terminals

        loop [ (system.Initial, []) ] (Set.singleton system.Initial) [] Set.empty
