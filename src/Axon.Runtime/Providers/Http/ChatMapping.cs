using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Providers.Http;

/// <summary>Provider-neutral pieces of mapping Microsoft.Extensions.AI types to and from wire formats.</summary>
internal static class ChatMapping
{
    /// <summary>The tool name used when structured output is done by forcing a tool call (Anthropic, Bedrock).</summary>
    public const string StructuredOutputTool = "structured_output";

    /// <summary><see cref="ChatOptions.Instructions"/> and every system message, joined by a blank line.</summary>
    public static string? SystemText(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var parts = new List<string>();
        if (!string.IsNullOrEmpty(options?.Instructions))
            parts.Add(options.Instructions);
        foreach (var m in messages)
            if (m.Role == ChatRole.System && m.Text is { Length: > 0 } t)
                parts.Add(t);
        return parts.Count == 0 ? null : string.Join("\n\n", parts);
    }

    /// <summary>The JSON schema requested by <see cref="ChatOptions.ResponseFormat"/>, if any.</summary>
    public static ChatResponseFormatJson? JsonFormat(ChatOptions? options) => options?.ResponseFormat as ChatResponseFormatJson;

    /// <summary>The function declarations among <see cref="ChatOptions.Tools"/>.</summary>
    public static IReadOnlyList<AIFunctionDeclaration> Functions(ChatOptions? options) =>
        options?.Tools?.OfType<AIFunctionDeclaration>().ToArray() ?? [];

    public static string ArgumentsJson(IDictionary<string, object?>? arguments) =>
        arguments is null ? "{}" : JsonSerializer.Serialize(arguments, AIJsonUtilities.DefaultOptions.GetTypeInfo(typeof(IDictionary<string, object?>)));

    public static JsonElement ArgumentsElement(IDictionary<string, object?>? arguments)
    {
        using var doc = JsonDocument.Parse(ArgumentsJson(arguments));
        return doc.RootElement.Clone();
    }

    public static Dictionary<string, object?> ParseArguments(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return [];
        using var doc = JsonDocument.Parse(json);
        return FromElement(doc.RootElement);
    }

    public static Dictionary<string, object?> FromElement(JsonElement element)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (element.ValueKind == JsonValueKind.Object)
            foreach (var p in element.EnumerateObject())
                result[p.Name] = p.Value.Clone();
        return result;
    }

    /// <summary>A function result as the text most wire formats expect.</summary>
    public static string ResultText(object? result) => result switch
    {
        null => "",
        string s => s,
        JsonElement e => e.GetRawText(),
        _ => JsonSerializer.Serialize(result, AIJsonUtilities.DefaultOptions.GetTypeInfo(result.GetType())),
    };

    /// <summary>A function result as a JSON value (for formats that want objects).</summary>
    public static JsonElement ResultElement(object? result)
    {
        if (result is JsonElement je)
            return je;
        var text = ResultText(result);
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(text, ProviderJson.Snake.String);
        }
    }

    /// <summary>Finds the function name of an earlier call (formats without call ids need it on results).</summary>
    public static string NameOfCall(IEnumerable<ChatMessage> messages, string callId)
    {
        foreach (var m in messages)
            foreach (var c in m.Contents)
                if (c is FunctionCallContent fc && fc.CallId == callId)
                    return fc.Name;
        return callId;
    }

    public static string Text(ChatMessage message)
    {
        var sb = new StringBuilder();
        foreach (var c in message.Contents)
            if (c is TextContent t)
                sb.Append(t.Text);
        return sb.ToString();
    }

    public static UsageDetails? Usage(long? input, long? output, long? total = null) =>
        input is null && output is null
            ? null
            : new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = total ?? (input ?? 0) + (output ?? 0) };

    public static ChatFinishReason? FinishReason(string? reason) => reason?.ToLowerInvariant() switch
    {
        null or "" => null,
        "stop" or "end_turn" or "stop_sequence" or "complete" => ChatFinishReason.Stop,
        "length" or "max_tokens" or "model_length" => ChatFinishReason.Length,
        "tool_calls" or "tool_use" or "function_call" => ChatFinishReason.ToolCalls,
        "content_filter" or "safety" or "recitation" or "content_filtered" or "guardrail_intervened" or "blocklist" or "prohibited_content" => ChatFinishReason.ContentFilter,
        _ => new ChatFinishReason(reason),
    };

    public static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    /// <summary>
    /// Structured output done by forcing a tool (Anthropic, Bedrock): the tool's input is the answer, so
    /// the forced call is turned back into the JSON text a caller asked for.
    /// </summary>
    public static void UnwrapStructuredOutput(ChatMessage message)
    {
        for (var i = 0; i < message.Contents.Count; i++)
            if (message.Contents[i] is FunctionCallContent { Name: StructuredOutputTool } fc)
                message.Contents[i] = new TextContent(ArgumentsJson(fc.Arguments));
    }
}
