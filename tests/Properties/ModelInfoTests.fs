module Pool.Properties.ModelInfoTests

open Xunit
open Pool.Model

[<Fact>]
let ``model version is set`` () =
    Assert.False(System.String.IsNullOrEmpty ModelInfo.version)
