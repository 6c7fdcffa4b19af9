namespace Pool.Reactor;

/// <summary>The readiness a registration asks for.</summary>
[Flags]
internal enum Interest
{
    None = 0,
    Readable = 1,
    Writable = 2,
}
