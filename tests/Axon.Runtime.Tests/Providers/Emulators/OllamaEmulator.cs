using System.Text.Json;

namespace Axon.Runtime.Tests.Providers.Emulators;

/// <summary>Ollama native API: <c>POST /api/chat</c>, NDJSON streaming ending with <c>"done": true</c>.</summary>
public sealed class OllamaEmulator : ProviderEmulator
{
    public override string Backend => "ollama";

    // OLLAMA_HOST is often host:port without a scheme; the client must accept that.
    public override Dictionary<string, string?> Environment() => new() { ["OLLAMA_HOST"] = $"127.0.0.1:{Server.Port}" };

    protected override string StreamContentType => "application/x-ndjson";

    protected override bool IsStreaming(RecordedRequest request) => request.Json().GetProperty("stream").GetBoolean();

    protected override void Check(RecordedRequest r, bool streaming, Scenario scenario, List<string> problems)
    {
        var body = r.Json();
        Expect(problems, r.Path == "/api/chat", $"path {r.Path}");
        Expect(problems, r.Header("authorization") is null, "no authorization header");
        Expect(problems, body.GetProperty("model").GetString() == "llama3.1", "model llama3.1");
        Expect(problems, body.GetProperty("stream").ValueKind is JsonValueKind.True or JsonValueKind.False, "stream must be explicit");
        var messages = body.GetProperty("messages");
        Expect(problems, messages[0].GetProperty("role").GetString() == "system" && messages[0].GetProperty("content").GetString() == SystemPrompt,
            "messages[0] system");
        Expect(problems, messages[1].GetProperty("role").GetString() == "user" && messages[1].GetProperty("content").GetString() == UserPrompt,
            "messages[1] user");
        // Ollama's OpenAPI description: ChatRequest fields, ChatMessage roles and a string content on every message,
        // tools of type function, think as a boolean or high/medium/low.
        foreach (var field in body.EnumerateObject())
            Expect(problems, field.Name is "model" or "messages" or "tools" or "format" or "options" or "stream" or "think" or "keep_alive" or "logprobs" or "top_logprobs",
                $"'{field.Name}' is not a ChatRequest field");
        foreach (var m in messages.EnumerateArray())
            Expect(problems, m.GetProperty("role").GetString() is "system" or "user" or "assistant" or "tool" && m.TryGetProperty("content", out var content)
                             && content.ValueKind == JsonValueKind.String, "ChatMessage: role system|user|assistant|tool and a string content (required)");
        if (Has(body, "format", out var fmt))
            Expect(problems, fmt.ValueKind == JsonValueKind.Object || fmt.ValueKind == JsonValueKind.String && fmt.GetString() == "json", "format: \"json\" or a JSON schema object");
        if (Has(body, "tools", out var defs))
            foreach (var t in defs.EnumerateArray())
                Expect(problems, t.GetProperty("type").GetString() == "function" && t.GetProperty("function").TryGetProperty("name", out _)
                                 && t.GetProperty("function").TryGetProperty("parameters", out _), "ToolDefinition: type function, function.name and function.parameters");
        if (Has(body, "think", out var think))
            Expect(problems, think.ValueKind is JsonValueKind.True or JsonValueKind.False || think.GetString() is "high" or "medium" or "low", "think: boolean or high|medium|low");
        var options = body.GetProperty("options");
        foreach (var o in options.EnumerateObject())
            Expect(problems, o.Name is "seed" or "temperature" or "top_k" or "top_p" or "min_p" or "stop" or "num_ctx" or "num_predict", $"options.{o.Name} is not a documented model option");
        Expect(problems, Near(options.GetProperty("temperature"), 0.2) && Near(options.GetProperty("top_p"), 0.9)
                         && options.GetProperty("num_predict").GetInt32() == 256, "options temperature/top_p/num_predict");
        Expect(problems, messages.GetArrayLength() == (scenario == Scenario.ToolResult ? 4 : 2), "messages count");
        if (scenario == Scenario.ToolResult)
        {
            var call = messages[2].GetProperty("tool_calls")[0].GetProperty("function");
            Expect(problems, messages[2].GetProperty("role").GetString() == "assistant" && call.GetProperty("name").GetString() == ToolName
                             && call.GetProperty("arguments").GetProperty("city").GetString() == "Paris", "messages[2]: tool_calls with object arguments");
            Expect(problems, messages[3].GetProperty("role").GetString() == "tool" && messages[3].GetProperty("tool_name").GetString() == ToolName
                             && messages[3].GetProperty("content").GetString()!.Contains("temp_c"), "messages[3]: role tool, tool_name, content");
        }
        if (scenario == Scenario.Structured)
            Expect(problems, body.GetProperty("format").GetProperty("properties").TryGetProperty("city", out _), "format holds the JSON schema");
        if (scenario is Scenario.ToolCall or Scenario.StreamToolCall)
            Expect(problems, body.GetProperty("tools")[0].GetProperty("function").GetProperty("name").GetString() == ToolName, "tools[0].function get_weather");
    }

    private static string Final(string content, object[]? toolCalls = null) => Json(new
    {
        model = "llama3.1", created_at = "2024-07-22T20:33:28.123Z",
        message = toolCalls is null ? (object)new { role = "assistant", content } : new { role = "assistant", content, tool_calls = toolCalls },
        done_reason = "stop", done = true, total_duration = 4883583458, load_duration = 1334875,
        prompt_eval_count = InputTokens, prompt_eval_duration = 342546000, eval_count = OutputTokens, eval_duration = 4535599000,
    });

    protected override string PlainBody() => Final(PlainText);

    protected override string StructuredBody() => Final(StructuredJson);

    protected override string ToolCallBody() => Final("", [new { function = new { name = ToolName, arguments = new { city = "Paris" } } }]);

    protected override IReadOnlyList<byte[]> StreamChunks(bool withEnd)
    {
        var lines = StreamPieces.Select(p => Json(new
        {
            model = "llama3.1", created_at = "2024-07-22T20:33:28.123Z", message = new { role = "assistant", content = p }, done = false,
        }) + "\n").ToList();
        if (withEnd)
            lines.Add(Final("") + "\n");
        return lines.Select(Utf8).ToList();
    }

    protected override IReadOnlyList<byte[]> StreamToolCallChunks() =>
    [
        Utf8(Json(new
        {
            model = "llama3.1", created_at = "2024-07-22T20:33:28.123Z",
            message = new { role = "assistant", content = "", tool_calls = new[] { new { function = new { name = ToolName, arguments = new { city = "Paris" } } } } },
            done = false,
        }) + "\n"),
        Utf8(Final("") + "\n"),
    ];

    protected override string ErrorBody(int status, string message) => Json(new { error = message });
}
