using System.Text.Json.Nodes;

namespace Axon.Runtime.Execution;

/// <summary>A value flowing between steps: text, optional JSON, and the confidence it came with.</summary>
/// <param name="Text">The value as text (JSON text for structured values).</param>
/// <param name="Json">The structured value, when there is one.</param>
/// <param name="Confidence">Confidence reported with it.</param>
public sealed record AxonValue(string Text, JsonNode? Json = null, double? Confidence = null)
{
    /// <summary>A value from an argument object: strings stay text, everything else becomes JSON.</summary>
    public static AxonValue From(object? value) => value switch
    {
        null => new AxonValue(""),
        AxonValue v => v,
        string s => new AxonValue(s),
        JsonNode n => new AxonValue(n.ToJsonString(), n),
        _ => FromJson(System.Text.Json.JsonSerializer.SerializeToNode(value)),
    };

    private static AxonValue FromJson(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var s) ? new AxonValue(s) : new AxonValue(node?.ToJsonString() ?? "", node);
}
