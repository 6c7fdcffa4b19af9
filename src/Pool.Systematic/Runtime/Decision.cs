namespace Pool.Systematic.Runtime;

/// <summary>One choice of an iteration: which thread ran, or which value a data choice took.</summary>
internal readonly record struct Decision(bool IsValue, int Choice);
