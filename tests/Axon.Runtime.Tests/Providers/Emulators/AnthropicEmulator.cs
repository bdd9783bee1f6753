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
        Expect(problems, body.GetProperty("model").GetString() == "claude-3-5-sonnet-20241022", "model");
        Expect(problems, body.GetProperty("max_tokens").GetInt32() == 256, "max_tokens 256");
        Expect(problems, TextOf(body.GetProperty("system")) == SystemPrompt, "system prompt in top-level system");
        var messages = body.GetProperty("messages");
        Expect(problems, messages.GetArrayLength() == (scenario == Scenario.ToolResult ? 3 : 1) && messages[0].GetProperty("role").GetString() == "user"
                         && TextOf(messages[0].GetProperty("content")) == UserPrompt, "messages: one user message (no system role)");
        Expect(problems, Has(body, "temperature", out var t) && Near(t, 0.2), "temperature 0.2");
        Expect(problems, Has(body, "top_p", out var p) && Near(p, 0.9), "top_p 0.9");
        if (scenario == Scenario.Structured)
        {
            var ok = Has(body, "tools", out var tools) && tools.EnumerateArray().Any(x =>
                         x.GetProperty("name").GetString() == "structured_output"
                         && x.GetProperty("input_schema").GetProperty("properties").TryGetProperty("city", out _))
                     && Has(body, "tool_choice", out var tc) && tc.GetProperty("type").GetString() == "tool"
                     && tc.GetProperty("name").GetString() == "structured_output";
            Expect(problems, ok, "structured output as forced tool use (tools + tool_choice {type: tool})");
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

    private static string Message(object[] content, string stopReason) => Json(new
    {
        id = "msg_01XFDUDYJgAACzvnptvVoYEL", type = "message", role = "assistant", model = "claude-3-5-sonnet-20241022",
        content, stop_reason = stopReason, stop_sequence = (string?)null,
        usage = new { input_tokens = InputTokens, output_tokens = OutputTokens },
    });

    protected override string PlainBody() => Message([new { type = "text", text = PlainText }], "end_turn");

    protected override string StructuredBody() =>
        Message([new { type = "tool_use", id = "toolu_01", name = "structured_output", input = JsonDocument.Parse(StructuredJson).RootElement }], "tool_use");

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
                    id = "msg_01XFDUDYJgAACzvnptvVoYEL", type = "message", role = "assistant", model = "claude-3-5-sonnet-20241022",
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
                id = "msg_2", type = "message", role = "assistant", model = "claude-3-5-sonnet-20241022", content = Array.Empty<object>(),
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
