// Each scenario kills processes, spins CPU hogs and measures what survives: they run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
