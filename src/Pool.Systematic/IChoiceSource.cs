namespace Pool.Systematic;

/// <summary>
/// An engine's controlled source of data choices. A controlled <see cref="Pool.Threading.IThreading"/> implements
/// it when its engine records and replays choices (the explorer's own, and the Coyote binding of the seam), so that
/// <see cref="Nondeterminism.Choose"/> explores a choice under either engine.
/// </summary>
public interface IChoiceSource
{
    /// <summary>
    /// A value in [0, <paramref name="count"/>), <paramref name="count"/> at least 2, chosen by the engine. Call it
    /// only from a thread the engine controls.
    /// </summary>
    int Choose(int count);
}
