using System.Text;
using System.Text.Json;
using Axon.Runtime.Providers.Http;

namespace Axon.Runtime.Tests.Providers.Emulators;

/// <summary>
/// Bedrock Converse: <c>POST /model/{modelId}/converse</c> and <c>/converse-stream</c> (AWS event-stream
/// binary frames), authorized by a Bedrock API key as <c>Authorization: Bearer</c>.
/// </summary>
public sealed class BedrockEmulator : ProviderEmulator
{
    public const string ModelId = "global.anthropic.claude-sonnet-4-5-20250929-v1:0";

    public override string Backend => "bedrock";

    public override Dictionary<string, string?> Environment() =>
        new() { ["AWS_BEARER_TOKEN_BEDROCK"] = ApiKey, ["BEDROCK_BASE_URL"] = Server.BaseUrl };

    protected override string StreamContentType => "application/vnd.amazon.eventstream";

    protected override bool IsStreaming(RecordedRequest request) => request.Path.EndsWith("/converse-stream", StringComparison.Ordinal);

    protected override void Check(RecordedRequest r, bool streaming, Scenario scenario, List<string> problems)
    {
        var body = r.Json();
        var action = streaming ? "converse-stream" : "converse";
        Expect(problems, Uri.UnescapeDataString(r.Path) == $"/model/{ModelId}/{action}", $"path {r.Path}");
        Expect(problems, r.Path.Contains("%3A", StringComparison.OrdinalIgnoreCase), "the model id's ':' must be percent-encoded in the path");
        Expect(problems, r.Header("authorization") == "Bearer " + ApiKey, "authorization: Bearer <Bedrock API key>");
        Expect(problems, body.GetProperty("system")[0].GetProperty("text").GetString() == SystemPrompt, "system[0].text");
        var messages = body.GetProperty("messages");
        Expect(problems, messages.GetArrayLength() == (scenario == Scenario.ToolResult ? 3 : 1) && messages[0].GetProperty("role").GetString() == "user"
                         && TextOf(messages[0].GetProperty("content")) == UserPrompt, "messages: one user message");
        var config = body.GetProperty("inferenceConfig");
        // Claude Sonnet 4.5 rejects temperature and top_p together.
        Expect(problems, config.GetProperty("maxTokens").GetInt32() == 256 && Near(config.GetProperty("temperature"), 0.2)
                         && !Has(config, "topP", out _), "inferenceConfig maxTokens/temperature without topP");
        foreach (var block in body.GetProperty("system").EnumerateArray())
            Expect(problems, block.EnumerateObject().Count() == 1 && (Has(block, "text", out _)
                             || Has(block, "cachePoint", out var cp) && cp.GetProperty("type").GetString() == "default"),
                "SystemContentBlock is a union: exactly one of text, cachePoint {type: default}");
        foreach (var m in messages.EnumerateArray())
            foreach (var block in m.GetProperty("content").EnumerateArray())
                Expect(problems, block.EnumerateObject().Count() == 1 && (Has(block, "text", out _) || Has(block, "toolUse", out _) || Has(block, "toolResult", out _)
                                 || Has(block, "cachePoint", out var mcp) && mcp.GetProperty("type").GetString() == "default"),
                    "ContentBlock is a union: exactly one of text, toolUse, toolResult, cachePoint {type: default}");
        if (scenario == Scenario.Structured)
        {
            var tc = body.GetProperty("toolConfig");
            var ok = tc.GetProperty("tools").EnumerateArray().Any(t => t.GetProperty("toolSpec").GetProperty("name").GetString() == "structured_output"
                         && t.GetProperty("toolSpec").GetProperty("inputSchema").GetProperty("json").GetProperty("properties").TryGetProperty("city", out _))
                     && tc.GetProperty("toolChoice").GetProperty("tool").GetProperty("name").GetString() == "structured_output";
            Expect(problems, ok, "structured output as a forced tool (toolConfig.tools + toolChoice.tool)");
        }
        if (scenario == Scenario.ToolResult)
        {
            var use = messages[1].GetProperty("content")[0].GetProperty("toolUse");
            Expect(problems, messages[1].GetProperty("role").GetString() == "assistant" && use.GetProperty("toolUseId").GetString() == "call_1"
                             && use.GetProperty("name").GetString() == ToolName && use.GetProperty("input").GetProperty("city").GetString() == "Paris",
                "messages[1]: assistant toolUse");
            var result = messages[2].GetProperty("content")[0].GetProperty("toolResult");
            Expect(problems, messages[2].GetProperty("role").GetString() == "user" && result.GetProperty("toolUseId").GetString() == "call_1"
                             && result.GetProperty("content")[0].GetProperty("json").GetProperty("temp_c").GetInt32() == 21, "messages[2]: user toolResult json");
        }
        if (scenario is Scenario.ToolCall or Scenario.StreamToolCall)
        {
            var ok = body.GetProperty("toolConfig").GetProperty("tools").EnumerateArray()
                .Any(t => t.GetProperty("toolSpec").GetProperty("name").GetString() == ToolName);
            Expect(problems, ok, "toolConfig.tools with get_weather");
        }
    }

    private static object Usage => new { inputTokens = InputTokens, outputTokens = OutputTokens, totalTokens = InputTokens + OutputTokens };

    private static string Converse(object content, string stopReason) => Json(new
    {
        output = new { message = new { role = "assistant", content = new[] { content } } },
        stopReason,
        usage = Usage,
        metrics = new { latencyMs = 412 },
    });

    protected override string PlainBody() => Converse(new { text = PlainText }, "end_turn");

    protected override string StructuredBody() =>
        Converse(new { toolUse = new { toolUseId = "tooluse_1", name = "structured_output", input = JsonDocument.Parse(StructuredJson).RootElement } }, "tool_use");

    protected override string ToolCallBody() =>
        Converse(new { toolUse = new { toolUseId = "tooluse_2", name = ToolName, input = new { city = "Paris" } } }, "tool_use");

    public static byte[] Frame(string eventType, string json) => AwsEventStream.Encode(
        new Dictionary<string, string> { [":event-type"] = eventType, [":content-type"] = "application/json", [":message-type"] = "event" },
        Encoding.UTF8.GetBytes(json));

    protected override IReadOnlyList<byte[]> StreamChunks(bool withEnd)
    {
        var frames = new List<byte[]> { Frame("messageStart", """{"role":"assistant"}""") };
        frames.AddRange(StreamPieces.Select(p => Frame("contentBlockDelta", Json(new { contentBlockIndex = 0, delta = new { text = p } }))));
        if (withEnd)
        {
            frames.Add(Frame("contentBlockStop", """{"contentBlockIndex":0}"""));
            frames.Add(Frame("messageStop", """{"stopReason":"end_turn"}"""));
            frames.Add(Frame("metadata", Json(new { usage = Usage, metrics = new { latencyMs = 412 } })));
        }
        return frames;
    }

    protected override IReadOnlyList<byte[]> StreamToolCallChunks() =>
    [
        Frame("messageStart", """{"role":"assistant"}"""),
        Frame("contentBlockStart", Json(new { contentBlockIndex = 0, start = new { toolUse = new { toolUseId = "tooluse_3", name = ToolName } } })),
        Frame("contentBlockDelta", Json(new { contentBlockIndex = 0, delta = new { toolUse = new { input = "{\"city\":" } } })),
        Frame("contentBlockDelta", Json(new { contentBlockIndex = 0, delta = new { toolUse = new { input = "\"Paris\"}" } } })),
        Frame("contentBlockStop", """{"contentBlockIndex":0}"""),
        Frame("messageStop", """{"stopReason":"tool_use"}"""),
        Frame("metadata", Json(new { usage = Usage, metrics = new { latencyMs = 412 } })),
    ];

    protected override string ErrorBody(int status, string message) => Json(new { message });

    protected override (string, string)[] ErrorHeaders(int status) => status switch
    {
        400 => [("x-amzn-ErrorType", "ValidationException")],
        401 or 403 => [("x-amzn-ErrorType", "AccessDeniedException")],
        429 => [("x-amzn-ErrorType", "ThrottlingException")],
        _ => [("x-amzn-ErrorType", "InternalServerException")],
    };
}
