using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Axon.Runtime.Providers;
using Axon.Runtime.Routing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace Axon.Runtime.Tests.Routing;

/// <summary>A manual clock: time moves only when a test advances it.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private long _ticks = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);
    public override long GetTimestamp() => Interlocked.Read(ref _ticks);
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

/// <summary>
/// An in-process provider. <see cref="Behaviour"/> decides each call (return text or throw); every call is
/// recorded with the options it received and the clock time it arrived.
/// </summary>
internal sealed class FakeProvider : IChatClient
{
    private readonly TimeProvider? _time;
    private int _calls;

    public FakeProvider(string name, TimeProvider? time = null, string? defaultModel = null)
    {
        Name = name;
        _time = time;
        DefaultModel = defaultModel;
    }

    public string Name { get; }
    public string? DefaultModel { get; }
    public Func<int, ChatOptions?, string> Behaviour { get; set; } = (_, _) => "ok";
    /// <summary>Streaming: the chunks to send, and after how many chunks to throw (null = never).</summary>
    public string[] StreamChunks { get; set; } = ["a", "b", "c"];
    public int? StreamFailAfter { get; set; }
    public Exception StreamException { get; set; } = new HttpRequestException("connection reset", null, null);
    public bool StreamSetsFinishReason { get; set; } = true;
    public int Calls => Volatile.Read(ref _calls);
    public ConcurrentQueue<ChatOptions?> ReceivedOptions { get; } = new();
    public ConcurrentQueue<DateTimeOffset> CallTimes { get; } = new();

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var n = Interlocked.Increment(ref _calls);
        ReceivedOptions.Enqueue(options);
        if (_time is not null) CallTimes.Enqueue(_time.GetUtcNow());
        var text = Behaviour(n, options);
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text)));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var n = Interlocked.Increment(ref _calls);
        ReceivedOptions.Enqueue(options);
        Behaviour(n, options); // may throw before the first chunk
        for (var i = 0; i < StreamChunks.Length; i++)
        {
            await Task.Yield();
            if (StreamFailAfter == i) throw StreamException;
            yield return new ChatResponseUpdate(ChatRole.Assistant, StreamChunks[i])
            {
                FinishReason = StreamSetsFinishReason && i == StreamChunks.Length - 1 ? ChatFinishReason.Stop : null,
            };
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata(Name, null, DefaultModel) : null;

    public void Dispose()
    {
    }

    public static Exception Status(string provider, int status, TimeSpan? retryAfter = null) =>
        new AxonProviderException(provider, ProviderErrorClassifier.FromStatus(status), $"Backend error: {provider} HTTP {status}", status, retryAfter);
}

internal sealed class RecordingSink : IRoutingDecisionSink
{
    public List<(string Strategy, string Chosen, int Attempt, RoutingReason Reason, string[] Candidates, bool Probe, string? Previous, decimal? Cost, string? Model)> Decisions { get; } = new();

    public void OnDecision(in RoutingDecision decision)
    {
        lock (Decisions)
            Decisions.Add((decision.Strategy, decision.Chosen, decision.Attempt, decision.Reason, decision.CandidatesToArray(),
                decision.IsProbe, decision.Previous, decision.EstimatedCost, decision.Model));
    }
}

internal sealed class PriceTable : IModelPriceTable
{
    private readonly Dictionary<(string, string), ModelPrice> _prices = new();

    public PriceTable Add(string provider, string model, decimal input, decimal output)
    {
        _prices[(provider, model)] = new ModelPrice(input, output);
        return this;
    }

    public bool TryGetPrice(string provider, string model, out ModelPrice price) => _prices.TryGetValue((provider, model), out price);
}

/// <summary>A flat-key in-memory IConfiguration (keys like <c>Axon:Routing:Strategy</c>).</summary>
internal sealed class MemoryConfiguration : IConfigurationSection
{
    private readonly Dictionary<string, string?> _data;

    public MemoryConfiguration(Dictionary<string, string?> data, string path = "")
    {
        _data = new Dictionary<string, string?>(data, StringComparer.OrdinalIgnoreCase);
        Path = path;
    }

    public string Path { get; }
    public string Key => Path.Contains(':') ? Path[(Path.LastIndexOf(':') + 1)..] : Path;
    public string? Value { get => _data.GetValueOrDefault(Path); set => throw new NotSupportedException(); }
    public string? this[string key] { get => _data.GetValueOrDefault(Combine(key)); set => throw new NotSupportedException(); }
    public IConfigurationSection GetSection(string key) => new MemoryConfiguration(_data, Combine(key));

    public IEnumerable<IConfigurationSection> GetChildren()
    {
        var prefix = Path.Length == 0 ? "" : Path + ":";
        return _data.Keys.Where(k => k.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && k.Length > prefix.Length)
            .Select(k => k[prefix.Length..].Split(':')[0]).Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(k => GetSection(k)).ToList();
    }

    public IChangeToken GetReloadToken() => throw new NotSupportedException();

    private string Combine(string key) => Path.Length == 0 ? key : Path + ":" + key;
}

internal static class Routers
{
    public static readonly ChatMessage[] Hello = [new(ChatRole.User, "hello")];

    public static (ProviderRoutingChatClient Router, Dictionary<string, FakeProvider> Fakes) Create(
        RoutingOptions options, string[] names, ManualTimeProvider? time = null, IRoutingDecisionSink? sink = null,
        IModelPriceTable? prices = null, int seed = 1, Func<string, string?>? defaultModel = null)
    {
        var fakes = names.ToDictionary(n => n, n => new FakeProvider(n, time, defaultModel?.Invoke(n)));
        var router = new ProviderRoutingChatClient(
            names.Select(n => new KeyValuePair<string, IChatClient>(n, fakes[n])), options, time, new Random(seed), prices, sink);
        return (router, fakes);
    }

    public static async Task<string> Served(this IChatClient router, ChatOptions? options = null)
    {
        var response = await router.GetResponseAsync(Hello, options, TestContext.Current.CancellationToken);
        return (string)response.AdditionalProperties![ProviderRoutingChatClient.ProviderPropertyKey]!;
    }

    public static RoutingOptions Env(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value);
        return RoutingOptions.FromEnvironment(n => map.GetValueOrDefault(n));
    }
}
