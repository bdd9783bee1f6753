namespace Axon.Runtime.Providers;

/// <summary>Which sampling parameters a model accepts.</summary>
public enum SamplingSupport
{
    /// <summary><c>temperature</c> and <c>top_p</c>, together.</summary>
    TemperatureAndTopP,
    /// <summary>One of them per request (Claude 4.5 family: both together is a 400); temperature wins.</summary>
    TemperatureOrTopP,
    /// <summary>Neither (reasoning models; Claude models after Opus 4.6; Gemini 3): the prompt carries the mode.</summary>
    None,
}

/// <summary>How the model is asked for a JSON answer that follows a schema.</summary>
public enum StructuredOutputMode
{
    /// <summary>The API's own schema field (OpenAI <c>response_format</c>, Anthropic <c>output_config.format</c>, Gemini <c>responseSchema</c>, Ollama <c>format</c>).</summary>
    NativeSchema,
    /// <summary>JSON mode without a schema (<c>response_format: json_object</c>); the schema stays in the prompt.</summary>
    JsonMode,
    /// <summary>A forced tool call whose input is the answer.</summary>
    ForcedTool,
    /// <summary>Nothing on the wire; the output contract in the prompt is all the model gets.</summary>
    PromptOnly,
}

/// <summary>The model's native reasoning control, which a run's <c>effort</c> maps to.</summary>
public enum ReasoningControl
{
    /// <summary>None: <c>effort</c> stays a prompt hint.</summary>
    None,
    /// <summary>OpenAI <c>reasoning_effort</c> (low, medium, high, xhigh).</summary>
    OpenAIReasoningEffort,
    /// <summary>Anthropic extended thinking with <c>budget_tokens</c> (at least 1024, below <c>max_tokens</c>).</summary>
    AnthropicThinkingBudget,
    /// <summary>Anthropic adaptive thinking with <c>output_config.effort</c> (low, medium, high, max).</summary>
    AnthropicEffort,
    /// <summary>Gemini 2.5 <c>thinkingConfig.thinkingBudget</c>.</summary>
    GeminiThinkingBudget,
    /// <summary>Gemini 3 <c>thinkingConfig.thinkingLevel</c>.</summary>
    GeminiThinkingLevel,
}

/// <summary>What one model family accepts; request builders follow it and drop what it would reject.</summary>
/// <param name="Family">A model id prefix (<c>gpt-5</c>, <c>claude-sonnet-4-5</c>); the longest matching prefix wins.</param>
/// <param name="Sampling">Which sampling parameters it accepts.</param>
/// <param name="UsesMaxCompletionTokens">OpenAI wire: <c>max_completion_tokens</c> (true) or the deprecated <c>max_tokens</c> (compatible servers).</param>
/// <param name="StructuredOutput">How a schema is requested.</param>
/// <param name="Tools">Whether it takes tool declarations.</param>
/// <param name="Reasoning">Its native reasoning control.</param>
/// <param name="MinCacheTokens">Shortest prefix (tokens) the provider caches; 0 when the API has no explicit cache breakpoints.</param>
public sealed record ModelProfile(string Family, SamplingSupport Sampling, bool UsesMaxCompletionTokens, StructuredOutputMode StructuredOutput,
    bool Tools, ReasoningControl Reasoning, int MinCacheTokens = 0);

/// <summary>
/// The model capability table, in one place: per provider and model family, the sampling parameters, the
/// token-limit field, the structured-output mode, tools and the reasoning control. Facts come from the
/// providers' own descriptions (OpenAI's OpenAPI document, the Anthropic SDK's request types, Google's
/// generativelanguage v1beta protos, the Bedrock Converse documentation), read on 2026-12-01.
/// </summary>
public static class ModelCapabilities
{
    private const SamplingSupport Both = SamplingSupport.TemperatureAndTopP;
    private const SamplingSupport OneOf = SamplingSupport.TemperatureOrTopP;
    private const SamplingSupport NoSampling = SamplingSupport.None;

    // OpenAI chat completions (openai, azure-openai by deployment model name, custom by model name).
    private static readonly ModelProfile[] OpenAI =
    [
        new("", Both, true, StructuredOutputMode.NativeSchema, true, ReasoningControl.None),
        // Reasoning models reject temperature/top_p and max_tokens (spec: max_tokens is deprecated, not compatible with o-series).
        new("gpt-5", NoSampling, true, StructuredOutputMode.NativeSchema, true, ReasoningControl.OpenAIReasoningEffort),
        new("gpt-5-chat", Both, true, StructuredOutputMode.NativeSchema, true, ReasoningControl.None),
        new("o1", NoSampling, true, StructuredOutputMode.NativeSchema, true, ReasoningControl.OpenAIReasoningEffort),
        new("o3", NoSampling, true, StructuredOutputMode.NativeSchema, true, ReasoningControl.OpenAIReasoningEffort),
        new("o4", NoSampling, true, StructuredOutputMode.NativeSchema, true, ReasoningControl.OpenAIReasoningEffort),
        new("gpt-4.1", Both, true, StructuredOutputMode.NativeSchema, true, ReasoningControl.None),
        new("gpt-4o", Both, true, StructuredOutputMode.NativeSchema, true, ReasoningControl.None),
        // Before Structured Outputs: a json_schema response_format is a 400; JSON mode and the prompt carry the schema.
        new("gpt-4-turbo", Both, true, StructuredOutputMode.JsonMode, true, ReasoningControl.None),
        new("gpt-4-0", Both, true, StructuredOutputMode.JsonMode, true, ReasoningControl.None),
        new("gpt-4-1106", Both, true, StructuredOutputMode.JsonMode, true, ReasoningControl.None),
        new("gpt-3.5", Both, true, StructuredOutputMode.JsonMode, true, ReasoningControl.None),
    ];

    // Anthropic Messages. The SDK documents that models released after Claude Opus 4.6 reject temperature
    // other than 1.0 and top_p below 0.99; the Claude 4.5 family rejects both together.
    private static readonly ModelProfile[] Anthropic =
    [
        new("", NoSampling, false, StructuredOutputMode.NativeSchema, true, ReasoningControl.AnthropicEffort, 1024),
        new("claude-sonnet-4-5", OneOf, false, StructuredOutputMode.NativeSchema, true, ReasoningControl.AnthropicThinkingBudget, 1024),
        new("claude-haiku-4-5", OneOf, false, StructuredOutputMode.NativeSchema, true, ReasoningControl.AnthropicThinkingBudget, 4096),
        new("claude-opus-4-5", OneOf, false, StructuredOutputMode.NativeSchema, true, ReasoningControl.AnthropicThinkingBudget, 4096),
        new("claude-opus-4-6", OneOf, false, StructuredOutputMode.NativeSchema, true, ReasoningControl.AnthropicEffort, 4096),
        new("claude-opus-4-1", OneOf, false, StructuredOutputMode.ForcedTool, true, ReasoningControl.AnthropicThinkingBudget, 1024),
        new("claude-opus-4-2", Both, false, StructuredOutputMode.ForcedTool, true, ReasoningControl.AnthropicThinkingBudget, 1024),
        new("claude-sonnet-4-2", Both, false, StructuredOutputMode.ForcedTool, true, ReasoningControl.AnthropicThinkingBudget, 1024),
        new("claude-3-7", Both, false, StructuredOutputMode.ForcedTool, true, ReasoningControl.AnthropicThinkingBudget, 1024),
        new("claude-3", Both, false, StructuredOutputMode.ForcedTool, true, ReasoningControl.None, 2048),
    ];

    // Gemini generateContent. Gemini 3 takes thinkingLevel and its guide asks to leave sampling at its defaults.
    private static readonly ModelProfile[] Gemini =
    [
        new("", NoSampling, false, StructuredOutputMode.NativeSchema, true, ReasoningControl.GeminiThinkingLevel),
        new("gemini-2.5", Both, false, StructuredOutputMode.NativeSchema, true, ReasoningControl.GeminiThinkingBudget),
        new("gemini-2.0", Both, false, StructuredOutputMode.NativeSchema, true, ReasoningControl.None),
        new("gemini-1.5", Both, false, StructuredOutputMode.NativeSchema, true, ReasoningControl.None),
    ];

    private static readonly ModelProfile[] Ollama =
    [
        new("", Both, false, StructuredOutputMode.NativeSchema, true, ReasoningControl.None),
    ];

    // Bedrock Converse: toolChoice.tool (our forced structured output) is supported only by Anthropic Claude 3+
    // and Amazon Nova; other models get the schema in the prompt. Claude sampling rules are Anthropic's.
    private static readonly ModelProfile[] Bedrock =
    [
        new("", Both, false, StructuredOutputMode.PromptOnly, true, ReasoningControl.None),
        new("amazon.nova", Both, false, StructuredOutputMode.ForcedTool, true, ReasoningControl.None, 1000),
        new("anthropic.", NoSampling, false, StructuredOutputMode.ForcedTool, true, ReasoningControl.None, 1024),
        new("anthropic.claude-sonnet-4-5", OneOf, false, StructuredOutputMode.ForcedTool, true, ReasoningControl.None, 1024),
        new("anthropic.claude-haiku-4-5", OneOf, false, StructuredOutputMode.ForcedTool, true, ReasoningControl.None, 4096),
        new("anthropic.claude-opus-4-5", OneOf, false, StructuredOutputMode.ForcedTool, true, ReasoningControl.None, 4096),
        new("anthropic.claude-opus-4-6", OneOf, false, StructuredOutputMode.ForcedTool, true, ReasoningControl.None, 4096),
        new("anthropic.claude-3", Both, false, StructuredOutputMode.ForcedTool, true, ReasoningControl.None, 1024),
        new("anthropic.claude-sonnet-4-2", Both, false, StructuredOutputMode.ForcedTool, true, ReasoningControl.None, 1024),
    ];

    // Custom OpenAI-compatible servers (vLLM, LM Studio, llama.cpp…) mostly still read max_tokens.
    private static readonly ModelProfile CustomDefault = new("", Both, false, StructuredOutputMode.NativeSchema, true, ReasoningControl.None);

    /// <summary>
    /// Models their providers have retired or that cannot take what we send (no Structured Outputs); none may be a
    /// default. Sources: Anthropic's model list (SDK <c>Model</c> type), Google's deprecations page, the OpenAI spec.
    /// </summary>
    public static IReadOnlyList<string> RetiredModels { get; } =
    [
        "claude-3-5-sonnet-20241022", "claude-3-5-sonnet-20240620", "claude-3-5-haiku-20241022", "claude-3-opus-20240229",
        "claude-3-sonnet-20240229", "claude-3-7-sonnet-20250219", "claude-sonnet-4-20250514", "claude-opus-4-20250514",
        "gemini-1.5-pro", "gemini-1.5-flash", "gemini-2.0-flash", "gemini-2.0-flash-lite", "gemini-2.5-pro", "gemini-2.5-flash",
        "gpt-4-turbo-preview", "gpt-4-vision-preview", "gpt-3.5-turbo",
        "anthropic.claude-3-5-sonnet-20241022-v2:0", "anthropic.claude-3-5-sonnet-20240620-v1:0",
    ];

    /// <summary>The profile of <paramref name="model"/> on <paramref name="provider"/> (the backend name).</summary>
    public static ModelProfile For(string provider, string? model)
    {
        var m = (model ?? "").ToLowerInvariant();
        var table = provider switch
        {
            AxonBackends.Anthropic => Anthropic,
            AxonBackends.Gemini => Gemini,
            AxonBackends.Ollama => Ollama,
            AxonBackends.Bedrock => Bedrock,
            _ => OpenAI,
        };
        if (provider == AxonBackends.Bedrock)
            m = WithoutInferenceProfilePrefix(m);
        if (provider == AxonBackends.Gemini && m.StartsWith("models/", StringComparison.Ordinal))
            m = m["models/".Length..];
        ModelProfile? best = null;
        foreach (var p in table)
            if (m.StartsWith(p.Family, StringComparison.Ordinal) && (best is null || p.Family.Length > best.Family.Length))
                best = p;
        if (provider == AxonBackends.Custom && (best is null || best.Family.Length == 0))
            return CustomDefault;
        return best ?? table[0];
    }

    // Cross-region inference profiles prefix the model id with a geography: us., eu., apac., global., …
    private static string WithoutInferenceProfilePrefix(string model)
    {
        var dot = model.IndexOf('.');
        if (dot > 0 && dot < model.Length - 1)
        {
            var rest = model[(dot + 1)..];
            if (rest.StartsWith("anthropic.", StringComparison.Ordinal) || rest.StartsWith("amazon.", StringComparison.Ordinal)
                || rest.StartsWith("meta.", StringComparison.Ordinal) || rest.StartsWith("mistral.", StringComparison.Ordinal)
                || rest.StartsWith("deepseek.", StringComparison.Ordinal))
                return rest;
        }
        return model;
    }
}

/// <summary>Keys of response properties set by the provider clients.</summary>
public static class RequestAdjustmentsKey
{
    /// <summary>
    /// <see cref="Microsoft.Extensions.AI.ChatResponse.AdditionalProperties"/> key of what the model's profile left out
    /// of the request (<c>sampling params dropped: temperature, top_p (model rejects)</c>); recorded on the step's trace.
    /// </summary>
    public const string Value = "axon.request_notes";
}

/// <summary>Keys by which the executor tells provider clients about prompt caching.</summary>
public static class PromptCacheKey
{
    /// <summary>
    /// <see cref="Microsoft.Extensions.AI.AIContent.AdditionalProperties"/> key, set to <c>true</c> on the text content
    /// that ends a prefix several calls of a run send byte for byte (the system prompt, then an output contract more
    /// than one step states). Clients that take explicit breakpoints put one after it (Anthropic <c>cache_control</c>,
    /// Bedrock <c>cachePoint</c>) when the prefix is long enough for the model; others cache prefixes implicitly.
    /// </summary>
    public const string SharedPrefixEnd = "axon.shared_prefix_end";
}

/// <summary>What a request builder left out or changed because of the model's profile; reported on the step's trace.</summary>
internal sealed class RequestAdjustments
{
    private List<string>? _notes;

    public void Dropped(string what, string why) => (_notes ??= []).Add($"{what} dropped ({why})");

    public void Note(string text) => (_notes ??= []).Add(text);

    public bool Any => _notes is { Count: > 0 };

    public override string ToString() => _notes is null ? "" : string.Join("; ", _notes);

    /// <summary>The key under which a response carries the notes (<see cref="Microsoft.Extensions.AI.ChatResponse.AdditionalProperties"/>).</summary>
    public const string PropertyKey = RequestAdjustmentsKey.Value;
}
