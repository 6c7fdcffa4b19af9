namespace Pool.Systematic;

internal static class Placeholder { }
