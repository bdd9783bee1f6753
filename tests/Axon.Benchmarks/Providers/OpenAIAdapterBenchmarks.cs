using Axon.Runtime.Providers;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace Axon.Benchmarks.Providers;

/// <summary>
/// The openai decision: <c>Microsoft.Extensions.AI.OpenAI</c>'s <c>AsIChatClient()</c> over the official SDK's typed
/// <c>ChatClient</c>, against our client (the same SDK, its protocol method and our wire mapping). Both use the very
/// same <see cref="OpenAI.OpenAIClient"/> that the registry builds (our transport, <c>ProviderHttpHandler</c>,
/// retries off) and the same loopback server, so the difference is the mapping layer alone.
/// </summary>
/// <remarks>
/// Run: <c>dotnet run -c Release --project tests/Axon.Benchmarks -- --filter '*OpenAIAdapter*' --job short</c>.
/// Besides BenchmarkDotNet's table, paired medians (alternating the two paths, which cancels load drift on a
/// shared machine) are printed after the baseline's run.
/// </remarks>
[Config(typeof(RatioConfig))]
[MemoryDiagnoser]
public class OpenAIAdapterBenchmarks
{
    private const string Answer =
        """{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"local-model","choices":[{"index":0,"message":{"role":"assistant","content":"{\"city\":\"Paris\",\"population\":2102650}"},"finish_reason":"stop"}],"usage":{"prompt_tokens":21,"completion_tokens":9,"total_tokens":30}}""";

    private LoopbackAnswerServer _server = null!;
    private IChatClient _ours = null!;
    private IChatClient _adapter = null!;
    private readonly ChatMessage[] _messages =
        [new(ChatRole.System, "You are a geography assistant."), new(ChatRole.User, "What is the capital of France?")];
    private readonly ChatOptions _options = new() { Temperature = 0.2f, MaxOutputTokens = 256 };

    [GlobalSetup]
    public void Setup()
    {
        _server = new LoopbackAnswerServer(_ => Answer);
        var env = new Dictionary<string, string?>
        {
            ["OPENAI_BASE_URL"] = _server.BaseUrl + "/v1", ["OPENAI_API_KEY"] = "bench-key-0123456789", ["AXON_OPENAI_MODEL"] = "local-model",
        };
        _ours = AxonProviderRegistry.CreateDefault().Create("openai", environment: env.GetValueOrDefault);
        var sdk = (OpenAI.OpenAIClient)_ours.GetService(typeof(OpenAI.OpenAIClient))!;
        _adapter = sdk.GetChatClient("local-model").AsIChatClient();
        // Both must read the same answer, or the comparison means nothing.
        var a = _ours.GetResponseAsync(_messages, _options).GetAwaiter().GetResult().Text;
        var b = _adapter.GetResponseAsync(_messages, _options).GetAwaiter().GetResult().Text;
        if (a != b || a.Length == 0) throw new InvalidOperationException($"the clients read different answers: '{a}' vs '{b}'");
    }

    [GlobalCleanup(Target = nameof(Ours))]
    public void PrintPairedRatiosThenCleanup()
    {
        var paths = new (string Name, Func<Task<int>> Call)[] { ("ours (protocol method)", Ours), ("M.E.AI.OpenAI AsIChatClient", Adapter) };
        foreach (var (label, block, rounds) in PairedMedians.Schedules)
        {
            var medians = PairedMedians.Measure([.. paths.Select(p => p.Call)], block, rounds);
            var ours = medians[0];
            var adapter = medians[1];
            Console.WriteLine($"// Paired medians, {label} ({rounds} rounds of {block} call(s) per path): ours {ours:F1} us, AsIChatClient {adapter:F1} us, ratio {adapter / ours:F2}x");
        }
        Cleanup();
    }

    [GlobalCleanup(Target = nameof(Adapter))]
    public void Cleanup()
    {
        _ours.Dispose();
        _adapter.Dispose();
        _server.Dispose();
    }

    [Benchmark(Baseline = true, Description = "ours: SDK protocol method + our wire mapping")]
    public async Task<int> Ours() => (await _ours.GetResponseAsync(_messages, _options)).Text.Length;

    [Benchmark(Description = "Microsoft.Extensions.AI.OpenAI AsIChatClient (SDK typed layer)")]
    public async Task<int> Adapter() => (await _adapter.GetResponseAsync(_messages, _options)).Text.Length;
}
