namespace Coyote.Scenarios;

internal static class Placeholder { }
