using System.Net;
using System.Text;
using Axon.Runtime.Providers;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace Axon.Benchmarks.Providers;

/// <summary>
/// The CPU cost our client path adds, without a network: both paths run over the same in-memory
/// handler that answers with a canned body, so the difference is mapping, JSON and error handling.
/// </summary>
[MemoryDiagnoser]
public class ProviderClientOverheadBenchmarks
{
    private const string Answer =
        """{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"local-model","choices":[{"index":0,"message":{"role":"assistant","content":"{\"city\":\"Paris\",\"population\":2102650}"},"finish_reason":"stop"}],"usage":{"prompt_tokens":21,"completion_tokens":9,"total_tokens":30}}""";

    private static readonly byte[] AnswerBytes = Encoding.UTF8.GetBytes(Answer);
    private static readonly byte[] RequestBody = Encoding.UTF8.GetBytes(
        """{"model":"local-model","messages":[{"role":"system","content":"You are a geography assistant."},{"role":"user","content":"What is the capital of France?"}],"temperature":0.2,"max_tokens":256}""");

    private readonly ChatMessage[] _messages =
        [new(ChatRole.System, "You are a geography assistant."), new(ChatRole.User, "What is the capital of France?")];
    private readonly ChatOptions _options = new() { Temperature = 0.2f, MaxOutputTokens = 256 };
    private HttpClient _raw = null!;
    private IChatClient _custom = null!;
    private IChatClient _customNoTimeout = null!;

    [GlobalSetup]
    public void Setup()
    {
        _raw = new HttpClient(new CannedHandler());
        var env = new Dictionary<string, string?> { ["AXON_CUSTOM_BASE_URL"] = "http://127.0.0.1:1/v1", ["AXON_CUSTOM_MODEL"] = "local-model" };
        _custom = AxonProviderRegistry.CreateDefault().Create("custom", new AxonProviderOptions { HttpHandler = new CannedHandler() }, environment: env.GetValueOrDefault);
        // Without a timeout no watchdog timer is armed: shows what the timeouts cost.
        _customNoTimeout = AxonProviderRegistry.CreateDefault().Create("custom",
            new AxonProviderOptions { HttpHandler = new CannedHandler(), Timeout = Timeout.InfiniteTimeSpan }, environment: env.GetValueOrDefault);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _raw.Dispose();
        _custom.Dispose();
        _customNoTimeout.Dispose();
    }

    [Benchmark(Baseline = true, Description = "raw HttpClient POST (in-memory)")]
    public async Task<int> Raw()
    {
        using var content = new ByteArrayContent(RequestBody);
        content.Headers.ContentType = new("application/json");
        using var response = await _raw.PostAsync("http://127.0.0.1:1/v1/chat/completions", content);
        return (await response.Content.ReadAsStringAsync()).Length;
    }

    [Benchmark(Description = "Axon custom client (in-memory)")]
    public async Task<int> Axon() => (await _custom.GetResponseAsync(_messages, _options)).Text.Length;

    [Benchmark(Description = "Axon custom client, no timeout (in-memory)")]
    public async Task<int> AxonNoTimeout() => (await _customNoTimeout.GetResponseAsync(_messages, _options)).Text.Length;

    private sealed class CannedHandler : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            // Read the request body as a server would.
            await request.Content!.CopyToAsync(Stream.Null, cancellationToken);
            var content = new ByteArrayContent(AnswerBytes);
            content.Headers.ContentType = new("application/json");
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request };
        }
    }
}
