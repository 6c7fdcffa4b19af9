namespace System.Runtime.CompilerServices;

/// <summary>Lets records compile for netstandard2.0, which the compiler requires of a source generator.</summary>
internal static class IsExternalInit { }
