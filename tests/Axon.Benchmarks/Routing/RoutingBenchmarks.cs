using Axon.Runtime.Providers;
using Axon.Runtime.Routing;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace Axon.Benchmarks.Routing;

/// <summary>One routing decision (health masks, strategy pick, decision record) over 20 providers.</summary>
[MemoryDiagnoser]
public class RoutingDecisionBenchmarks
{
    private RoutingEngine _engine = null!;

    [Params(RoutingStrategyKind.Weighted, RoutingStrategyKind.RoundRobin, RoutingStrategyKind.Failover,
        RoutingStrategyKind.CostOptimized, RoutingStrategyKind.LatencyAware)]
    public RoutingStrategyKind Strategy { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new RoutingOptions { Strategy = Strategy, DefaultProvider = "p7" };
        var providers = new List<KeyValuePair<string, IChatClient>>();
        for (var i = 0; i < 20; i++)
        {
            var name = "p" + i;
            options.Weights[name] = i + 1;
            options.Costs[name] = 0.001m * (20 - i);
            providers.Add(new(name, new CannedChatClient()));
        }
        var router = new ProviderRoutingChatClient(providers, options, random: new Random(1), decisionSink: new DiscardingSink());
        _engine = router.Engine;
    }

    [Benchmark]
    public int Decide()
    {
        var state = CallState.Create();
        state.InputTokens = 1200;
        state.OutputTokens = 512;
        return _engine.Decide(ref state, out _);
    }
}

/// <summary>A whole call through the router vs the same call straight to the provider client.</summary>
[MemoryDiagnoser]
public class RoutingOverheadBenchmarks
{
    private static readonly ChatMessage[] Messages = [new(ChatRole.User, "hello")];
    private CannedChatClient _direct = null!;
    private ProviderRoutingChatClient _router = null!;

    [GlobalSetup]
    public void Setup()
    {
        _direct = new CannedChatClient();
        var options = new RoutingOptions();
        var providers = new List<KeyValuePair<string, IChatClient>>();
        for (var i = 0; i < 20; i++)
        {
            options.Weights["p" + i] = i + 1;
            providers.Add(new("p" + i, _direct));
        }
        _router = new ProviderRoutingChatClient(providers, options);
    }

    [Benchmark(Baseline = true)]
    public Task<ChatResponse> Direct() => _direct.GetResponseAsync(Messages);

    [Benchmark]
    public Task<ChatResponse> Routed() => _router.GetResponseAsync(Messages);
}

/// <summary>Answers instantly with a fresh response (the router annotates each one).</summary>
internal sealed class CannedChatClient : IChatClient
{
    private readonly ChatMessage _answer = new(ChatRole.Assistant, "ok");

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(new ChatResponse(_answer));

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}

internal sealed class DiscardingSink : IRoutingDecisionSink
{
    public int Count;

    public void OnDecision(in RoutingDecision decision) => Count++;
}
