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
        _ => FromJson(ToNode(value, JsonSerializer.IsReflectionEnabledByDefault)),
    };

    private static AxonValue FromJson(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) ? new AxonValue(s) : new AxonValue(node?.ToJsonString() ?? "", node);

    /// <summary>An argument as JSON; <paramref name="reflection"/> says whether System.Text.Json reflection may be used.</summary>
    internal static JsonNode? ToNode(object? value, bool reflection) => value switch
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
        // Where reflection is on, other types (collections included) serialise exactly as they always did.
        _ when reflection => Reflect(value),
        IDictionary map => Object(map, reflection),
        IEnumerable items => new JsonArray(items.Cast<object?>().Select(i => ToNode(i, reflection)).ToArray()),
        _ => throw NoReflection(value, null),
    };

    private static JsonObject Object(IDictionary map, bool reflection)
    {
        var o = new JsonObject();
        var e = map.GetEnumerator();
        while (e.MoveNext())
            o[Convert.ToString(e.Key, System.Globalization.CultureInfo.InvariantCulture)!] = ToNode(e.Value, reflection);
        return o;
    }

    private static JsonNode? Reflect(object value)
    {
        JsonTypeInfo info;
        // The reflection resolver when the app allows reflection (see CallerTypes); otherwise GetTypeInfo throws.
        try { info = Axon.Runtime.Json.CallerTypes.Plain.GetTypeInfo(value.GetType()); }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException) { throw NoReflection(value, ex); }
        return JsonSerializer.SerializeToNode(value, info);
    }

    private static ArgumentException NoReflection(object value, Exception? inner) => new(
        $"An argument of type {value.GetType().Name} cannot be converted to JSON without reflection (trimmed or NativeAOT app): "
        + "pass a string, a number, a JsonNode, a list or string-keyed dictionary, a generated AXON record or a semantic type.", nameof(value), inner);
}
