namespace Pool.Diagnostics;

/// <summary>
/// Creates the instruments of one meter and keeps what listeners threw meanwhile: creating an instrument calls every
/// <c>MeterListener</c>'s <c>InstrumentPublished</c> on the creating thread, and one that throws must neither leave the
/// other instruments uncreated nor hide its failure (<see cref="MeterCatalog{TInstruments}"/> reports it).
/// </summary>
internal sealed class InstrumentPublication
{
    /// <summary>What listeners threw, or null.</summary>
    public List<Exception>? Failures { get; private set; }

    /// <summary>Runs <paramref name="create"/> (one instrument's creation), keeping what it throws.</summary>
    public void Publish(Action create)
    {
        try
        {
            create();
        }
        catch (Exception failure)
        {
            (Failures ??= []).Add(failure);
        }
    }
}
