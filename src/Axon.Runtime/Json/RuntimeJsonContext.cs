using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Axon.Runtime.Model;

namespace Axon.Runtime.Json;

/// <summary>
/// Source-generated System.Text.Json metadata for the runtime's own JSON: hibernate state (persona, context,
/// anchors) and JSON trees. No reflection, so the runtime stays trim- and NativeAOT-safe. Default (PascalCase)
/// names, as the reflection serializer used before, so state written by older builds still reads.
/// </summary>
[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(PersonaDefinition))]
[JsonSerializable(typeof(ContextDefinition))]
[JsonSerializable(typeof(List<AnchorDefinition>))]
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class RuntimeJsonContext : JsonSerializerContext
{
    /// <summary>A JSON tree as a <see cref="JsonElement"/>, without reflection.</summary>
    public static JsonElement ToElement(JsonNode? node) => JsonSerializer.SerializeToElement(node, Default.JsonNode);
}

/// <summary>
/// Type metadata for caller-chosen types (<c>GetOutput&lt;T&gt;</c>, the untyped <c>Map&lt;T&gt;</c>, POCO arguments). Options
/// without a resolver get the reflection resolver when the app allows reflection; trimmed and NativeAOT apps turn
/// reflection off, and there only options whose resolver knows the type (a JsonSerializerContext) work, and generated
/// code uses its own reflection-free readers.
/// </summary>
internal static class CallerTypes
{
    /// <summary>Default options (PascalCase, as <c>JsonSerializer.Deserialize&lt;T&gt;(json)</c> used).</summary>
    public static readonly JsonSerializerOptions Plain = new() { TypeInfoResolver = ReflectionIfEnabled() };

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<JsonSerializerOptions, JsonSerializerOptions> WithResolver = new();

    public static System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> Info<T>(JsonSerializerOptions? options)
    {
        options ??= Plain;
        // GetTypeInfo, unlike the reflection-based Deserialize<T>(json, options), does not fill in a missing resolver.
        if (options.TypeInfoResolver is null)
            options = WithResolver.GetValue(options, static o => new JsonSerializerOptions(o) { TypeInfoResolver = ReflectionIfEnabled() });
        return (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
    }

    /// <summary>The reflection resolver when the app allows reflection, else only the runtime's own metadata.</summary>
    // Safe: JsonSerializer.IsReflectionEnabledByDefault is a feature switch ([FeatureSwitchDefinition]) that the SDK sets
    // to false for PublishTrimmed and PublishAot apps; ILLink and ILC substitute the constant and remove this branch, so
    // the reflection resolver is never reached (nor compiled) where it would break. The same pattern as
    // Microsoft.Extensions.AI's AIJsonUtilities.DefaultOptions.
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Guarded by the IsReflectionEnabledByDefault feature switch (see the comment).")]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Guarded by the IsReflectionEnabledByDefault feature switch (see the comment).")]
    public static System.Text.Json.Serialization.Metadata.IJsonTypeInfoResolver ReflectionIfEnabled() =>
        JsonSerializer.IsReflectionEnabledByDefault ? new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() : RuntimeJsonContext.Default;
}
