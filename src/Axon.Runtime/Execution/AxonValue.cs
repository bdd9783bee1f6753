using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Axon.Runtime.SemanticTypes;

namespace Axon.Runtime.Execution;

/// <summary>A value flowing between steps: text, optional JSON, and the confidence it came with.</summary>
/// <param name="Text">The value as text (JSON text for structured values).</param>
/// <param name="Json">The structured value, when there is one.</param>
/// <param name="Confidence">Confidence reported with it.</param>
public sealed record AxonValue(string Text, JsonNode? Json = null, double? Confidence = null)
{
    /// <summary>
    /// A value from an argument object: strings stay text, everything else becomes JSON. JSON trees, numbers,
    /// booleans, semantic types, generated AXON records, ranged values, lists and string-keyed dictionaries of
    /// these convert without reflection (trim- and NativeAOT-safe). Any other type goes through System.Text.Json's
    /// default options, which need reflection: a trimmed or NativeAOT app gets an <see cref="ArgumentException"/>
    /// naming the type instead.
    /// </summary>
    public static AxonValue From(object? value) => value switch
    {
        null => new AxonValue(""),
        AxonValue v => v,
        string s => new AxonValue(s),
        JsonNode n => new AxonValue(n.ToJsonString(), n),
        _ => FromJson(ToNode(value)),
    };

    private static AxonValue FromJson(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) ? new AxonValue(s) : new AxonValue(node?.ToJsonString() ?? "", node);

    private static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        JsonNode n => n,
        JsonElement e => AxonJson.FromElement(e),
        IAxonJsonValue j => j.ToJson(),
        IAxonRangedValue r => JsonValue.Create(r.Value),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        float f => JsonValue.Create(f),
        decimal m => JsonValue.Create(m),
        IDictionary<string, object?> map => new JsonObject(map.Select(kv => KeyValuePair.Create(kv.Key, ToNode(kv.Value)))),
        IEnumerable items => new JsonArray(items.Cast<object?>().Select(ToNode).ToArray()),
        _ => Reflect(value),
    };

    private static JsonNode? Reflect(object value)
    {
        JsonTypeInfo info;
        // Reflection when the app allows it; trimmed and NativeAOT apps have only the runtime's own metadata, and GetTypeInfo throws.
        try { info = Axon.Runtime.Json.CallerTypes.Plain.GetTypeInfo(value.GetType()); }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException)
        {
            throw new ArgumentException(
                $"An argument of type {value.GetType().Name} cannot be converted to JSON without reflection (trimmed or NativeAOT app): "
                + "pass a string, a number, a JsonNode, a generated AXON record or a semantic type.", nameof(value), ex);
        }
        return JsonSerializer.SerializeToNode(value, info);
    }
}
