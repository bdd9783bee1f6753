using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Axon.Generators;

// Pipeline values: only strings, numbers and arrays of them, compared by value, so the driver can cache
// every step (no ISymbol, Compilation, SyntaxNode or parse tree is ever held).

/// <summary>An immutable array compared by its elements.</summary>
internal readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IReadOnlyList<T> where T : IEquatable<T>
{
    public static readonly EquatableArray<T> Empty = new(Array.Empty<T>());

    private readonly T[]? _items;

    public EquatableArray(T[] items) => _items = items;

    public int Count => _items?.Length ?? 0;

    public T this[int index] => _items![index];

    public bool Equals(EquatableArray<T> other)
    {
        T[] a = AsArray(), b = other.AsArray();
        if (a.Length != b.Length) return false;
        for (var i = 0; i < a.Length; i++)
            if (!a[i].Equals(b[i])) return false;
        return true;
    }

    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    public override int GetHashCode()
    {
        unchecked
        {
            var hash = 17;
            foreach (var item in AsArray()) hash = hash * 31 + item.GetHashCode();
            return hash;
        }
    }

    public T[] AsArray() => _items ?? Array.Empty<T>();

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)AsArray()).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>The MSBuild properties the generator reads.</summary>
internal sealed record GeneratorOptions(string Namespace, string Backend, string ProjectDirectory);

/// <summary>An <c>.axon</c> file: its path and text.</summary>
internal sealed record AxonInput(string Path, string Text);

/// <summary>A diagnostic with its location as values (turned into a Roslyn diagnostic only when reported).</summary>
internal sealed record DiagnosticInfo(string Id, string Title, string Message, DiagnosticSeverity Severity, string Path,
    TextSpan Span, LinePositionSpan LineSpan)
{
    /// <summary>Related positions in the same file (e.g. where the AXON reference reports the error).</summary>
    public EquatableArray<RelatedSpan> Related { get; init; } = EquatableArray<RelatedSpan>.Empty;

    public Diagnostic ToDiagnostic()
    {
        var location = Path.Length == 0 ? Location.None : Location.Create(Path, Span, LineSpan);
        var additional = Path.Length == 0 || Related.Count == 0 ? null : Related.Select(r => Location.Create(Path, r.Span, r.LineSpan)).ToArray();
        if (Descriptors.Find(Id) is { } descriptor) return Diagnostic.Create(descriptor, location, additional, Message);
        return Diagnostic.Create(Id, "Axon", Message, Severity, Severity, isEnabledByDefault: true,
            warningLevel: Severity == DiagnosticSeverity.Error ? 0 : 1, title: Title, location: location, additionalLocations: additional);
    }
}

/// <summary>A related location of a diagnostic, as values.</summary>
internal sealed record RelatedSpan(TextSpan Span, LinePositionSpan LineSpan);

/// <summary>One generated source file.</summary>
internal sealed record GeneratedFile(string HintName, string Source);

/// <summary>What one <c>.axon</c> file produces.</summary>
/// <param name="File">The generated source, or null when the file has errors.</param>
/// <param name="Diagnostics">Front-end and generator diagnostics, located in the file.</param>
/// <param name="FlowClasses">Fully qualified names of the generated flow classes (for <c>AddAxon</c>).</param>
internal sealed record FileResult(GeneratedFile? File, EquatableArray<DiagnosticInfo> Diagnostics, EquatableArray<string> FlowClasses);

/// <summary>The input of the <c>AddAxon</c> emitter.</summary>
internal sealed record ServicesModel(string Namespace, string Backend, EquatableArray<string> FlowClasses);
