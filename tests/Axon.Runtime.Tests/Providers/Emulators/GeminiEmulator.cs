using System.Text.Json;

namespace Axon.Runtime.Tests.Providers.Emulators;

/// <summary>Gemini: <c>/v1beta/models/{model}:generateContent</c> and <c>:streamGenerateContent?alt=sse</c>.</summary>
public sealed class GeminiEmulator : ProviderEmulator
{
    public override string Backend => "gemini";

    public override Dictionary<string, string?> Environment() => new() { ["API_KEY_GEMINI"] = ApiKey, ["GEMINI_BASE_URL"] = Server.BaseUrl };

    protected override bool IsStreaming(RecordedRequest request) => request.Path.EndsWith(":streamGenerateContent", StringComparison.Ordinal);

    protected override void Check(RecordedRequest r, bool streaming, Scenario scenario, List<string> problems)
    {
        var body = r.Json();
        var method = streaming ? "streamGenerateContent" : "generateContent";
        Expect(problems, r.Path == $"/v1beta/models/gemini-3.5-flash:{method}", $"path {r.Path}");
        Expect(problems, streaming ? r.Query == "alt=sse" : r.Query == "", $"query '{r.Query}' (streaming needs alt=sse; the key must not be in the URL)");
        Expect(problems, r.Header("x-goog-api-key") == ApiKey, "x-goog-api-key header");
        Expect(problems, TextOf(body.GetProperty("systemInstruction").GetProperty("parts")) == SystemPrompt, "systemInstruction.parts");
        var contents = body.GetProperty("contents");
        Expect(problems, contents.GetArrayLength() == (scenario == Scenario.ToolResult ? 3 : 1) && contents[0].GetProperty("role").GetString() == "user"
                         && TextOf(contents[0].GetProperty("parts")) == UserPrompt, "contents: one user turn");
        var config = body.GetProperty("generationConfig");
        // Gemini 3 keeps its default sampling; the client sends none.
        Expect(problems, !Has(config, "temperature", out _) && !Has(config, "topP", out _), "no temperature/topP for gemini-3");
        Expect(problems, config.GetProperty("maxOutputTokens").GetInt32() == 256, "generationConfig.maxOutputTokens 256");
        if (Has(config, "thinkingConfig", out var thinking))
            Expect(problems, Has(thinking, "thinkingLevel", out var level) && level.GetString() is "MINIMAL" or "LOW" or "MEDIUM" or "HIGH"
                             && !Has(thinking, "thinkingBudget", out _), "thinkingConfig.thinkingLevel (ThinkingLevel enum) for gemini-3");
        if (scenario == Scenario.Structured)
        {
            var schema = config.GetProperty("responseSchema");
            var ok = config.GetProperty("responseMimeType").GetString() == "application/json"
                     && schema.GetProperty("properties").TryGetProperty("city", out _)
                     && !schema.TryGetProperty("additionalProperties", out _);
            Expect(problems, ok, "responseMimeType application/json + responseSchema (OpenAPI subset, no additionalProperties)");
            CheckTypes(schema, problems);
        }
        if (scenario == Scenario.ToolResult)
        {
            var call = contents[1].GetProperty("parts")[0].GetProperty("functionCall");
            Expect(problems, contents[1].GetProperty("role").GetString() == "model" && call.GetProperty("name").GetString() == ToolName
                             && call.GetProperty("args").GetProperty("city").GetString() == "Paris", "contents[1]: model functionCall");
            var response = contents[2].GetProperty("parts")[0].GetProperty("functionResponse");
            Expect(problems, contents[2].GetProperty("role").GetString() == "user" && response.GetProperty("name").GetString() == ToolName
                             && response.GetProperty("response").GetProperty("temp_c").GetInt32() == 21, "contents[2]: functionResponse {name, response object}");
        }
        if (scenario is Scenario.ToolCall or Scenario.StreamToolCall)
        {
            var ok = body.GetProperty("tools")[0].GetProperty("functionDeclarations")[0].GetProperty("name").GetString() == ToolName;
            Expect(problems, ok, "tools[0].functionDeclarations[0] get_weather");
            CheckTypes(body.GetProperty("tools")[0].GetProperty("functionDeclarations")[0].GetProperty("parameters"), problems);
        }
    }

    // google.ai.generativelanguage.v1beta.Type: the enum's names, not JSON Schema's lowercase spelling.
    private static readonly HashSet<string> ProtoTypes = ["TYPE_UNSPECIFIED", "STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT", "NULL"];

    private static void CheckTypes(JsonElement schema, List<string> problems)
    {
        if (schema.ValueKind != JsonValueKind.Object)
            return;
        if (schema.TryGetProperty("type", out var type))
            Expect(problems, type.ValueKind == JsonValueKind.String && ProtoTypes.Contains(type.GetString()!), $"Schema.type '{type}' is not a Type enum value");
        // Schema.format: float, double (NUMBER), int32, int64 (INTEGER), enum, date-time (STRING).
        if (schema.TryGetProperty("format", out var format))
            Expect(problems, format.GetString() is "float" or "double" or "int32" or "int64" or "enum" or "date-time", $"Schema.format '{format}' not supported");
        if (schema.TryGetProperty("properties", out var props))
            foreach (var p in props.EnumerateObject())
                CheckTypes(p.Value, problems);
        if (schema.TryGetProperty("items", out var items))
            CheckTypes(items, problems);
    }

    private static object Usage => new { promptTokenCount = InputTokens, candidatesTokenCount = OutputTokens, totalTokenCount = InputTokens + OutputTokens };

    private static string Response(object part, string? finish, bool usage = true) => Json(new
    {
        candidates = new[] { new { content = new { parts = new[] { part }, role = "model" }, finishReason = finish, index = 0 } },
        usageMetadata = usage ? Usage : null,
        modelVersion = "gemini-3.5-flash-001",
    });

    protected override string PlainBody() => Response(new { text = PlainText }, "STOP");

    protected override string StructuredBody() => Response(new { text = StructuredJson }, "STOP");

    protected override string ToolCallBody() => Response(new { functionCall = new { name = ToolName, args = new { city = "Paris" } } }, "STOP");

    protected override IReadOnlyList<byte[]> StreamChunks(bool withEnd)
    {
        var chunks = new List<string>();
        for (var i = 0; i < StreamPieces.Length; i++)
        {
            var last = i == StreamPieces.Length - 1 && withEnd;
            chunks.Add(Sse(null, Response(new { text = StreamPieces[i] }, last ? "STOP" : null, usage: last)));
        }
        return chunks.Select(Utf8).ToList();
    }

    protected override IReadOnlyList<byte[]> StreamToolCallChunks() =>
        [Utf8(Sse(null, Response(new { functionCall = new { name = ToolName, args = new { city = "Paris" } } }, "STOP")))];

    protected override string ErrorBody(int status, string message)
    {
        var s = status switch
        {
            400 => "INVALID_ARGUMENT", 401 => "UNAUTHENTICATED", 429 => "RESOURCE_EXHAUSTED", _ => "INTERNAL",
        };
        return Json(new { error = new { code = status, message, status = s } });
    }
}
