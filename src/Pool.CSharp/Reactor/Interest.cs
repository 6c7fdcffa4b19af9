namespace Pool.Reactor;

/// <summary>The readiness a registration asks for.</summary>
[Flags]
public enum Interest
{
    /// <summary>Nothing: the registration only reports hang-ups and errors.</summary>
    None = 0,

    /// <summary>Data, or end of stream, can be read (a listener: a connection is waiting).</summary>
    Readable = 1,

    /// <summary>Data can be written.</summary>
    Writable = 2,
}
