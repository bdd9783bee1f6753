using System.Text.Json;
using System.Text.Json.Serialization;

// Wire shapes of the providers we speak to over plain HttpClient. Property names come from the
// naming policy of the context that serializes them (snake_case: OpenAI, Ollama; camelCase: Gemini, Bedrock).
namespace Axon.Runtime.Providers.Http;

#region OpenAI chat completions (azure-openai, custom)

internal sealed class OaiRequest
{
    public string? Model { get; set; }
    public List<OaiMessage> Messages { get; set; } = [];
    public float? Temperature { get; set; }
    public float? TopP { get; set; }
    public int? MaxTokens { get; set; }
    public int? MaxCompletionTokens { get; set; }
    public string? ReasoningEffort { get; set; }
    public List<string>? Stop { get; set; }
    public OaiResponseFormat? ResponseFormat { get; set; }
    public List<OaiTool>? Tools { get; set; }
    public JsonElement? ToolChoice { get; set; }
    public bool? Stream { get; set; }
    public OaiStreamOptions? StreamOptions { get; set; }
}

internal sealed class OaiStreamOptions
{
    public bool IncludeUsage { get; set; }
}

internal sealed class OaiMessage
{
    public string? Role { get; set; }
    public string? Content { get; set; }
    public List<OaiToolCall>? ToolCalls { get; set; }
    public string? ToolCallId { get; set; }
}

internal sealed class OaiToolCall
{
    public int? Index { get; set; }
    public string? Id { get; set; }
    public string? Type { get; set; }
    public OaiFunctionCall? Function { get; set; }
}

internal sealed class OaiFunctionCall
{
    public string? Name { get; set; }
    public string? Arguments { get; set; }
}

internal sealed class OaiTool
{
    public string Type { get; set; } = "function";
    public OaiFunctionDefinition Function { get; set; } = new();
}

internal sealed class OaiFunctionDefinition
{
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public JsonElement? Parameters { get; set; }
}

internal sealed class OaiResponseFormat
{
    public string Type { get; set; } = "json_schema";
    public OaiJsonSchema? JsonSchema { get; set; }
}

internal sealed class OaiJsonSchema
{
    public string Name { get; set; } = "response";
    public string? Description { get; set; }
    public JsonElement Schema { get; set; }
    public bool? Strict { get; set; }
}

internal sealed class OaiResponse
{
    public string? Id { get; set; }
    public string? Model { get; set; }
    public List<OaiChoice>? Choices { get; set; }
    public OaiUsage? Usage { get; set; }
}

internal sealed class OaiChoice
{
    public int Index { get; set; }
    public OaiMessage? Message { get; set; }
    public OaiMessage? Delta { get; set; }
    public string? FinishReason { get; set; }
}

internal sealed class OaiUsage
{
    public long? PromptTokens { get; set; }
    public long? CompletionTokens { get; set; }
    public long? TotalTokens { get; set; }
    public OaiTokenDetails? PromptTokensDetails { get; set; }
    public OaiTokenDetails? CompletionTokensDetails { get; set; }
}

internal sealed class OaiTokenDetails
{
    public long? CachedTokens { get; set; }
    public long? ReasoningTokens { get; set; }
}

#endregion

#region Anthropic Messages

internal sealed class AnthropicRequest
{
    public string Model { get; set; } = "";
    public int MaxTokens { get; set; }
    public List<AnthropicBlock>? System { get; set; }
    public List<AnthropicMessage> Messages { get; set; } = [];
    public float? Temperature { get; set; }
    public float? TopP { get; set; }
    public List<string>? StopSequences { get; set; }
    public List<AnthropicTool>? Tools { get; set; }
    public AnthropicToolChoice? ToolChoice { get; set; }
    public AnthropicThinking? Thinking { get; set; }
    public AnthropicOutputConfig? OutputConfig { get; set; }
    public bool? Stream { get; set; }
}

internal sealed class AnthropicThinking
{
    public string Type { get; set; } = "enabled";
    public int? BudgetTokens { get; set; }
}

internal sealed class AnthropicOutputConfig
{
    public string? Effort { get; set; }
    public AnthropicOutputFormat? Format { get; set; }
}

internal sealed class AnthropicOutputFormat
{
    public string Type { get; set; } = "json_schema";
    public JsonElement Schema { get; set; }
}

internal sealed class AnthropicCacheControl
{
    public string Type { get; set; } = "ephemeral";
}

internal sealed class AnthropicMessage
{
    public string Role { get; set; } = "user";
    public List<AnthropicBlock> Content { get; set; } = [];
}

/// <summary>A content block, or (in streams) a block delta or message delta; members depend on <see cref="Type"/>.</summary>
internal sealed class AnthropicBlock
{
    public string? Type { get; set; }
    public string? Text { get; set; }
    public string? Id { get; set; }
    public string? Name { get; set; }
    public JsonElement? Input { get; set; }
    public string? ToolUseId { get; set; }
    public string? Content { get; set; }
    public bool? IsError { get; set; }
    public string? PartialJson { get; set; }
    public string? StopReason { get; set; }
    public AnthropicCacheControl? CacheControl { get; set; }
}

internal sealed class AnthropicTool
{
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public JsonElement InputSchema { get; set; }
}

internal sealed class AnthropicToolChoice
{
    public string Type { get; set; } = "auto";
    public string? Name { get; set; }
}

/// <summary>A message, or any streamed event (<c>type</c> says which members are set).</summary>
internal sealed class AnthropicResponse
{
    public string? Type { get; set; }
    public string? Id { get; set; }
    public string? Model { get; set; }
    public List<AnthropicBlock>? Content { get; set; }
    public string? StopReason { get; set; }
    public AnthropicUsage? Usage { get; set; }
    public AnthropicResponse? Message { get; set; }
    public int? Index { get; set; }
    public AnthropicBlock? ContentBlock { get; set; }
    public AnthropicBlock? Delta { get; set; }
    public AnthropicError? Error { get; set; }
}

internal sealed class AnthropicUsage
{
    public long? InputTokens { get; set; }
    public long? OutputTokens { get; set; }
    public long? CacheCreationInputTokens { get; set; }
    public long? CacheReadInputTokens { get; set; }
    public AnthropicOutputTokensDetails? OutputTokensDetails { get; set; }
}

internal sealed class AnthropicOutputTokensDetails
{
    public long? ThinkingTokens { get; set; }
}

internal sealed class AnthropicError
{
    public string? Type { get; set; }
    public string? Message { get; set; }
}

#endregion

#region Ollama /api/chat

internal sealed class OllamaRequest
{
    public string Model { get; set; } = "";
    public List<OllamaMessage> Messages { get; set; } = [];
    public bool Stream { get; set; }
    public JsonElement? Format { get; set; }
    public OllamaOptions? Options { get; set; }
    public List<OaiTool>? Tools { get; set; }
}

internal sealed class OllamaMessage
{
    public string Role { get; set; } = "user";
    public string Content { get; set; } = "";
    public List<OllamaToolCall>? ToolCalls { get; set; }
    public string? ToolName { get; set; }
}

internal sealed class OllamaToolCall
{
    public OllamaFunctionCall Function { get; set; } = new();
}

internal sealed class OllamaFunctionCall
{
    public string Name { get; set; } = "";
    public JsonElement? Arguments { get; set; }
}

internal sealed class OllamaOptions
{
    public float? Temperature { get; set; }
    public float? TopP { get; set; }
    public int? NumPredict { get; set; }
    public List<string>? Stop { get; set; }
}

internal sealed class OllamaResponse
{
    public string? Model { get; set; }
    public OllamaMessage? Message { get; set; }
    public bool Done { get; set; }
    public string? DoneReason { get; set; }
    public long? PromptEvalCount { get; set; }
    public long? EvalCount { get; set; }
    public string? Error { get; set; }
}

#endregion

#region Gemini generateContent

internal sealed class GeminiRequest
{
    public List<GeminiContent> Contents { get; set; } = [];
    public GeminiContent? SystemInstruction { get; set; }
    public GeminiGenerationConfig? GenerationConfig { get; set; }
    public List<GeminiTool>? Tools { get; set; }
    public GeminiToolConfig? ToolConfig { get; set; }
}

internal sealed class GeminiContent
{
    public string? Role { get; set; }
    public List<GeminiPart> Parts { get; set; } = [];
}

internal sealed class GeminiPart
{
    public string? Text { get; set; }
    public bool? Thought { get; set; }
    public GeminiFunctionCall? FunctionCall { get; set; }
    public GeminiFunctionResponse? FunctionResponse { get; set; }
}

internal sealed class GeminiFunctionCall
{
    public string? Id { get; set; }
    public string Name { get; set; } = "";
    public JsonElement? Args { get; set; }
}

internal sealed class GeminiFunctionResponse
{
    public string? Id { get; set; }
    public string Name { get; set; } = "";
    public JsonElement Response { get; set; }
}

internal sealed class GeminiGenerationConfig
{
    public float? Temperature { get; set; }
    public float? TopP { get; set; }
    public int? MaxOutputTokens { get; set; }
    public List<string>? StopSequences { get; set; }
    public string? ResponseMimeType { get; set; }
    public JsonElement? ResponseSchema { get; set; }
    public GeminiThinkingConfig? ThinkingConfig { get; set; }
}

internal sealed class GeminiThinkingConfig
{
    public int? ThinkingBudget { get; set; }
    public string? ThinkingLevel { get; set; }
}

internal sealed class GeminiTool
{
    public List<GeminiFunctionDeclaration> FunctionDeclarations { get; set; } = [];
}

internal sealed class GeminiFunctionDeclaration
{
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public JsonElement? Parameters { get; set; }
}

internal sealed class GeminiToolConfig
{
    public GeminiFunctionCallingConfig FunctionCallingConfig { get; set; } = new();
}

internal sealed class GeminiFunctionCallingConfig
{
    public string Mode { get; set; } = "AUTO";
    public List<string>? AllowedFunctionNames { get; set; }
}

internal sealed class GeminiResponse
{
    public List<GeminiCandidate>? Candidates { get; set; }
    public GeminiPromptFeedback? PromptFeedback { get; set; }
    public GeminiUsage? UsageMetadata { get; set; }
    public string? ModelVersion { get; set; }
    public string? ResponseId { get; set; }
}

internal sealed class GeminiCandidate
{
    public GeminiContent? Content { get; set; }
    public string? FinishReason { get; set; }
    public string? FinishMessage { get; set; }
}

internal sealed class GeminiPromptFeedback
{
    public string? BlockReason { get; set; }
}

internal sealed class GeminiUsage
{
    public long? PromptTokenCount { get; set; }
    public long? CachedContentTokenCount { get; set; }
    public long? CandidatesTokenCount { get; set; }
    public long? ThoughtsTokenCount { get; set; }
    public long? TotalTokenCount { get; set; }
}

#endregion

#region Bedrock Converse

internal sealed class BedrockRequest
{
    public List<BedrockMessage> Messages { get; set; } = [];
    public List<BedrockSystem>? System { get; set; }
    public BedrockInferenceConfig? InferenceConfig { get; set; }
    public BedrockToolConfig? ToolConfig { get; set; }
}

internal sealed class BedrockMessage
{
    public string Role { get; set; } = "user";
    public List<BedrockContent> Content { get; set; } = [];
}

internal sealed class BedrockContent
{
    public string? Text { get; set; }
    /// <summary>A cache point block (content blocks are a union: only this member is set).</summary>
    public BedrockCachePoint? CachePoint { get; set; }
    public BedrockToolUse? ToolUse { get; set; }
    public BedrockToolResult? ToolResult { get; set; }
}

internal sealed class BedrockToolUse
{
    public string ToolUseId { get; set; } = "";
    public string Name { get; set; } = "";
    public JsonElement Input { get; set; }
}

internal sealed class BedrockToolResult
{
    public string ToolUseId { get; set; } = "";
    public List<BedrockToolResultContent> Content { get; set; } = [];
}

internal sealed class BedrockToolResultContent
{
    public string? Text { get; set; }
    public JsonElement? Json { get; set; }
}

internal sealed class BedrockSystem
{
    public string? Text { get; set; }
    public BedrockCachePoint? CachePoint { get; set; }
}

internal sealed class BedrockCachePoint
{
    public string Type { get; set; } = "default";
}

internal sealed class BedrockInferenceConfig
{
    public int? MaxTokens { get; set; }
    public float? Temperature { get; set; }
    public float? TopP { get; set; }
    public List<string>? StopSequences { get; set; }
}

internal sealed class BedrockToolConfig
{
    public List<BedrockTool> Tools { get; set; } = [];
    public BedrockToolChoice? ToolChoice { get; set; }
}

internal sealed class BedrockTool
{
    public BedrockToolSpec ToolSpec { get; set; } = new();
}

internal sealed class BedrockToolSpec
{
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public BedrockInputSchema InputSchema { get; set; } = new();
}

internal sealed class BedrockInputSchema
{
    public JsonElement Json { get; set; }
}

internal sealed class BedrockToolChoice
{
    public BedrockEmpty? Auto { get; set; }
    public BedrockEmpty? Any { get; set; }
    public BedrockToolName? Tool { get; set; }
}

internal sealed class BedrockEmpty;

internal sealed class BedrockToolName
{
    public string Name { get; set; } = "";
}

internal sealed class BedrockResponse
{
    public BedrockOutput? Output { get; set; }
    public string? StopReason { get; set; }
    public BedrockUsage? Usage { get; set; }
}

internal sealed class BedrockOutput
{
    public BedrockMessage? Message { get; set; }
}

internal sealed class BedrockUsage
{
    public long? InputTokens { get; set; }
    public long? OutputTokens { get; set; }
    public long? TotalTokens { get; set; }
    public long? CacheReadInputTokens { get; set; }
    public long? CacheWriteInputTokens { get; set; }
}

/// <summary>The payload of any converse-stream event; which members are set depends on the event type.</summary>
internal sealed class BedrockStreamEvent
{
    public string? Role { get; set; }
    public int? ContentBlockIndex { get; set; }
    public BedrockBlockStart? Start { get; set; }
    public BedrockDelta? Delta { get; set; }
    public string? StopReason { get; set; }
    public BedrockUsage? Usage { get; set; }
    public string? Message { get; set; }
}

internal sealed class BedrockBlockStart
{
    public BedrockToolUseStart? ToolUse { get; set; }
}

internal sealed class BedrockToolUseStart
{
    public string ToolUseId { get; set; } = "";
    public string Name { get; set; } = "";
}

internal sealed class BedrockDelta
{
    public string? Text { get; set; }
    public BedrockToolUseDelta? ToolUse { get; set; }
}

internal sealed class BedrockToolUseDelta
{
    public string? Input { get; set; }
}

#endregion

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OaiRequest))]
[JsonSerializable(typeof(OaiResponse))]
[JsonSerializable(typeof(AnthropicRequest))]
[JsonSerializable(typeof(AnthropicResponse))]
[JsonSerializable(typeof(OllamaRequest))]
[JsonSerializable(typeof(OllamaResponse))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(Dictionary<string, JsonElement>))]
internal sealed partial class SnakeCaseJsonContext : JsonSerializerContext;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GeminiRequest))]
[JsonSerializable(typeof(GeminiResponse))]
[JsonSerializable(typeof(BedrockRequest))]
[JsonSerializable(typeof(BedrockResponse))]
[JsonSerializable(typeof(BedrockStreamEvent))]
internal sealed partial class CamelCaseJsonContext : JsonSerializerContext;

/// <summary>Shortcuts to the two source-generated contexts.</summary>
internal static class ProviderJson
{
    public static SnakeCaseJsonContext Snake => SnakeCaseJsonContext.Default;
    public static CamelCaseJsonContext Camel => CamelCaseJsonContext.Default;
}
