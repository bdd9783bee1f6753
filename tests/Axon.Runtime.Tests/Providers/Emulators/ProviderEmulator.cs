using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Axon.Runtime.Tests.Providers.Emulators;

/// <summary>What the emulator answers with.</summary>
public enum Scenario
{
    Plain,
    Structured,
    ToolCall,
    /// <summary>The request carries an earlier tool call and its result; the answer is plain text.</summary>
    ToolResult,
    Stream,
    /// <summary>A streamed answer that is a tool call, its arguments split across chunks.</summary>
    StreamToolCall,
    BadRequest,
    Unauthorized,
    RateLimited,
    RateLimitedUntilDate,
    ServerError,
    Stall,
    Reset,
    /// <summary>The connection closes in the middle of a streamed body.</summary>
    StreamCut,
    /// <summary>A non-streamed answer whose body stops halfway (Content-Length not reached).</summary>
    BodyCut,
    /// <summary>A non-streamed answer sends its headers and half its body, then goes silent with the connection open.</summary>
    BodyStall,
    /// <summary>A streamed body starts, then the server goes silent with the connection open.</summary>
    StreamStall,
    /// <summary>The HTTP body ends cleanly but the protocol's terminal event never comes.</summary>
    StreamWithoutEnd,
}

/// <summary>
/// Base of the per-protocol emulators: checks each request against the provider's documented shape
/// (a mismatch answers 418 with the reason and is recorded) and answers in the provider's recorded shape.
/// </summary>
public abstract class ProviderEmulator : IAsyncDisposable
{
    public const string ApiKey = "sk-axon-test-9f8e7d6c5b4a3210SECRET";
    public const string SystemPrompt = "You are a geography assistant.";
    public const string UserPrompt = "What is the capital of France?";
    public const string PlainText = "The capital of France is Paris.";
    public static readonly string[] StreamPieces = ["The capital ", "of France ", "is Paris."];
    public const string StructuredJson = """{"city":"Paris","population":2102650}""";
    public const string ToolName = "get_weather";
    public const int InputTokens = 21;
    public const int OutputTokens = 9;

    protected ProviderEmulator() => Server = new LoopbackServer(HandleAsync);

    public LoopbackServer Server { get; }
    public Scenario Scenario { get; set; } = Scenario.Plain;
    public ConcurrentQueue<string> ShapeErrors { get; } = new();

    /// <summary>When set, error bodies echo this text (used to prove keys are redacted).</summary>
    public string? EchoInErrors { get; set; }

    public abstract string Backend { get; }

    /// <summary>The environment variables that point the backend at this emulator.</summary>
    public abstract Dictionary<string, string?> Environment();

    protected abstract bool IsStreaming(RecordedRequest request);
    protected abstract void Check(RecordedRequest request, bool streaming, Scenario scenario, List<string> problems);
    protected abstract string PlainBody();
    protected abstract string StructuredBody();
    protected abstract string ToolCallBody();
    protected abstract IReadOnlyList<byte[]> StreamChunks(bool withEnd);
    protected abstract IReadOnlyList<byte[]> StreamToolCallChunks();
    protected abstract string ErrorBody(int status, string message);
    protected virtual string StreamContentType => "text/event-stream";
    protected virtual (string, string)[] ErrorHeaders(int status) => [];

    private async Task HandleAsync(RecordedRequest request, Responder responder, CancellationToken token)
    {
        var streaming = IsStreaming(request);
        var problems = new List<string>();
        if (request.Method != "POST")
            problems.Add($"method {request.Method}");
        if (request.Header("content-type") is not { } ct || !ct.StartsWith("application/json", StringComparison.Ordinal))
            problems.Add($"content-type '{request.Header("content-type")}'");
        try
        {
            Check(request, streaming, Scenario, problems);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            problems.Add($"body not as documented: {e.Message}");
        }
        if (problems.Count > 0)
        {
            var text = string.Join("; ", problems);
            ShapeErrors.Enqueue($"{request.Method} {request.Target}: {text}");
            await responder.JsonAsync(418, ErrorBody(418, "request shape mismatch: " + text));
            return;
        }

        switch (Scenario)
        {
            case Scenario.Plain or Scenario.ToolResult when !streaming:
                await responder.JsonAsync(200, PlainBody());
                break;
            case Scenario.Structured when !streaming:
                await responder.JsonAsync(200, StructuredBody());
                break;
            case Scenario.ToolCall when !streaming:
                await responder.JsonAsync(200, ToolCallBody());
                break;
            case Scenario.Stream when streaming:
                await responder.StreamAsync(StreamContentType, StreamChunks(withEnd: true));
                break;
            case Scenario.StreamToolCall when streaming:
                await responder.StreamAsync(StreamContentType, StreamToolCallChunks());
                break;
            case Scenario.StreamWithoutEnd when streaming:
                await responder.StreamAsync(StreamContentType, StreamChunks(withEnd: false));
                break;
            case Scenario.StreamCut when streaming:
                var chunks = StreamChunks(withEnd: true);
                // Two whole chunks, then half of the third, then the connection drops.
                var third = chunks[2];
                await responder.StreamAsync(StreamContentType, [chunks[0], chunks[1], third[..(third.Length / 2)]], complete: false);
                break;
            case Scenario.StreamStall when streaming:
                await responder.StreamThenStallAsync(StreamContentType, StreamChunks(withEnd: true).Take(2), token);
                break;
            case Scenario.BodyCut when !streaming:
                await responder.JsonCutAsync(PlainBody());
                break;
            case Scenario.BodyStall when !streaming:
                await responder.JsonCutAsync(PlainBody(), stall: token);
                break;
            case Scenario.BadRequest:
                await Error(responder, 400, "max_tokens: must be positive");
                break;
            case Scenario.Unauthorized:
                await Error(responder, 401, "invalid x-api-key");
                break;
            case Scenario.RateLimited:
                await Error(responder, 429, "rate limit exceeded", ("Retry-After", "7"));
                break;
            case Scenario.RateLimitedUntilDate:
                await Error(responder, 429, "rate limit exceeded",
                    ("Retry-After", DateTimeOffset.UtcNow.AddSeconds(30).ToString("r", CultureInfo.InvariantCulture)));
                break;
            case Scenario.ServerError:
                await Error(responder, 500, "internal error");
                break;
            case Scenario.Stall:
                await responder.StallAsync(token);
                break;
            case Scenario.Reset:
                responder.Reset();
                break;
            default:
                ShapeErrors.Enqueue($"scenario {Scenario} does not fit a {(streaming ? "streaming" : "non-streaming")} request");
                await responder.JsonAsync(418, ErrorBody(418, "scenario mismatch"));
                break;
        }
    }

    private Task Error(Responder responder, int status, string message, params (string, string)[] headers) =>
        responder.JsonAsync(status, ErrorBody(status, EchoInErrors is null ? message : $"{message} (got {EchoInErrors})"),
            [.. ErrorHeaders(status), .. headers]);

    public ValueTask DisposeAsync() => Server.DisposeAsync();

    protected static string Sse(string? eventName, string data) =>
        (eventName is null ? "" : $"event: {eventName}\n") + $"data: {data}\n\n";

    protected static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>Serializes an anonymous object as the recorded body (names kept as written).</summary>
    protected static string Json(object value) => JsonSerializer.Serialize(value);

    protected static string Str(JsonElement e) => JsonSerializer.Serialize(e.GetString());

    /// <summary>Text of a content that may be a string or an array of <c>{type:text,text}</c> blocks.</summary>
    protected static string TextOf(JsonElement content) => content.ValueKind switch
    {
        JsonValueKind.String => content.GetString() ?? "",
        JsonValueKind.Array => string.Concat(content.EnumerateArray()
            .Select(b => b.TryGetProperty("text", out var t) ? t.GetString() : "")),
        _ => "",
    };

    protected static void Expect(List<string> problems, bool condition, string what)
    {
        if (!condition)
            problems.Add(what);
    }

    protected static bool Near(JsonElement e, double value) => e.ValueKind == JsonValueKind.Number && Math.Abs(e.GetDouble() - value) < 1e-6;

    protected static bool Has(JsonElement e, string name, out JsonElement value)
    {
        value = default;
        return e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out value);
    }
}
