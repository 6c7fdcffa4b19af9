namespace Pool.Systematic.Runtime;

/// <summary>What a thread's next operation touches, as partial-order reduction needs it.</summary>
internal enum AccessKind
{
    /// <summary>Nothing another thread can see: a thread's first run, a yield, a spin, a fence under sc.</summary>
    None,

    /// <summary>Reads an atomic.</summary>
    Read,

    /// <summary>
    /// Writes an object: an atomic's write or read-modify-write; every operation on a lock or on a condition of that
    /// lock (they all change who holds it or who waits on it); a sleep or a timed wait on the virtual clock.
    /// </summary>
    Write,

    /// <summary>Joins the thread numbered <see cref="Access.Target"/>: enabled only once it has finished.</summary>
    Join,
}

/// <summary>
/// The pending operation of a thread at a scheduling point: which object it touches and how. Two operations of
/// different threads are dependent when they touch the same object and at least one writes. Objects are numbered in
/// creation order within an iteration, so a deterministic test gives them the same numbers in every iteration.
/// </summary>
/// <param name="Kind">How the object is touched.</param>
/// <param name="Target">The object's number (<see cref="Clock"/> for the virtual clock), or the joined thread's id.</param>
internal readonly record struct Access(AccessKind Kind, int Target)
{
    /// <summary>The virtual clock's object number: sleeps and timed waits write it.</summary>
    internal const int Clock = 0;

    /// <summary>An operation no other thread can observe.</summary>
    internal static Access Local => default;

    internal static Access Reading(int target) => new(AccessKind.Read, target);

    internal static Access Writing(int target) => new(AccessKind.Write, target);

    internal static Access Joining(int thread) => new(AccessKind.Join, thread);

    /// <summary>True when the two operations, of different threads, do not commute.</summary>
    internal bool DependsOn(Access other) =>
        Kind is AccessKind.Read or AccessKind.Write
        && other.Kind is AccessKind.Read or AccessKind.Write
        && Target == other.Target
        && (Kind == AccessKind.Write || other.Kind == AccessKind.Write);
}
