using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Axon.Runtime.SemanticTypes;

/// <summary>A value that writes its own JSON, without reflection (semantic types and generated AXON records).</summary>
public interface IAxonJsonValue
{
    /// <summary>The value as the JSON the runtime's schema describes.</summary>
    JsonNode ToJson();
}

/// <summary>A value that reads and writes its own JSON without reflection, so it works trimmed and under NativeAOT.</summary>
/// <typeparam name="TSelf">The implementing type.</typeparam>
public interface IAxonJsonValue<TSelf> : IAxonJsonValue where TSelf : IAxonJsonValue<TSelf>
{
    /// <summary>Reads the value from its JSON.</summary>
    static abstract TSelf FromJson(JsonNode? node);
}

/// <summary>
/// A built-in AXON semantic type with its JSON form. Models answer a top-level output as an object
/// (<c>{"claim": …, "confidence": …}</c>) but a nested field as plain text, so every semantic type
/// reads both.
/// </summary>
/// <typeparam name="TSelf">The implementing type.</typeparam>
public interface IAxonSemanticValue<TSelf> : IAxonJsonValue<TSelf> where TSelf : IAxonSemanticValue<TSelf>;

/// <summary>A number validated against a range, seen without its type (see <see cref="IAxonRangedValue{TSelf}"/>).</summary>
public interface IAxonRangedValue
{
    /// <summary>The number.</summary>
    double Value { get; }
}

/// <summary>A number validated against a range: AXON ranged types (<c>type Risk(0.0..1.0)</c>) and the built-in scores.</summary>
/// <typeparam name="TSelf">The implementing type.</typeparam>
public interface IAxonRangedValue<TSelf> : IAxonRangedValue where TSelf : struct, IAxonRangedValue<TSelf>
{
    /// <summary>Creates a value; throws <see cref="ArgumentOutOfRangeException"/> outside the range.</summary>
    static abstract TSelf FromValue(double value);
}

/// <summary>System.Text.Json converter for <see cref="IAxonJsonValue{TSelf}"/> types (semantic types and generated records).</summary>
/// <typeparam name="T">The type.</typeparam>
public sealed class AxonSemanticJsonConverter<T> : JsonConverter<T> where T : IAxonJsonValue<T>
{
    /// <inheritdoc />
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        T.FromJson(JsonNode.Parse(ref reader));

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => value.ToJson().WriteTo(writer, options);
}

/// <summary>System.Text.Json converter for ranged values: reads a number, a numeric string or <c>{"value": n}</c>; writes a number.</summary>
/// <typeparam name="T">The ranged type.</typeparam>
public sealed class AxonRangedValueConverter<T> : JsonConverter<T> where T : struct, IAxonRangedValue<T>
{
    /// <inheritdoc />
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        return AxonJson.Ranged<T>(JsonNode.Parse(ref reader));
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteNumberValue(value.Value);
}

/// <summary>Small JSON readers shared by the semantic types.</summary>
internal static class SemanticJson
{
    public static string Text(JsonNode? node, string key) => node is JsonObject o ? AsText(o[key]) : "";

    public static string AsText(JsonNode? node) => node switch
    {
        null => "",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };

    /// <summary>The main text of a value: the string itself, or the named property of an object.</summary>
    public static string MainText(JsonNode? node, string key) => node is JsonValue ? AsText(node) : Text(node, key);

    public static double? Confidence(JsonNode? node) => node is JsonObject o ? Number(o["confidence"]) : null;

    public static double? Number(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        JsonValue v when v.TryGetValue<string>(out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) => p,
        _ => null,
    };

    public static IReadOnlyList<string> Strings(JsonNode? node, string key) =>
        node is JsonObject o && o[key] is JsonArray a ? a.Select(AsText).ToArray() : [];

    public static IReadOnlyList<T> Objects<T>(JsonNode? node, string key, Func<JsonNode?, T> read) =>
        node is JsonObject o && o[key] is JsonArray a ? a.Select(read).ToArray() : [];

    public static JsonArray Array(IEnumerable<string> items) => new(items.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());

    public static JsonObject WithConfidence(JsonObject o, double? confidence)
    {
        if (confidence is { } c) o["confidence"] = c;
        return o;
    }

    public static double CheckRange(double value, double min, double max, string typeName) =>
        value >= min && value <= max ? value
        : throw new ArgumentOutOfRangeException(nameof(value), value,
            $"{typeName} must be within {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}.");
}
