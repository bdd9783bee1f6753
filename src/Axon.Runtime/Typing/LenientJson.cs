using System.Text.Json;
using System.Text.Json.Nodes;

namespace Axon.Runtime.Typing;

/// <summary>
/// Extracts a JSON value from model text: tolerates code fences, prose before and after the JSON,
/// trailing commas and comments (models add all of these even when asked not to).
/// </summary>
public static class LenientJson
{
    private static readonly JsonDocumentOptions Options = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 64,
    };

    /// <summary>Tries to find and parse the first JSON object or array in <paramref name="text"/>.</summary>
    public static bool TryParse(string? text, out JsonNode? value)
    {
        value = TryParseElement(text, out var element) ? ToNode(element) : null;
        return value is not null;
    }

    /// <summary>
    /// Tries to find and parse the first JSON object or array in <paramref name="text"/>, as a
    /// <see cref="JsonElement"/> that owns its data (reading it builds no node tree).
    /// </summary>
    public static bool TryParseElement(string? text, out JsonElement value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        // Whole text first: the common case when structured output is native. The parser skips
        // surrounding whitespace itself, so the text is not trimmed into a copy.
        if (text.AsSpan().TrimStart()[0] is '{' or '[' && TryParseExact(text, out value)) return true;

        var fenced = StripFence(text);
        if (fenced is not null && TryExtract(fenced, out value)) return true;
        return TryExtract(text, out value);
    }

    /// <summary>
    /// The node of a parsed object or array. It is backed by the element and builds its children only
    /// when they are first read (the same node <see cref="JsonNode.Parse(string, JsonNodeOptions?, JsonDocumentOptions)"/> returns).
    /// </summary>
    public static JsonNode? ToNode(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => JsonObject.Create(element),
        JsonValueKind.Array => JsonArray.Create(element),
        JsonValueKind.Undefined or JsonValueKind.Null => null,
        _ => JsonValue.Create(element),
    };

    private static bool TryExtract(string text, out JsonElement value)
    {
        value = default;
        for (var start = 0; start < text.Length; start++)
        {
            var c = text[start];
            if (c != '{' && c != '[') continue;
            var end = FindMatchingEnd(text, start);
            if (end < 0) continue;
            if (TryParseExact(text.Substring(start, end - start + 1), out value)) return true;
        }
        return false;
    }

    private static bool TryParseExact(string candidate, out JsonElement value)
    {
        try
        {
            value = JsonElement.Parse(candidate, Options);
            return true;
        }
        catch (JsonException)
        {
            value = default;
            return false;
        }
    }

    private static string? StripFence(string text)
    {
        var open = text.IndexOf("```", StringComparison.Ordinal);
        if (open < 0) return null;
        var lineEnd = text.IndexOf('\n', open);
        if (lineEnd < 0) return null;
        var close = text.IndexOf("```", lineEnd, StringComparison.Ordinal);
        return close < 0 ? text[(lineEnd + 1)..] : text[(lineEnd + 1)..close];
    }

    private static int FindMatchingEnd(string text, int start)
    {
        var depth = 0;
        var inString = false;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\') i++;
                else if (c == '"') inString = false;
                continue;
            }
            switch (c)
            {
                case '"': inString = true; break;
                case '{' or '[': depth++; break;
                case '}' or ']':
                    depth--;
                    if (depth == 0) return i;
                    break;
            }
        }
        return -1;
    }
}
