namespace Pool.Model

/// Version of the reference model; the model itself lands with its own issue.
module ModelInfo =
    /// The model's version string.
    let version = "0"
