using System.Reflection;

namespace Pool.Systematic.Runtime;

/// <summary>
/// Readable names for methods the C# compiler generated: a local function <c>Move</c> of <c>BankTransfer</c>
/// (compiled as <c>&lt;&gt;c__DisplayClass0_0.&lt;BankTransfer&gt;g__Move|0</c>) reads <c>BankTransfer.Move</c>, a
/// lambda in it <c>BankTransfer.lambda</c>, and an async or iterator method its own name rather than <c>MoveNext</c>.
/// </summary>
internal static class MethodDisplayName
{
    /// <summary><c>Type.Method</c>, with closures and state machines folded into the method that holds them.</summary>
    internal static string Of(MethodBase method) => Of(method, fullTypeName: false);

    /// <summary>Like <see cref="Of(MethodBase)"/>, with the type named in full (namespace and enclosing types) when asked.</summary>
    internal static string Of(MethodBase method, bool fullTypeName)
    {
        var member = Member(method.Name);
        var type = method.DeclaringType;
        while (type is not null && type.Name.StartsWith('<'))
        {
            // A state machine's MoveNext: the async or iterator method itself (d__N for a method, d for a local
            // function's, as in <<Outer>g__Local|0_0>d).
            var suffix = Suffix(type.Name);
            if (suffix == "d" || suffix.StartsWith("d__", StringComparison.Ordinal))
            {
                member = Member(type.Name);
            }
            type = type.DeclaringType;
        }
        if (type is null)
        {
            return member;
        }
        return $"{(fullTypeName ? FullName(type) : WithoutArity(type.Name))}.{member}";
    }

    /// <summary>
    /// As <see cref="Of(MethodBase)"/>, from names alone (metadata read without loading the assembly):
    /// <paramref name="declaringTypes"/> are the method's type and its enclosing types, innermost first.
    /// </summary>
    internal static string Of(string methodName, IReadOnlyList<string> declaringTypes)
    {
        var member = Member(methodName);
        var index = 0;
        while (index < declaringTypes.Count && declaringTypes[index].StartsWith('<'))
        {
            var suffix = Suffix(declaringTypes[index]);
            if (suffix == "d" || suffix.StartsWith("d__", StringComparison.Ordinal))
            {
                member = Member(declaringTypes[index]);
            }
            index++;
        }
        return index < declaringTypes.Count
            ? $"{WithoutArity(declaringTypes[index])}.{member}"
            : member;
    }

    /// <summary>The readable form of one compiler-generated (or ordinary) member or type name.</summary>
    internal static string Member(string name)
    {
        if (!name.StartsWith('<'))
        {
            return WithoutArity(name);
        }
        var close = MatchingBracket(name);
        if (close < 0)
        {
            return name;
        }
        var inner = name[1..close];
        var outer = inner.Length == 0 ? "" : Member(inner);
        var suffix = name[(close + 1)..];
        if (suffix.StartsWith("g__", StringComparison.Ordinal))
        {
            var local = suffix[3..];
            var bar = local.IndexOf('|', StringComparison.Ordinal);
            local = bar < 0 ? local : local[..bar];
            return outer.Length == 0 ? local : $"{outer}.{local}";
        }
        if (suffix.StartsWith("b__", StringComparison.Ordinal))
        {
            return outer.Length == 0 ? "lambda" : $"{outer}.lambda";
        }
        return outer.Length == 0 ? name : outer;
    }

    private static string Suffix(string name)
    {
        var close = MatchingBracket(name);
        return close < 0 ? "" : name[(close + 1)..];
    }

    // The index of the '>' that closes the '<' at index 0, or -1.
    private static int MatchingBracket(string name)
    {
        var depth = 0;
        for (var i = 0; i < name.Length; i++)
        {
            if (name[i] == '<')
            {
                depth++;
            }
            else if (name[i] == '>' && --depth == 0)
            {
                return i;
            }
        }
        return -1;
    }

    private static string FullName(Type type)
    {
        var name = WithoutArity(type.Name);
        for (var outer = type.DeclaringType; outer is not null; outer = outer.DeclaringType)
        {
            name = $"{WithoutArity(outer.Name)}.{name}";
        }
        return type.Namespace is { Length: > 0 } ns ? $"{ns}.{name}" : name;
    }

    private static string WithoutArity(string name)
    {
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? name : name[..tick];
    }
}
