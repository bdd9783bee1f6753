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
/// Type metadata for caller-chosen types (<c>GetOutput&lt;T&gt;</c> and friends). Options without a resolver get the
/// reflection resolver from <see cref="JsonSerializerOptions.GetTypeInfo"/> when the app allows reflection
/// (<see cref="JsonSerializer.IsReflectionEnabledByDefault"/>); trimmed and NativeAOT apps turn that off, and then
/// only options whose resolver knows the type (a JsonSerializerContext) work.
/// </summary>
internal static class CallerTypes
{
    /// <summary>Default options, as <c>JsonSerializer.Deserialize&lt;T&gt;(json)</c> used.</summary>
    public static readonly JsonSerializerOptions Plain = new();

    public static System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> Info<T>(JsonSerializerOptions? options) =>
        (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)(options ?? Plain).GetTypeInfo(typeof(T));
}
