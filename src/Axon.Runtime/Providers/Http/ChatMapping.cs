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

    public static UsageDetails? Usage(long? input, long? output, long? total = null, long? cached = null, long? reasoning = null, long? cacheWrite = null)
    {
        if (input is null && output is null)
            return null;
        var usage = new UsageDetails
        {
            InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = total ?? (input ?? 0) + (output ?? 0),
            CachedInputTokenCount = cached is > 0 ? cached : null, ReasoningTokenCount = reasoning is > 0 ? reasoning : null,
        };
        if (cacheWrite is > 0)
            usage.AdditionalCounts = new AdditionalPropertiesDictionary<long> { [CacheWriteCount] = cacheWrite.Value };
        return usage;
    }

    /// <summary>The <see cref="UsageDetails.AdditionalCounts"/> key of input tokens written to a provider's prompt cache (billed above the input rate).</summary>
    public const string CacheWriteCount = ModelPrice.CacheWriteCountKey;

    /// <summary>A run's <c>effort</c> (low, medium, high, max) from <see cref="ChatOptions.Reasoning"/> or the <c>effort</c> property the runtime sets.</summary>
    public static string? Effort(ChatOptions? options)
    {
        if (options?.Reasoning?.Effort is { } e)
            return e switch
            {
                ReasoningEffort.Low => "low",
                ReasoningEffort.Medium => "medium",
                ReasoningEffort.High => "high",
                ReasoningEffort.ExtraHigh => "max",
                _ => null,
            };
        return options?.AdditionalProperties?.TryGetValue("effort", out var v) == true && v is string s
            && s.ToLowerInvariant() is "low" or "medium" or "high" or "max" ? s.ToLowerInvariant() : null;
    }

    /// <summary>
    /// The sampling values the model's profile lets through; what it would reject is dropped and noted
    /// (the prompt still carries the epistemic mode).
    /// </summary>
    public static (float? Temperature, float? TopP) Sampling(ChatOptions? options, SamplingSupport support, RequestAdjustments notes, bool reasoningOn = false)
    {
        var t = options?.Temperature;
        var p = options?.TopP;
        if (t is null && p is null)
            return (null, null);
        if (support == SamplingSupport.None || reasoningOn)
        {
            var names = string.Join(", ", new[] { t is null ? null : "temperature", p is null ? null : "top_p" }.Where(n => n is not null));
            notes.Note($"sampling params dropped: {names} ({(reasoningOn ? "model rejects them while reasoning" : "model rejects")})");
            return (null, null);
        }
        if (support == SamplingSupport.TemperatureOrTopP && t is not null && p is not null)
        {
            notes.Note("sampling params dropped: top_p (model rejects temperature and top_p together)");
            return (t, null);
        }
        return (t, p);
    }

    /// <summary>Tool-call arguments as sent by the model; invalid JSON is kept as the call's <see cref="FunctionCallContent.Exception"/>, not thrown.</summary>
    public static FunctionCallContent Call(string callId, string name, string? argumentsJson)
    {
        try
        {
            return new FunctionCallContent(callId, name, ParseArguments(argumentsJson));
        }
        catch (JsonException e)
        {
            // A model-output problem (the OpenAI spec warns models may emit invalid JSON): the caller sees it, nothing is retried.
            return new FunctionCallContent(callId, name, new Dictionary<string, object?>())
            {
                Exception = new InvalidDataException($"The model sent arguments for '{name}' that are not valid JSON: {e.Message}", e),
                RawRepresentation = argumentsJson,
            };
        }
    }

    /// <summary>
    /// The text of a forced structured-output call: its input as sent. Invalid JSON stays as it is, so the step's
    /// validation rejects it and refine asks again (a model-output problem, not a transient failure).
    /// </summary>
    public static string StructuredText(string argumentsJson)
    {
        try
        {
            return ArgumentsJson(ParseArguments(argumentsJson));
        }
        catch (JsonException)
        {
            return argumentsJson;
        }
    }

    /// <summary>Reasoning token budget for an effort level (Anthropic <c>budget_tokens</c>, Gemini 2.5 <c>thinkingBudget</c>).</summary>
    public static int ThinkingBudget(string effort) => effort switch
    {
        "low" => 1024,
        "medium" => 4096,
        "high" => 16384,
        _ => 24576,
    };

    /// <summary>A rough token count (4 characters a token) to decide whether a prefix is long enough to cache.</summary>
    public static int EstimateTokens(string? text) => (text?.Length ?? 0) / 4;

    /// <summary>Whether the executor marked this text as the end of a prefix several calls of a run share (<see cref="PromptCacheKey"/>).</summary>
    public static bool EndsSharedPrefix(AIContent content) =>
        content.AdditionalProperties?.TryGetValue(PromptCacheKey.SharedPrefixEnd, out var v) == true && v is true;

    /// <summary>Puts the profile's request notes on a response, for the step's trace.</summary>
    public static void Attach(ChatResponse response, RequestAdjustments notes)
    {
        if (notes.Any)
            (response.AdditionalProperties ??= [])[RequestAdjustments.PropertyKey] = notes.ToString();
    }

    /// <summary>Puts the profile's request notes on a streamed update.</summary>
    public static void Attach(ChatResponseUpdate update, RequestAdjustments notes)
    {
        if (notes.Any)
            (update.AdditionalProperties ??= [])[RequestAdjustments.PropertyKey] = notes.ToString();
    }

    public static ChatFinishReason? FinishReason(string? reason) => reason?.ToLowerInvariant() switch
    {
        null or "" => null,
        "stop" or "end_turn" or "stop_sequence" or "complete" => ChatFinishReason.Stop,
        "length" or "max_tokens" or "model_length" => ChatFinishReason.Length,
        "tool_calls" or "tool_use" or "function_call" => ChatFinishReason.ToolCalls,
        "content_filter" or "safety" or "recitation" or "content_filtered" or "guardrail_intervened" or "blocklist" or "prohibited_content"
            or "spii" or "refusal" or "image_safety" => ChatFinishReason.ContentFilter,
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
