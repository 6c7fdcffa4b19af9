/// Helpers shared by the conformance properties.
module Pool.Properties.Locking

open System.Collections.Generic
open Pool.Systematic
open Pool.Threading

/// Runs f while holding gate (a lock of the seam, so the explorer orders it too).
let locked (gate: ILock) f =
    gate.Enter()

    try
        f ()
    finally
        gate.Exit()

/// Every outcome a program shows under the explorer in the given number of schedules (seed 1), or the bug
/// the explorer found, with its trace.
let outcomesUnderExplorer (iterations: int) (run: IThreading -> 'Outcome) : Result<Set<'Outcome>, string> =
    let observed = List<'Outcome>()

    let report =
        Explorer.Run(
            (fun threading -> observed.Add(run threading)),
            ExplorationOptions(Iterations = iterations, Seed = 1UL)
        )

    if report.BugFound then
        Error(sprintf "the explorer found a bug: %s\ntrace: %s" report.BugMessage report.Trace)
    else
        Ok(Set.ofSeq observed)

/// Runs a program under the explorer for the given number of schedules (seed 1). None when the explorer
/// found no bug and every observed outcome is in allowed; otherwise what went wrong, with the trace.
let disagreementUnderExplorer (iterations: int) (run: IThreading -> 'Outcome) (allowed: Set<'Outcome>) : string option =
    match outcomesUnderExplorer iterations run with
    | Error bug -> Some bug
    | Ok observed ->
        observed
        |> Seq.tryFind (fun o -> not (allowed.Contains o))
        |> Option.map (fun o -> sprintf "outcome %A is not among the model's %d outcomes: %A" o allowed.Count allowed)
