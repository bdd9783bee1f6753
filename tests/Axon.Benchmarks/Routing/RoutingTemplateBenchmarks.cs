using Axon.Runtime.Routing;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

// The template is marked experimental (MEAI001); measuring it is the point of this file.
#pragma warning disable MEAI001

namespace Axon.Benchmarks.Routing;

/// <summary>
/// What building our router on Microsoft.Extensions.AI's experimental routing template would cost per call: the
/// same engine decision made inside <see cref="RoutingChatClient"/> (one <see cref="RoutingContext"/> and a cloned
/// <see cref="ChatOptions"/> per call) and inside <see cref="FailoverChatClient"/> (plus its attempt records), beside
/// our <see cref="ProviderRoutingChatClient"/> and a direct call, over 20 instant providers.
/// </summary>
[MemoryDiagnoser]
public class RoutingTemplateBenchmarks
{
    private static readonly ChatMessage[] Messages = [new(ChatRole.User, "hello")];
    private readonly ChatOptions _options = new() { ModelId = "m", Temperature = 0.2f };
    private CannedChatClient _direct = null!;
    private ProviderRoutingChatClient _ours = null!;
    private IChatClient _template = null!;
    private EngineFailover _failover = null!;

    [GlobalSetup]
    public void Setup()
    {
        _direct = new CannedChatClient();
        var options = new RoutingOptions();
        var providers = new List<KeyValuePair<string, IChatClient>>();
        var clients = new IChatClient[20];
        for (var i = 0; i < 20; i++)
        {
            options.Weights["p" + i] = i + 1;
            clients[i] = new CannedChatClient();
            providers.Add(new("p" + i, clients[i]));
        }
        _ours = new ProviderRoutingChatClient(providers, options, decisionSink: new DiscardingSink());
        var engine = new ProviderRoutingChatClient(providers, options, decisionSink: new DiscardingSink()).Engine;
        _template = RoutingChatClient.Create((context, cancellationToken) =>
        {
            var state = CallState.Create();
            return ValueTask.FromResult(clients[engine.Decide(ref state, out RoutingDecision _)]);
        });
        _failover = new EngineFailover(engine, clients);
    }

    [Benchmark(Baseline = true)]
    public Task<ChatResponse> Direct() => _direct.GetResponseAsync(Messages, _options);

    [Benchmark]
    public Task<ChatResponse> Ours() => _ours.GetResponseAsync(Messages, _options);

    [Benchmark]
    public Task<ChatResponse> TemplateRouting() => _template.GetResponseAsync(Messages, _options);

    [Benchmark]
    public Task<ChatResponse> TemplateFailover() => _failover.GetResponseAsync(Messages, _options);

    /// <summary>Our engine's decision as the template's client selection.</summary>
    private sealed class EngineFailover(RoutingEngine engine, IChatClient[] clients) : FailoverChatClient
    {
        protected override ValueTask<IChatClient> SelectClientAsync(RoutingContext context, CancellationToken cancellationToken)
        {
            var state = CallState.Create();
            return ValueTask.FromResult(clients[engine.Decide(ref state, out RoutingDecision _)]);
        }
    }
}
