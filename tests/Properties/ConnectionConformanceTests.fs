/// The real TcpServer and TcpConnection on the simulated network, under the explorer, against the connection
/// model: a scripted peer sends messages, then half-closes or resets; every outcome the C# code shows (which
/// replies were written, which dropped, whether a worker finished after the release, how many releases) must
/// be one the model allows for the same script.
module Pool.Properties.ConnectionConformanceTests

open System
open System.Collections.Generic
open Expecto
open FsCheck
open FsCheck.FSharp
open Pool
open Pool.Model
open Pool.Systematic
open Pool.Threading
open Pool.Scenarios.Network

/// Runs the script against an echo server (message k is the byte k) and observes the outcome.
let runOnServer (workers: bool) (script: PeerAction list) (threading: IThreading) : ConnectionModel.Outcome =
    let gate = threading.CreateLock()
    let dispatched = HashSet<int>()
    let touched = HashSet<int>()
    let mutable peer: SimulatedPeer option = None

    let handler (message: ReadOnlyMemory<byte>) =
        let bytes = message.ToArray()
        Locking.locked gate (fun () -> bytes |> Array.iter (int >> dispatched.Add >> ignore))

        if peer.Value.IsReleased then
            Locking.locked gate (fun () -> bytes |> Array.iter (int >> touched.Add >> ignore))

        bytes

    let server = ServerUnderTest(threading, workers, handler = Func<_, _> handler)
    let client = server.Network.Connect()
    peer <- Some client

    for action in script do
        match action with
        | SendMessage k -> client.Send([| byte k |])
        | HalfClose -> client.ShutdownWrite()
        | Reset -> client.Reset()

    client.AwaitRelease()
    server.StopAndCheck() |> ignore
    let written = client.WrittenBytes |> Array.map int |> Set.ofArray

    {
        Written = written
        Dropped = Locking.locked gate (fun () -> Set.ofSeq dispatched) - written
        TouchedAfterRelease = Locking.locked gate (fun () -> Set.ofSeq touched)
        Releases = (if client.IsReleased then 1 else 0)
    }

/// None when every outcome over the explored schedules is allowed; otherwise what went wrong.
let disagreement (iterations: int) (workers: bool) (script: PeerAction list) : string option =
    Locking.disagreementUnderExplorer iterations (runOnServer workers script) (ConnectionModel.allowedOutcomes script)
    |> Option.map (sprintf "%A (workers: %b): %s" script workers)

/// A peer sends 1 to 3 messages, then half-closes, resets, or half-closes and then resets.
let scripts: Arbitrary<bool * PeerAction list> =
    gen {
        let! workers = Gen.elements [ true; false ]
        let! messages = Gen.choose (1, 3)
        let! ending = Gen.elements [ [ HalfClose ]; [ Reset ]; [ HalfClose; Reset ] ]
        return workers, [ for k in 1..messages -> SendMessage k ] @ ending
    }
    |> Arb.fromGen

/// Conformance runs the explorer and the real server: its tests run one at a time, after the others.
let tests =
    testSequenced
    <| testList
        "conformance"
        [
            testPropertyWithConfig
                (Checking.cases 30)
                "every outcome of the C# connection under the explorer is one the model allows"
            <| Prop.forAll scripts (fun (workers, script) ->
                match disagreement 150 workers script with
                | None -> true
                | Some problem -> failwith problem)

            // Two replies in flight when the peer half-closes: both must be written before the connection is
            // released. The mutation check (tests/Coyote/Mutants) runs this test against InFlightCountedAfterDispatch
            // and ReleaseIgnoringInFlight and expects it to fail.
            test "a connection with replies in flight when the peer half-closes conforms" {
                let problem = disagreement 300 true [ SendMessage 1; SendMessage 2; HalfClose ]
                Expect.isNone problem "the real server must conform"
            }
        ]
