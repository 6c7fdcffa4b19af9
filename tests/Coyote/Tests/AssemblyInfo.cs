// The test-only mutant switch (Pool.Mutants.Active) is process-global: run tests one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
