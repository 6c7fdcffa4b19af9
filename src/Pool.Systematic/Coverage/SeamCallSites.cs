using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using Pool.Systematic.Runtime;
using Pool.Threading;

namespace Pool.Systematic.Coverage;

/// <summary>
/// Every call site of the threading seam's synchronising members in an assembly, found statically: its IL is read
/// with System.Reflection.Metadata (the assembly is not loaded), and its portable PDB gives each call's file and line
/// the way a stack trace does (the last visible sequence point at or before the call).
/// </summary>
/// <remarks>
/// The members are those that are scheduling points under the explorer, and <see cref="IThreading.Start(Action, string?)"/>:
/// <see cref="ILock"/>'s, <see cref="ICondition"/>'s and <see cref="IAtomicInt64"/>'s, <see cref="IThreadHandle.Join"/>,
/// and <see cref="IThreading"/>'s <c>Start</c>, <c>Yield</c>, <c>SpinWait</c>, <c>MemoryBarrier</c> and <c>Sleep</c>.
/// Creating a lock, a condition, an atomic or a thread-local, reading the clock or a spin count are not. Calls made
/// inside the <c>Pool.Threading</c> namespace (the seam's own implementations) are left out, as the explorer leaves
/// their frames out when it names a call site.
/// </remarks>
public static class SeamCallSites
{
    private const string Seam = "Pool.Threading";

    private static readonly Dictionary<short, OperandType> Operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value, o => o.OperandType);

    private static readonly ConcurrentDictionary<string, Index?> Indexes = new(
        StringComparer.Ordinal
    );

    /// <summary>The seam calls in the product, the assembly that defines <see cref="IThreading"/>.</summary>
    /// <exception cref="FileNotFoundException">No portable PDB beside the assembly or embedded in it.</exception>
    public static IReadOnlyList<SeamCallSite> InProduct() =>
        In(typeof(IThreading).Assembly.Location);

    /// <summary>The seam calls in the assembly at <paramref name="path"/>, by file and line.</summary>
    /// <exception cref="FileNotFoundException">No portable PDB beside the assembly or embedded in it.</exception>
    public static IReadOnlyList<SeamCallSite> In(string path)
    {
        var index =
            IndexOf(path) ?? throw new FileNotFoundException($"No portable PDB for {path}.", path);
        return
        [
            .. index
                .Values.SelectMany(calls => calls.Select(c => c.Site))
                .Distinct()
                .OrderBy(s => s.File, StringComparer.Ordinal)
                .ThenBy(s => s.Line)
                .ThenBy(s => s.Operation, StringComparer.Ordinal),
        ];
    }

    /// <summary>
    /// The call site of <paramref name="operation"/> that a frame of <paramref name="method"/> stopped at IL offset
    /// <paramref name="offset"/> is in, or null when the method's assembly has no PDB or the method no such call.
    /// </summary>
    /// <remarks>
    /// A stack frame reports the IL offset of the statement it is in, except in a <c>finally</c> block, where it can
    /// be that of an earlier statement (often the method's first): the call is the method's only call of the
    /// operation, or else its first call of the operation at or after the offset (the last one when none is). So
    /// where a method makes the same call in its body and in a <c>finally</c> block, the latter's reaches can be
    /// counted at the former (<see cref="SeamCallSite.InFinally"/>).
    /// </remarks>
    internal static SeamCallSite? At(MethodBase method, int offset, string operation)
    {
        var path = method.Module.Assembly.Location;
        if (path.Length == 0 || IndexOf(path) is not { } index)
        {
            return null;
        }
        if (!index.TryGetValue(method.MetadataToken, out var calls))
        {
            return null;
        }
        var candidates = calls.Where(c => c.Site.Reaches(operation)).ToList();
        return candidates.Count switch
        {
            0 => null,
            1 => candidates[0].Site,
            _ => (candidates.FirstOrDefault(c => c.Offset >= offset) ?? candidates[^1]).Site,
        };
    }

    private static Index? IndexOf(string path) => Indexes.GetOrAdd(Path.GetFullPath(path), Build);

    // Every seam call of the assembly, by the metadata token of its method; null when it has no portable PDB.
    private static Index? Build(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        if (
            !pe.TryOpenAssociatedPortablePdb(
                path,
                file => File.Exists(file) ? File.OpenRead(file) : null,
                out var pdbProvider,
                out _
            ) || pdbProvider is null
        )
        {
            return null;
        }
        using (pdbProvider)
        {
            var metadata = pe.GetMetadataReader();
            var pdb = pdbProvider.GetMetadataReader();
            var index = new Index();
            foreach (var handle in metadata.MethodDefinitions)
            {
                var definition = metadata.GetMethodDefinition(handle);
                var types = DeclaringTypes(metadata, definition.GetDeclaringType());
                if (definition.RelativeVirtualAddress == 0 || types.Namespace == Seam)
                {
                    continue;
                }
                var body = pe.GetMethodBody(definition.RelativeVirtualAddress);
                var calls = Calls(metadata, body).ToList();
                if (calls.Count == 0)
                {
                    continue;
                }
                var points = pdb.GetMethodDebugInformation(handle.ToDebugInformationHandle())
                    .GetSequencePoints()
                    .ToList();
                var caller = MethodDisplayName.Of(metadata.GetString(definition.Name), types.Names);
                var sites = new List<Call>();
                foreach (var (offset, operation) in calls)
                {
                    if (Line(pdb, points, offset) is { } line)
                    {
                        sites.Add(
                            new Call(
                                offset,
                                new SeamCallSite(operation, line.File, line.Line, caller)
                                {
                                    InFinally = body.ExceptionRegions.Any(r =>
                                        r.Kind
                                            is ExceptionRegionKind.Finally
                                                or ExceptionRegionKind.Fault
                                        && offset >= r.HandlerOffset
                                        && offset < r.HandlerOffset + r.HandlerLength
                                    ),
                                }
                            )
                        );
                    }
                }
                index.Add(MetadataTokens.GetToken(handle), sites);
            }
            return index;
        }
    }

    private sealed class Index : Dictionary<int, List<Call>>;

    private sealed record Call(int Offset, SeamCallSite Site);

    /// <summary>The explorer's name for the scheduling point of a seam member, or null when it is not one.</summary>
    private static string? OperationOf(string type, string member) =>
        type switch
        {
            nameof(ILock) => $"Lock.{member}",
            nameof(ICondition) => $"Condition.{member}",
            nameof(IAtomicInt64) => $"Atomic.{member}",
            nameof(IThreadHandle) when member == nameof(IThreadHandle.Join) => "Join",
            nameof(IThreading)
                when member
                    is nameof(IThreading.Start)
                        or nameof(IThreading.Yield)
                        or nameof(IThreading.SpinWait)
                        or nameof(IThreading.MemoryBarrier)
                        or nameof(IThreading.Sleep) => member,
            _ => null,
        };

    // Every call or callvirt of a seam member in one method body, with its IL offset.
    private static IEnumerable<(int Offset, string Operation)> Calls(
        MetadataReader metadata,
        MethodBodyBlock body
    )
    {
        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            var offset = il.Offset;
            short code = il.ReadByte();
            if (code == 0xFE)
            {
                code = (short)(0xFE00 | il.ReadByte());
            }
            if (code is 0x28 or 0x6F) // call, callvirt
            {
                var target = Target(metadata, MetadataTokens.EntityHandle(il.ReadInt32()));
                if (
                    target is { Namespace: Seam } t
                    && OperationOf(t.Type, t.Member) is { } operation
                )
                {
                    yield return (offset, operation);
                }
                continue;
            }
            il.Offset += Operands[code] switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget
                or OperandType.ShortInlineI
                or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 * il.ReadInt32(),
                _ => 4,
            };
        }
    }

    // The namespace, type and name of a called method, from its definition or its reference.
    private static (string Namespace, string Type, string Member)? Target(
        MetadataReader metadata,
        EntityHandle handle
    )
    {
        switch (handle.Kind)
        {
            case HandleKind.MethodDefinition:
                var definition = metadata.GetMethodDefinition((MethodDefinitionHandle)handle);
                var types = DeclaringTypes(metadata, definition.GetDeclaringType());
                return (types.Namespace, types.Names[0], metadata.GetString(definition.Name));
            case HandleKind.MemberReference:
                var reference = metadata.GetMemberReference((MemberReferenceHandle)handle);
                var name = metadata.GetString(reference.Name);
                return reference.Parent.Kind switch
                {
                    HandleKind.TypeReference => metadata.GetTypeReference(
                        (TypeReferenceHandle)reference.Parent
                    )
                        is var type
                        ? (metadata.GetString(type.Namespace), metadata.GetString(type.Name), name)
                        : null,
                    HandleKind.TypeDefinition => DeclaringTypes(
                        metadata,
                        (TypeDefinitionHandle)reference.Parent
                    )
                        is var defined
                        ? (defined.Namespace, defined.Names[0], name)
                        : null,
                    _ => null,
                };
            case HandleKind.MethodSpecification:
                return Target(
                    metadata,
                    metadata.GetMethodSpecification((MethodSpecificationHandle)handle).Method
                );
            default:
                return null;
        }
    }

    // A type's name and its enclosing types' names, innermost first, and the namespace of the outermost.
    private static (string Namespace, List<string> Names) DeclaringTypes(
        MetadataReader metadata,
        TypeDefinitionHandle handle
    )
    {
        var names = new List<string>();
        var type = metadata.GetTypeDefinition(handle);
        names.Add(metadata.GetString(type.Name));
        while (type.IsNested)
        {
            type = metadata.GetTypeDefinition(type.GetDeclaringType());
            names.Add(metadata.GetString(type.Name));
        }
        return (metadata.GetString(type.Namespace), names);
    }

    // As StackTrace resolves a frame: the last sequence point at or before the offset that is not hidden.
    private static (string File, int Line)? Line(
        MetadataReader pdb,
        List<SequencePoint> points,
        int offset
    )
    {
        (string, int)? found = null;
        foreach (var point in points)
        {
            if (point.Offset > offset)
            {
                break;
            }
            if (!point.IsHidden)
            {
                found = (pdb.GetString(pdb.GetDocument(point.Document).Name), point.StartLine);
            }
        }
        return found;
    }
}
