namespace Coyote.Tests;

internal static class Placeholder { }
