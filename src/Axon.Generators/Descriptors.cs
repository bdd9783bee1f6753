using Microsoft.CodeAnalysis;

namespace Axon.Generators;

/// <summary>The generator's own diagnostics (AXN3xxx). Front-end codes (AXN1/2/4xxx) pass through with their own ids.</summary>
internal static class Descriptors
{
    public static readonly DiagnosticDescriptor UnknownBackend = new("AXN3001", "Unknown backend", "{0}", "Axon", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor UndeclaredType = new("AXN3002", "Undeclared type", "{0}", "Axon", DiagnosticSeverity.Warning, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor InternalError = new("AXN3003", "Internal generator error", "{0}", "Axon", DiagnosticSeverity.Error, isEnabledByDefault: true);
    public static readonly DiagnosticDescriptor NameChanged = new("AXN3004", "Name changed", "{0}", "Axon", DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static DiagnosticDescriptor? Find(string id) => id switch
    {
        "AXN3001" => UnknownBackend,
        "AXN3002" => UndeclaredType,
        "AXN3003" => InternalError,
        "AXN3004" => NameChanged,
        _ => null,
    };
}
