using System.Text.Json;

namespace Axon.Runtime.Tests.Providers.Emulators;

/// <summary>Anthropic Messages API: <c>POST /v1/messages</c>, <c>x-api-key</c>, <c>anthropic-version</c>, SSE events.</summary>
public sealed class AnthropicEmulator : ProviderEmulator
{
    public override string Backend => "anthropic";

    public override Dictionary<string, string?> Environment() => new() { ["ANTHROPIC_API_KEY"] = ApiKey, ["ANTHROPIC_BASE_URL"] = Server.BaseUrl };

    protected override bool IsStreaming(RecordedRequest request) =>
        request.Json().TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;

    protected override void Check(RecordedRequest r, bool streaming, Scenario scenario, List<string> problems)
    {
        var body = r.Json();
        Expect(problems, r.Path == "/v1/messages", $"path {r.Path}");
        Expect(problems, r.Header("x-api-key") == ApiKey, "x-api-key header");
        Expect(problems, r.Header("authorization") is null, "no authorization header (the key goes in x-api-key)");
        Expect(problems, r.Header("anthropic-version") == "2023-06-01", "anthropic-version: 2023-06-01");
        Expect(problems, body.GetProperty("model").GetString() == Model, "model");
        Expect(problems, body.GetProperty("max_tokens").GetInt32() == 256, "max_tokens 256");
        // SDK Model type / MessageCreateParams: only these top-level fields exist.
        foreach (var p in body.EnumerateObject())
            Expect(problems, KnownFields.Contains(p.Name), $"unknown request field {p.Name}");
        if (Has(body, "system", out var sys) && sys.ValueKind == JsonValueKind.Array)
            foreach (var block in sys.EnumerateArray())
                Expect(problems, block.GetProperty("type").GetString() == "text"
                                 && (!Has(block, "cache_control", out var cc) || cc.GetProperty("type").GetString() == "ephemeral"),
                    "system blocks: {type: text, text, cache_control?: {type: ephemeral}}");
        Expect(problems, TextOf(body.GetProperty("system")) == SystemPrompt, "system prompt in top-level system");
        var messages = body.GetProperty("messages");
        Expect(problems, messages.GetArrayLength() == (scenario == Scenario.ToolResult ? 3 : 1) && messages[0].GetProperty("role").GetString() == "user"
                         && TextOf(messages[0].GetProperty("content")) == UserPrompt, "messages: one user message (no system role)");
        // SDK: models released after Claude Opus 4.6 reject temperature other than 1.0 and top_p below 0.99;
        // the Claude 4.5 family rejects the two together.
        if (SamplingRejected)
            Expect(problems, !Has(body, "temperature", out _) && !Has(body, "top_p", out _), "no temperature/top_p for " + Model);
        else
            Expect(problems, Has(body, "temperature", out var t) && Near(t, 0.2) && !Has(body, "top_p", out _), "temperature 0.2 without top_p for " + Model);
        if (Has(body, "thinking", out var thinking))
        {
            var type = thinking.GetProperty("type").GetString();
            Expect(problems, type is "adaptive" or "disabled" || type == "enabled" && thinking.GetProperty("budget_tokens").GetInt32() >= 1024
                             && thinking.GetProperty("budget_tokens").GetInt32() < body.GetProperty("max_tokens").GetInt32(),
                "thinking: enabled with 1024 <= budget_tokens < max_tokens, or adaptive");
            Expect(problems, !Has(body, "tool_choice", out var forced) || forced.GetProperty("type").GetString() is "auto" or "none",
                "thinking cannot be combined with a forced tool_choice");
        }
        if (Has(body, "output_config", out var oc) && Has(oc, "effort", out var effort))
            Expect(problems, effort.GetString() is "low" or "medium" or "high" or "xhigh" or "max", "output_config.effort low|medium|high|xhigh|max");
        if (scenario == Scenario.Structured)
        {
            var ok = Has(body, "output_config", out var config) && config.GetProperty("format").GetProperty("type").GetString() == "json_schema"
                     && config.GetProperty("format").GetProperty("schema").GetProperty("properties").TryGetProperty("city", out _)
                     && !Has(body, "tool_choice", out _);
            Expect(problems, ok, "structured output as output_config.format {type: json_schema, schema}");
            if (ok)
                CheckStrict(body.GetProperty("output_config").GetProperty("format").GetProperty("schema"), problems);
        }
        if (scenario == Scenario.ToolResult)
        {
            var use = messages[1].GetProperty("content")[0];
            Expect(problems, messages[1].GetProperty("role").GetString() == "assistant" && use.GetProperty("type").GetString() == "tool_use"
                             && use.GetProperty("id").GetString() == "call_1" && use.GetProperty("name").GetString() == ToolName
                             && use.GetProperty("input").GetProperty("city").GetString() == "Paris", "messages[1]: assistant tool_use block");
            var result = messages[2].GetProperty("content")[0];
            Expect(problems, messages[2].GetProperty("role").GetString() == "user" && result.GetProperty("type").GetString() == "tool_result"
                             && result.GetProperty("tool_use_id").GetString() == "call_1" && TextOf(result.GetProperty("content")).Contains("temp_c"),
                "messages[2]: user tool_result block");
        }
        if (scenario is Scenario.ToolCall or Scenario.StreamToolCall)
        {
            var ok = Has(body, "tools", out var tools) && tools.EnumerateArray().Any(x =>
                x.GetProperty("name").GetString() == ToolName && x.GetProperty("input_schema").GetProperty("properties").TryGetProperty("city", out _));
            Expect(problems, ok, "tools with get_weather input_schema");
        }
    }

    /// <summary>The model the client is expected to send (the default unless a test sets another).</summary>
    public string Model { get; set; } = "claude-sonnet-4-6";

    /// <summary>The dated version the answers name (an alias resolves to one).</summary>
    public const string AnsweringModel = "claude-sonnet-4-6-20260217";

    private bool SamplingRejected => !Model.StartsWith("claude-sonnet-4-5", StringComparison.Ordinal) && !Model.StartsWith("claude-haiku-4-5", StringComparison.Ordinal);

    private static readonly HashSet<string> KnownFields =
    [
        "model", "max_tokens", "messages", "system", "temperature", "top_p", "top_k", "stop_sequences", "stream", "tools", "tool_choice",
        "thinking", "output_config", "metadata", "service_tier", "container", "context_management", "mcp_servers", "inference_geo",
    ];

    // Structured outputs: objects must be closed; numeric and string-length constraints are not supported.
    private static readonly string[] Unsupported = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "pattern"];

    private static void CheckStrict(JsonElement schema, List<string> problems)
    {
        if (schema.ValueKind != JsonValueKind.Object)
            return;
        foreach (var key in Unsupported)
            Expect(problems, !schema.TryGetProperty(key, out _), $"output_config.format schema uses unsupported '{key}'");
        if (schema.TryGetProperty("type", out var type) && type.ToString().Contains("object", StringComparison.Ordinal))
            Expect(problems, schema.TryGetProperty("additionalProperties", out var ap) && ap.ValueKind == JsonValueKind.False,
                "output_config.format objects need additionalProperties: false");
        if (schema.TryGetProperty("properties", out var props))
            foreach (var p in props.EnumerateObject())
                CheckStrict(p.Value, problems);
        if (schema.TryGetProperty("items", out var items))
            CheckStrict(items, problems);
    }

    private static string Message(object[] content, string stopReason) => Json(new
    {
        id = "msg_01XFDUDYJgAACzvnptvVoYEL", type = "message", role = "assistant", model = AnsweringModel,
        content, stop_reason = stopReason, stop_sequence = (string?)null,
        usage = new { input_tokens = InputTokens, output_tokens = OutputTokens },
    });

    protected override string PlainBody() => Message([new { type = "text", text = PlainText }], "end_turn");

    protected override string StructuredBody() => Message([new { type = "text", text = StructuredJson }], "end_turn");

    protected override string ToolCallBody() =>
        Message([new { type = "tool_use", id = "toolu_02", name = ToolName, input = new { city = "Paris" } }], "tool_use");

    protected override IReadOnlyList<byte[]> StreamChunks(bool withEnd)
    {
        var chunks = new List<string>
        {
            Sse("message_start", Json(new
            {
                type = "message_start",
                message = new
                {
                    id = "msg_01XFDUDYJgAACzvnptvVoYEL", type = "message", role = "assistant", model = AnsweringModel,
                    content = Array.Empty<object>(), stop_reason = (string?)null, stop_sequence = (string?)null,
                    usage = new { input_tokens = InputTokens, output_tokens = 1 },
                },
            })),
            Sse("content_block_start", Json(new { type = "content_block_start", index = 0, content_block = new { type = "text", text = "" } })),
        };
        chunks.AddRange(StreamPieces.Select(piece =>
            Sse("content_block_delta", Json(new { type = "content_block_delta", index = 0, delta = new { type = "text_delta", text = piece } }))));
        if (withEnd)
        {
            chunks.Add(Sse("content_block_stop", Json(new { type = "content_block_stop", index = 0 })));
            chunks.Add(Sse("message_delta", Json(new
            {
                type = "message_delta", delta = new { stop_reason = "end_turn", stop_sequence = (string?)null }, usage = new { output_tokens = OutputTokens },
            })));
            chunks.Add(Sse("message_stop", Json(new { type = "message_stop" })));
        }
        return chunks.Select(Utf8).ToList();
    }

    protected override IReadOnlyList<byte[]> StreamToolCallChunks() => new[]
    {
        Sse("message_start", Json(new
        {
            type = "message_start",
            message = new
            {
                id = "msg_2", type = "message", role = "assistant", model = AnsweringModel, content = Array.Empty<object>(),
                stop_reason = (string?)null, stop_sequence = (string?)null, usage = new { input_tokens = InputTokens, output_tokens = 1 },
            },
        })),
        Sse("content_block_start", Json(new { type = "content_block_start", index = 0, content_block = new { type = "tool_use", id = "toolu_02", name = ToolName, input = new { } } })),
        Sse("ping", Json(new { type = "ping" })),
        Sse("content_block_delta", Json(new { type = "content_block_delta", index = 0, delta = new { type = "input_json_delta", partial_json = "{\"city\":" } })),
        Sse("content_block_delta", Json(new { type = "content_block_delta", index = 0, delta = new { type = "input_json_delta", partial_json = "\"Paris\"}" } })),
        Sse("content_block_stop", Json(new { type = "content_block_stop", index = 0 })),
        Sse("message_delta", Json(new { type = "message_delta", delta = new { stop_reason = "tool_use", stop_sequence = (string?)null }, usage = new { output_tokens = OutputTokens } })),
        Sse("message_stop", Json(new { type = "message_stop" })),
    }.Select(Utf8).ToList();

    protected override string ErrorBody(int status, string message)
    {
        var type = status switch
        {
            400 => "invalid_request_error", 401 => "authentication_error", 429 => "rate_limit_error", _ => "api_error",
        };
        return Json(new { type = "error", error = new { type, message } });
    }
}
