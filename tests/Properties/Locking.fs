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

/// The scheduling steps one explored schedule of a conformance program may take. The longest clean schedule
/// of the programs here takes about 430 (docs/spec.md); a schedule that reaches the bound is a livelock
/// (a destroy that never returns, a worker that spins) and fails the property instead of being dropped.
[<Literal>]
let MaxSteps = 5_000

/// The explorer's options for every conformance property: seed 1, the given number of schedules, and a
/// schedule that reaches MaxSteps reported as a bug.
let explorationOptions (iterations: int) =
    ExplorationOptions(Iterations = iterations, Seed = 1UL, MaxSteps = MaxSteps, FailOnMaxSteps = true)

/// The outcome of every schedule a program shows under the explorer (explorationOptions), in the order the
/// schedules ran, or what went wrong: the bug the explorer found, with its trace, or a schedule that ended
/// without producing an outcome.
let runsUnderExplorer (iterations: int) (run: IThreading -> 'Outcome) : Result<'Outcome list, string> =
    let observed = List<'Outcome>()

    let report =
        Explorer.Run((fun threading -> observed.Add(run threading)), explorationOptions iterations)

    if report.BugFound then
        Error(sprintf "the explorer found a bug (%A): %s\ntrace: %s" report.BugKind report.BugMessage report.Trace)
    elif report.Iterations <> iterations || observed.Count <> iterations then
        Error(
            sprintf
                "%d schedules asked, %d run, %d outcomes observed: every schedule must run and produce one"
                iterations
                report.Iterations
                observed.Count
        )
    else
        Ok(List.ofSeq observed)

/// Every outcome a program shows under the explorer (runsUnderExplorer), or what went wrong.
let outcomesUnderExplorer (iterations: int) (run: IThreading -> 'Outcome) : Result<Set<'Outcome>, string> =
    runsUnderExplorer iterations run |> Result.map Set.ofList

/// Runs a program under the explorer (runsUnderExplorer). None when the explorer found no bug, every schedule
/// produced an outcome and every observed outcome is in allowed; otherwise what went wrong, with the trace.
let disagreementUnderExplorer (iterations: int) (run: IThreading -> 'Outcome) (allowed: Set<'Outcome>) : string option =
    match outcomesUnderExplorer iterations run with
    | Error problem -> Some problem
    | Ok observed when observed.IsEmpty -> Some "no outcome was observed"
    | Ok observed ->
        observed
        |> Seq.tryFind (fun o -> not (allowed.Contains o))
        |> Option.map (fun o -> sprintf "outcome %A is not among the model's %d outcomes: %A" o allowed.Count allowed)
