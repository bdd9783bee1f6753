using System.Text.Json;

namespace Axon.Runtime.Tests.Providers.Emulators;

/// <summary>
/// OpenAI chat completions (<c>POST /v1/chat/completions</c>, SSE ending in <c>[DONE]</c>), in the three
/// flavours we speak it: openai (official SDK, bearer), azure-openai (deployment URL, <c>api-key</c>),
/// custom (any compatible server, bearer).
/// </summary>
public sealed class OpenAIWireEmulator(string backend) : ProviderEmulator
{
    public const string Deployment = "my-gpt4o";
    public const string CustomModel = "local-model";

    public override string Backend => backend;

    public override Dictionary<string, string?> Environment() => backend switch
    {
        "openai" => new() { ["OPENAI_API_KEY"] = ApiKey, ["OPENAI_BASE_URL"] = Server.BaseUrl + "/v1" },
        "azure-openai" => new()
        {
            ["AZURE_OPENAI_API_KEY"] = ApiKey, ["AZURE_OPENAI_ENDPOINT"] = Server.BaseUrl, ["AZURE_OPENAI_DEPLOYMENT"] = Deployment,
        },
        _ => new() { ["AXON_CUSTOM_API_KEY"] = ApiKey, ["AXON_CUSTOM_BASE_URL"] = Server.BaseUrl + "/v1", ["AXON_CUSTOM_MODEL"] = CustomModel },
    };

    protected override bool IsStreaming(RecordedRequest request) =>
        request.Json().TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;

    // Like the API, a stream ends with a usage chunk only when the request asked for one (stream_options.include_usage).
    private bool _includeUsage;

    protected override void Check(RecordedRequest r, bool streaming, Scenario scenario, List<string> problems)
    {
        var body = r.Json();
        _includeUsage = Has(body, "stream_options", out var streamOptions) && streamOptions.GetProperty("include_usage").GetBoolean();
        if (backend == "azure-openai")
        {
            Expect(problems, r.Path == $"/openai/deployments/{Deployment}/chat/completions", $"path {r.Path}");
            Expect(problems, r.Query == "api-version=2024-10-21", $"query {r.Query}");
            Expect(problems, r.Header("api-key") == ApiKey, "api-key header");
            Expect(problems, r.Header("authorization") is null, "azure must not get an authorization header");
        }
        else
        {
            Expect(problems, r.Path == "/v1/chat/completions", $"path {r.Path}");
            Expect(problems, r.Header("authorization") == "Bearer " + ApiKey, "authorization: Bearer <key>");
            var model = backend == "openai" ? "gpt-5.4" : CustomModel;
            Expect(problems, Has(body, "model", out var m) && m.GetString() == model, $"model must be {model}");
        }

        var messages = body.GetProperty("messages");
        Expect(problems, messages.GetArrayLength() == (scenario == Scenario.ToolResult ? 4 : 2), "messages: system + user (+ assistant tool call + tool result)");
        Expect(problems, messages[0].GetProperty("role").GetString() == "system" && TextOf(messages[0].GetProperty("content")) == SystemPrompt,
            "messages[0] must be the system prompt");
        Expect(problems, messages[1].GetProperty("role").GetString() == "user" && TextOf(messages[1].GetProperty("content")) == UserPrompt,
            "messages[1] must be the user prompt");
        if (backend == "openai")
        {
            // gpt-5.x is a reasoning model: the spec marks max_tokens deprecated and not compatible with reasoning
            // models, which also reject temperature/top_p.
            Expect(problems, !Has(body, "temperature", out _) && !Has(body, "top_p", out _), "no temperature/top_p for a reasoning model");
            Expect(problems, !Has(body, "max_tokens", out _) && Has(body, "max_completion_tokens", out var mct) && mct.GetInt32() == 256,
                "max_completion_tokens 256, never max_tokens");
        }
        else
        {
            Expect(problems, Has(body, "temperature", out var t) && Near(t, 0.2), "temperature 0.2");
            Expect(problems, Has(body, "top_p", out var p) && Near(p, 0.9), "top_p 0.9");
            var field = backend == "azure-openai" ? "max_completion_tokens" : "max_tokens";
            Expect(problems, Has(body, field, out var mt) && mt.GetInt32() == 256, field + " 256");
        }
        if (Has(body, "reasoning_effort", out var re))
            Expect(problems, re.GetString() is "none" or "minimal" or "low" or "medium" or "high" or "xhigh" or "max", "reasoning_effort from the spec's ReasoningEffort enum");
        if (backend == "azure-openai")
        {
            // Azure's GA description for api-version 2024-10-21 (chatCompletionsRequestCommon + createChatCompletionRequest)
            // names these request fields and no others: stream_options and reasoning_effort came in later versions.
            foreach (var field in body.EnumerateObject())
                Expect(problems, AzureChatRequestFields.Contains(field.Name), $"'{field.Name}' is not a chat request field of Azure api-version 2024-10-21");
        }
        else
        {
            // openai/openai-openapi, CreateChatCompletionRequest (with CreateModelResponseProperties): the fields we may send.
            foreach (var field in body.EnumerateObject())
                Expect(problems, OpenAIChatRequestFields.Contains(field.Name), $"'{field.Name}' is not a CreateChatCompletionRequest field");
            if (streaming)
                Expect(problems, backend == "openai" || Has(body, "stream_options", out var so) && so.GetProperty("include_usage").GetBoolean(), "stream_options.include_usage");
        }

        if (scenario == Scenario.Structured)
        {
            var ok = Has(body, "response_format", out var rf) && rf.GetProperty("type").GetString() == "json_schema"
                     && rf.GetProperty("json_schema").GetProperty("name").GetString() == "CityFacts"
                     && rf.GetProperty("json_schema").GetProperty("strict").GetBoolean()
                     && rf.GetProperty("json_schema").GetProperty("schema").GetProperty("properties").TryGetProperty("city", out _);
            Expect(problems, ok, "response_format json_schema (name, strict, schema)");
        }
        if (scenario == Scenario.ToolResult)
        {
            var call = messages[2].GetProperty("tool_calls")[0];
            Expect(problems, messages[2].GetProperty("role").GetString() == "assistant" && call.GetProperty("id").GetString() == "call_1"
                             && call.GetProperty("type").GetString() == "function"
                             && call.GetProperty("function").GetProperty("name").GetString() == ToolName
                             && JsonDocument.Parse(call.GetProperty("function").GetProperty("arguments").GetString()!).RootElement.GetProperty("city").GetString() == "Paris",
                "messages[2]: assistant tool_calls[0] {id, type function, name, arguments JSON string}");
            Expect(problems, messages[3].GetProperty("role").GetString() == "tool" && messages[3].GetProperty("tool_call_id").GetString() == "call_1"
                             && messages[3].GetProperty("content").GetString()!.Contains("temp_c"), "messages[3]: role tool, tool_call_id, content");
        }
        if (scenario is Scenario.ToolCall or Scenario.StreamToolCall)
        {
            var ok = Has(body, "tools", out var tools) && tools[0].GetProperty("type").GetString() == "function"
                     && tools[0].GetProperty("function").GetProperty("name").GetString() == ToolName
                     && tools[0].GetProperty("function").GetProperty("parameters").GetProperty("properties").TryGetProperty("city", out _);
            Expect(problems, ok, "tools[0] function get_weather with parameters");
        }
    }

    private static readonly HashSet<string> OpenAIChatRequestFields =
    [
        "messages", "model", "modalities", "reasoning_effort", "max_completion_tokens", "frequency_penalty", "presence_penalty",
        "web_search_options", "top_logprobs", "response_format", "audio", "store", "stream", "stop", "logit_bias", "logprobs",
        "max_tokens", "n", "prediction", "seed", "service_tier", "stream_options", "temperature", "top_p", "tools", "tool_choice",
        "parallel_tool_calls", "user", "function_call", "functions", "metadata", "verbosity", "prompt_cache_key", "safety_identifier",
    ];

    private static readonly HashSet<string> AzureChatRequestFields =
    [
        "temperature", "top_p", "stream", "stop", "max_tokens", "max_completion_tokens", "presence_penalty", "frequency_penalty",
        "logit_bias", "user", "messages", "data_sources", "logprobs", "top_logprobs", "n", "parallel_tool_calls", "response_format",
        "seed", "tools", "tool_choice", "function_call", "functions",
    ];

    private static object Usage => new { prompt_tokens = InputTokens, completion_tokens = OutputTokens, total_tokens = InputTokens + OutputTokens };

    private static string Completion(object message, string finish) => Json(new
    {
        id = "chatcmpl-42", @object = "chat.completion", created = 1700000000, model = "gpt-4o-mini-2024-07-18",
        choices = new[] { new { index = 0, message, finish_reason = finish, logprobs = (object?)null } },
        usage = Usage,
    });

    protected override string PlainBody() => Completion(new { role = "assistant", content = PlainText }, "stop");

    protected override string StructuredBody() => Completion(new { role = "assistant", content = StructuredJson }, "stop");

    protected override string ToolCallBody() => Completion(new
    {
        role = "assistant", content = (string?)null,
        tool_calls = new[] { new { id = "call_abc", type = "function", function = new { name = ToolName, arguments = "{\"city\":\"Paris\"}" } } },
    }, "tool_calls");

    private static string Chunk(object[] choices, object? usage = null) => Json(new
    {
        id = "chatcmpl-42", @object = "chat.completion.chunk", created = 1700000000, model = "gpt-4o-mini-2024-07-18", choices, usage,
    });

    protected override IReadOnlyList<byte[]> StreamChunks(bool withEnd)
    {
        var chunks = new List<string>();
        for (var i = 0; i < StreamPieces.Length; i++)
        {
            object delta = i == 0 ? new { role = "assistant", content = StreamPieces[i] } : new { content = StreamPieces[i] };
            chunks.Add(Sse(null, Chunk([new { index = 0, delta, finish_reason = (string?)null }])));
        }
        if (withEnd)
        {
            chunks.Add(Sse(null, Chunk([new { index = 0, delta = new { }, finish_reason = "stop" }])));
            if (_includeUsage) chunks.Add(Sse(null, Chunk([], Usage)));
            chunks.Add(Sse(null, "[DONE]"));
        }
        return chunks.Select(Utf8).ToList();
    }

    protected override IReadOnlyList<byte[]> StreamToolCallChunks()
    {
        static object Call(object function, string? id = null) =>
            id is null ? new { index = 0, function } : new { index = 0, id, type = "function", function };
        return new[]
        {
            Chunk([new { index = 0, delta = new { role = "assistant", content = (string?)null, tool_calls = new[] { Call(new { name = ToolName, arguments = "" }, "call_abc") } }, finish_reason = (string?)null }]),
            Chunk([new { index = 0, delta = new { tool_calls = new[] { Call(new { arguments = "{\"city\":" }) } }, finish_reason = (string?)null }]),
            Chunk([new { index = 0, delta = new { tool_calls = new[] { Call(new { arguments = "\"Paris\"}" }) } }, finish_reason = (string?)null }]),
            Chunk([new { index = 0, delta = new { }, finish_reason = "tool_calls" }]),
            _includeUsage ? Chunk([], Usage) : null,
        }.OfType<string>().Select(c => Sse(null, c)).Append(Sse(null, "[DONE]")).Select(Utf8).ToList();
    }

    protected override string ErrorBody(int status, string message) =>
        Json(new { error = new { message, type = "invalid_request_error", param = (string?)null, code = (string?)null } });
}
