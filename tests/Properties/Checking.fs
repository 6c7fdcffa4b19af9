/// How the generated properties are checked: each property's own number of generated cases, and the two
/// command-line options that apply to every property: --fscheck-max-tests N (N cases each instead) and
/// --fscheck-replay "SEED,GAMMA,SIZE" (start from the FsCheck state a failure printed, so its first case is
/// the failing one). A failing property's message ends with the one command that replays it.
module Pool.Properties.Checking

open System
open System.Text.RegularExpressions
open Expecto

/// The configuration of a property that checks up to the given number of generated cases (FsCheck stops
/// at the first failing case and shrinks it).
let cases (count: int) : FsCheckConfig =
    { FsCheckConfig.defaultConfig with
        maxTest = count
    }

/// Shrinks a generated client program (calls, then a final call that ends it): the same program without one
/// of the calls before the last, keeping at least the given number of them. FsCheck then reports the
/// shortest failing program it finds.
let withoutOneCall (atLeast: int) (program: 'Call list) : 'Call list seq =
    let before = List.length program - 1

    seq {
        if before > atLeast then
            for i in 0 .. before - 1 -> List.removeAt i program
    }

/// Shrinks a generated program for a pool of some workers: fewer workers, or one call fewer.
let fewerWorkersOrCalls (atLeast: int) (workers: int, program: 'Call list) : (int * 'Call list) seq =
    seq {
        if workers > 0 then
            yield workers - 1, program

        for shorter in withoutOneCall atLeast program -> workers, shorter
    }

/// What the command line sets for every property.
type Options =
    {
        /// --fscheck-max-tests N: every property checks N cases instead of its own number.
        MaxTests: int option
        /// --fscheck-replay "SEED,GAMMA[,SIZE]": every property starts from this FsCheck state.
        Replay: (uint64 * uint64 * int option) option
    }

/// The usage of the option this program adds to Expecto's.
let usage =
    "  --fscheck-replay \"SEED,GAMMA[,SIZE]\"  Start every property from this FsCheck state: the one a failure printed\n"
    + "                                       (its \"Replay this case\" line gives the whole command)."

/// Reads "SEED,GAMMA[,SIZE]"; also accepts the form Expecto prints, "(SEED UL, GAMMA UL, Some SIZE)".
let private parseReplay (text: string) : (uint64 * uint64 * int option) option =
    let parts =
        Regex.Replace(text, @"UL|Some|None|[()\s]", "").Split(',', StringSplitOptions.RemoveEmptyEntries)

    let number (part: string) =
        match UInt64.TryParse part with
        | true, value -> Some value
        | _ -> None

    match parts |> Array.map number with
    | [| Some seed; Some gamma |] -> Some(seed, gamma, None)
    | [| Some seed; Some gamma; Some size |] when size <= uint64 Int32.MaxValue -> Some(seed, gamma, Some(int size))
    | _ -> None

/// Our options, and the arguments left for Expecto. --fscheck-max-tests stays among them: Expecto accepts it,
/// but applies it only to properties without a configuration of their own, and every property here has one.
let parse (arguments: string list) : Result<Options * string list, string> =
    let rec loop options rest arguments =
        match arguments with
        | [] -> Ok(options, List.rev rest)
        | "--fscheck-replay" :: replay :: more ->
            match parseReplay replay with
            | Some state -> loop { options with Replay = Some state } rest more
            | None -> Error(sprintf "--fscheck-replay takes \"SEED,GAMMA[,SIZE]\", not \"%s\"" replay)
        | [ "--fscheck-replay" ] -> Error "--fscheck-replay takes \"SEED,GAMMA[,SIZE]\""
        | "--fscheck-max-tests" :: count :: more ->
            match Int32.TryParse count with
            | true, n when n > 0 ->
                loop { options with MaxTests = Some n } (count :: "--fscheck-max-tests" :: rest) more
            | _ -> Error(sprintf "--fscheck-max-tests takes a positive number, not \"%s\"" count)
        | argument :: more -> loop options (argument :: rest) more

    loop { MaxTests = None; Replay = None } [] arguments

/// One property's configuration under the options: the command line's number of cases and replay win.
let configure (options: Options) (config: FsCheckConfig) : FsCheckConfig =
    { config with
        maxTest = defaultArg options.MaxTests config.maxTest
        replay = Option.orElse config.replay options.Replay
    }

/// The command that replays the failure a property's message reports (Expecto.FsCheck prints the state to
/// replay as "Focus on error: ... (SEED UL, GAMMA UL, Some SIZE) ...").
let private replayCommand (name: string) (message: string) : string option =
    let state = Regex.Match(message, @"\((\d+)UL, (\d+)UL, Some (\d+)\)")

    if state.Success then
        Some(
            sprintf
                "dotnet run -c Release --project tests/Properties -- --filter \"%s\" --fscheck-replay \"%s,%s,%s\""
                name
                state.Groups[1].Value
                state.Groups[2].Value
                state.Groups[3].Value
        )
    else
        None

/// Every property of the tree under the options. A failing property's message gets the command that
/// replays its failing case (with Expecto's default "." between the names of the lists and the test).
let rec apply (options: Options) (path: string list) (test: Test) : Test =
    match test with
    | TestLabel(name, inner, state) -> TestLabel(name, apply options (path @ [ name ]) inner, state)
    | TestList(tests, state) -> TestList(tests |> List.map (apply options path), state)
    | Test.Sequenced(how, inner) -> Test.Sequenced(how, apply options path inner)
    | TestCase(AsyncFsCheck(config, stressConfig, check), state) ->
        let name = String.concat "." path

        let checkAndTellHowToReplay config =
            async {
                try
                    do! check config
                with :? FailedException as failure ->
                    match replayCommand name failure.Message with
                    | Some command ->
                        return raise (FailedException(sprintf "%s\nReplay this case:\n\t%s" failure.Message command))
                    | None -> return raise failure
            }

        TestCase(
            AsyncFsCheck(
                Option.map (configure options) config,
                Option.map (configure options) stressConfig,
                checkAndTellHowToReplay
            ),
            state
        )
    | TestCase _ -> test
