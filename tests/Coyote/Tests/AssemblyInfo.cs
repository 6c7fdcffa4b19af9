// Coyote's in-process engine and the mutant builds (a dotnet build per mutant) are heavy on a 2-core machine, and
// the explorer's scenarios measure nothing when they compete: run tests one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
