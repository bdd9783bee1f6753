using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Stub;

/// <summary>
/// The offline <c>stub</c> backend: answers every request deterministically and instantly, with JSON
/// that is valid for the requested schema (or plain text when no schema is requested). Responses
/// are marked synthetic (<see cref="SyntheticKey"/> in <see cref="ChatResponse.AdditionalProperties"/>,
/// model id <c>axon-stub</c>) and cost nothing. The text is written to satisfy the stated
/// constraints (citations, reasoning markers, confidence floors), as a compliant model would.
/// </summary>
public sealed partial class StubChatClient : IChatClient
{
    /// <summary>AdditionalProperties key set to <c>true</c> on every stub response.</summary>
    public const string SyntheticKey = "axon.synthetic";

    /// <summary>The model id the stub reports.</summary>
    public const string ModelId = "axon-stub";

    private static readonly ChatClientMetadata Metadata = new("stub", null, ModelId);

    /// <inheritdoc />
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var list = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        string system = "", user = "";
        foreach (var m in list)
        {
            if (m.Role == ChatRole.System) system = m.Text;
            else if (m.Role == ChatRole.User) user = m.Text;
        }
        var style = new Style(system, user);
        string text;
        if (options?.ResponseFormat is ChatResponseFormatJson { Schema: { } schema })
            text = Generate(schema, "result", style, 0)!.ToJsonString();
        else if (options?.ResponseFormat is ChatResponseFormatJson)
            text = new JsonObject { ["result"] = style.Sentence("result"), ["confidence"] = style.Confidence }.ToJsonString();
        else
            text = style.Paragraph(FirstLine(user));

        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, text))
        {
            ModelId = ModelId,
            FinishReason = ChatFinishReason.Stop,
            // Rough token counts (4 characters per token) so traces and totals show realistic sizes.
            Usage = new UsageDetails
            {
                InputTokenCount = (system.Length + user.Length + 3) / 4,
                OutputTokenCount = (text.Length + 3) / 4,
                TotalTokenCount = (system.Length + user.Length + 3) / 4 + (text.Length + 3) / 4,
            },
            AdditionalProperties = new AdditionalPropertiesDictionary { [SyntheticKey] = true, ["confidence"] = style.Confidence },
        };
        return Task.FromResult(response);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var update in response.ToChatResponseUpdates()) yield return update;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata) ? Metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    /// <inheritdoc />
    public void Dispose() { }

    private static string FirstLine(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            var l = line.Trim();
            if (l.Length > 0 && !l.StartsWith("Given the input", StringComparison.Ordinal) && !l.StartsWith("Recalled memory", StringComparison.Ordinal)
                && !l.StartsWith("**Input", StringComparison.Ordinal))
                return l.Length > 120 ? l[..120] : l;
        }
        return "the request";
    }

    private sealed class Style
    {
        private readonly bool _premises;
        private readonly bool _steps;
        // Reasoning markers go into the first text only: a second "Conclusion:" would breach SyllogismChecker.
        private bool _markersWritten;

        public Style(string system, string user)
        {
            var anchors = ActiveCheckers(system);
            _premises = anchors.Contains("SyllogismChecker") || (system + user).Contains("Premise", StringComparison.Ordinal);
            _steps = anchors.Contains("ChainOfThoughtValidator");
            Confidence = ConfidenceFor(system + "\n" + user);
        }

        public double Confidence { get; }

        public string Sentence(string field)
        {
            var prefix = _markersWritten ? "" : (_premises ? "Premise 1: the input states it. Conclusion: " : "") + (_steps ? "Step 1: read the input. " : "");
            _markersWritten = true;
            return prefix + $"Synthetic {field.Replace('_', ' ')} based on the input [1]";
        }

        public string Paragraph(string topic) =>
            (_premises ? "Premise 1: the input is given.\nPremise 2: the question is stated.\nConclusion: " : "")
            + (_steps || !_premises ? "Step 1: read the input. " : "")
            // The echoed request may quote an earlier answer's markers; one "Conclusion:" per answer.
            + $"Synthetic answer (stub backend, no model was called) to: {topic.Replace("Conclusion:", "conclusion", StringComparison.OrdinalIgnoreCase)}. Based on the input [1].";

        // The checkers the system prompt's constraints imply: standard anchor names and require values with a mechanical check.
        private static HashSet<string> ActiveCheckers(string system)
        {
            var set = new HashSet<string>(StringComparer.Ordinal);
            foreach (Match m in ConstraintLine().Matches(system))
            {
                var value = m.Groups[1].Value.Trim();
                if (Anchors.StandardAnchors.IsStandard(value)) set.Add(value);
                if (Anchors.AnchorEvaluator.RequireChecker(value) is { } checker) set.Add(checker);
            }
            return set;
        }

        private static double ConfidenceFor(string text)
        {
            // Meet any stated floor so a compliant synthetic answer is never rejected for confidence.
            var c = 0.9;
            foreach (Match m in PercentFloor().Matches(text))
                if (double.TryParse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var p)) c = Math.Max(c, Math.Min(1.0, p / 100.0 + 0.01));
            return Math.Round(c, 2);
        }
    }

    private static JsonNode? Generate(JsonElement schema, string name, Style style, int depth)
    {
        if (depth > 12) return null;
        if (schema.ValueKind != JsonValueKind.Object) return style.Sentence(name);
        if (schema.TryGetProperty("enum", out var en) && en.ValueKind == JsonValueKind.Array && en.GetArrayLength() > 0)
            return JsonNode.Parse(en[0].GetRawText());
        if (schema.TryGetProperty("const", out var cst)) return JsonNode.Parse(cst.GetRawText());
        foreach (var key in (string[])["anyOf", "oneOf"])
        {
            if (!schema.TryGetProperty(key, out var alts)) continue;
            foreach (var alt in alts.EnumerateArray())
                if (!(alt.TryGetProperty("type", out var at) && at.ValueKind == JsonValueKind.String && at.GetString() == "null"))
                    return Generate(alt, name, style, depth + 1);
            return null;
        }
        var type = "object";
        if (schema.TryGetProperty("type", out var t))
        {
            if (t.ValueKind == JsonValueKind.String) type = t.GetString()!;
            else if (t.ValueKind == JsonValueKind.Array)
                type = t.EnumerateArray().Select(x => x.GetString()).FirstOrDefault(x => x != "null") ?? "null";
        }
        else if (!schema.TryGetProperty("properties", out _)) return style.Sentence(name);
        switch (type.ToLowerInvariant())
        {
            case "object":
                var obj = new JsonObject();
                if (schema.TryGetProperty("properties", out var props))
                    foreach (var p in props.EnumerateObject())
                        obj[p.Name] = p.Name is "confidence" or "_confidence" ? style.Confidence : Generate(p.Value, p.Name, style, depth + 1);
                return obj;
            case "array":
                var arr = new JsonArray();
                if (schema.TryGetProperty("items", out var items)) arr.Add(Generate(items, Singular(name), style, depth + 1));
                return arr;
            case "string": return style.Sentence(name);
            case "integer":
            {
                var (lo, hi) = Bounds(schema);
                return (long)Math.Round(lo is null && hi is null ? 1 : ((lo ?? hi!.Value - 2) + (hi ?? lo!.Value + 2)) / 2, MidpointRounding.ToEven);
            }
            case "number":
            {
                var (lo, hi) = Bounds(schema);
                return lo is null && hi is null ? 1.0 : ((lo ?? hi!.Value - 1) + (hi ?? lo!.Value + 1)) / 2;
            }
            case "boolean": return true;
            case "null": return null;
            default: return style.Sentence(name);
        }
    }

    private static (double? Lo, double? Hi) Bounds(JsonElement schema) =>
        (schema.TryGetProperty("minimum", out var a) ? a.GetDouble() : null, schema.TryGetProperty("maximum", out var b) ? b.GetDouble() : null);

    private static string Singular(string name) => name.EndsWith('s') && name.Length > 1 ? name[..^1] : name;

    [GeneratedRegex(@"(?mi)(?:constraint(?: \d+)?:|you must:|\*\*must\*\*:|require:)\s*\[?([A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex ConstraintLine();

    [GeneratedRegex(@"(?i)confidence[^\n%]{0,40}?(\d{1,3})%")]
    private static partial Regex PercentFloor();
}
