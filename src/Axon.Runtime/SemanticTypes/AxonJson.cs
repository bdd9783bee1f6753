using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Axon.Runtime.Json;

namespace Axon.Runtime.SemanticTypes;

/// <summary>
/// Reflection-free JSON readers and writers called by generated code (records' <c>FromJson</c>/<c>ToJson</c> and
/// flows' result readers), so generated flows work trimmed and under NativeAOT. They read as the reflection
/// serializer did with the runtime's web defaults: JSON null (or a missing field) is the type's default, a number
/// may come as a numeric string, property names match exactly first and then ignoring case, and a value of the
/// wrong kind is a <see cref="JsonException"/>.
/// </summary>
public static class AxonJson
{
    /// <summary>The object a record is read from; null for JSON null; a <see cref="JsonException"/> for anything else.</summary>
    public static JsonObject? Object(JsonNode? node, string typeName) => node switch
    {
        null => null,
        JsonObject o => o,
        _ => throw new JsonException($"Expected a JSON object for {typeName}, got {Kind(node)}."),
    };

    /// <summary>A field of an object: the exact name first, then the name ignoring case (as the web defaults read).</summary>
    public static JsonNode? Field(JsonObject? o, string name)
    {
        if (o is null) return null;
        if (o.TryGetPropertyValue(name, out var exact)) return exact;
        foreach (var kv in o)
            if (string.Equals(kv.Key, name, StringComparison.OrdinalIgnoreCase)) return kv.Value;
        return null;
    }

    /// <summary>A string; null for JSON null.</summary>
    public static string String(JsonNode? node) => node switch
    {
        null => null!,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw new JsonException($"Expected a string, got {Kind(node)}."),
    };

    /// <summary>An integer (<c>Integer</c>); a numeric string is accepted.</summary>
    public static long Int64(JsonNode? node) =>
        node is JsonValue v && (v.TryGetValue<long>(out var n) || v.TryGetValue<string>(out var s) && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out n))
            ? n : throw new JsonException($"Expected an integer, got {Kind(node)}.");

    /// <summary>A number (<c>Float</c>); a numeric string is accepted.</summary>
    public static double Double(JsonNode? node) =>
        SemanticJson.Number(node) ?? throw new JsonException($"Expected a number, got {Kind(node)}.");

    /// <summary>A boolean (<c>Boolean</c>).</summary>
    public static bool Boolean(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<bool>(out var b) ? b : throw new JsonException($"Expected true or false, got {Kind(node)}.");

    /// <summary>Any JSON (<c>Any</c> and undeclared types) as a <see cref="JsonElement"/>.</summary>
    public static JsonElement Element(JsonNode? node) => RuntimeJsonContext.ToElement(node);

    /// <summary>A semantic type or generated record; null for JSON null.</summary>
    public static T Value<T>(JsonNode? node) where T : IAxonJsonValue<T> => node is null ? default! : T.FromJson(node);

    /// <summary>A ranged number: a number, a numeric string or <c>{"value": n}</c>, checked against the range.</summary>
    public static T Ranged<T>(JsonNode? node) where T : struct, IAxonRangedValue<T>
    {
        if (node is JsonObject o && o["value"] is { } inner) node = inner;
        var number = SemanticJson.Number(node) ?? throw new JsonException($"Expected a number for {typeof(T).Name}, got {node?.ToJsonString() ?? "null"}.");
        try { return T.FromValue(number); }
        catch (ArgumentOutOfRangeException ex) { throw new JsonException(ex.Message, ex); }
    }

    /// <summary>A list, each item read by <paramref name="read"/>; null for JSON null.</summary>
    public static IReadOnlyList<T> List<T>(JsonNode? node, Func<JsonNode?, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        if (node is null) return null!;
        if (node is not JsonArray a) throw new JsonException($"Expected a JSON array, got {Kind(node)}.");
        var items = new T[a.Count];
        for (var i = 0; i < items.Length; i++) items[i] = read(a[i]);
        return items;
    }

    /// <summary>An optional value type: null for JSON null, else read by <paramref name="read"/>.</summary>
    public static T? Optional<T>(JsonNode? node, Func<JsonNode?, T> read) where T : struct
    {
        ArgumentNullException.ThrowIfNull(read);
        return node is null ? null : read(node);
    }

    /// <summary>A list as a JSON array, each item written by <paramref name="write"/>; null for a null list.</summary>
    public static JsonArray? Array<T>(IEnumerable<T>? items, Func<T, JsonNode?> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        if (items is null) return null;
        var array = new JsonArray();
        foreach (var item in items) array.Add(write(item));
        return array;
    }

    /// <summary>A <see cref="JsonElement"/> as a JSON tree (a copy); null for JSON null or an undefined element.</summary>
    public static JsonNode? FromElement(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null => null,
        JsonValueKind.Object => JsonObject.Create(element.Clone()),
        JsonValueKind.Array => JsonArray.Create(element.Clone()),
        _ => JsonValue.Create(element.Clone()),
    };

    /// <summary>An optional <see cref="JsonElement"/> as a JSON tree (a copy); null when absent.</summary>
    public static JsonNode? FromElement(JsonElement? element) => element is { } e ? FromElement(e) : null;

    private static string Kind(JsonNode? node) => node is null ? "null" : node.GetValueKind().ToString().ToLowerInvariant();
}
