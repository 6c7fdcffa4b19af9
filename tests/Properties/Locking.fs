/// Helpers shared by the conformance properties.
module Pool.Properties.Locking

open Pool.Threading

/// Runs f while holding gate (a lock of the seam, so the explorer orders it too).
let locked (gate: ILock) f =
    gate.Enter()

    try
        f ()
    finally
        gate.Exit()
