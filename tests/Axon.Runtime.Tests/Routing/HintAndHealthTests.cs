using Axon.Runtime.Providers;
using Axon.Runtime.Routing;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Tests.Routing;

public class HintTests
{
    private static readonly string[] Three = ["openai", "anthropic", "gemini"];
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Preferred_provider_is_used_when_healthy()
    {
        var sink = new RecordingSink();
        var (router, fakes) = Routers.Create(Routers.Env(("PROVIDER_WEIGHTS", "openai:100,anthropic:1,gemini:1")), Three, sink: sink);
        for (var i = 0; i < 5; i++)
            Assert.Equal("gemini", await router.Served(new ChatOptions().WithRoutingHints(new RoutingHints("gemini"))));
        Assert.All(sink.Decisions, d => Assert.Equal(RoutingReason.Hint, d.Reason));
        // A preference is not a pin: when the preferred provider fails, the call moves on.
        fakes["gemini"].Behaviour = (_, _) => throw FakeProvider.Status("gemini", 500);
        var options = new ChatOptions { AdditionalProperties = new() { [RoutingHints.ProviderKey] = "gemini" } };
        Assert.Equal("openai", await router.Served(options));
    }

    [Fact]
    public async Task Preferred_provider_in_cooldown_is_skipped_not_waited_for()
    {
        var time = new ManualTimeProvider();
        var (router, fakes) = Routers.Create(Routers.Env(("LLM_ROUTING_STRATEGY", "failover"), ("DEFAULT_LLM_PROVIDER", "openai")), Three, time);
        fakes["gemini"].Behaviour = (n, _) => n == 1 ? throw FakeProvider.Status("gemini", 429, TimeSpan.FromSeconds(20)) : "ok";
        var hint = new ChatOptions { AdditionalProperties = new() { [RoutingHints.ProviderKey] = "gemini" } };
        Assert.Equal("openai", await router.Served(hint)); // 429 → failover
        Assert.Equal("openai", await router.Served(hint)); // cooling down → strategy
        Assert.Equal(1, fakes["gemini"].Calls);
        time.Advance(TimeSpan.FromSeconds(21));
        Assert.Equal("gemini", await router.Served(hint));
    }

    [Fact]
    public async Task Model_hint_goes_to_the_preferred_provider_only_and_axon_keys_are_stripped()
    {
        var (router, fakes) = Routers.Create(Routers.Env(("LLM_ROUTING_STRATEGY", "failover"), ("DEFAULT_LLM_PROVIDER", "openai")), Three);
        fakes["anthropic"].Behaviour = (_, _) => throw FakeProvider.Status("anthropic", 503);
        var options = new ChatOptions
        {
            Temperature = 0.2f,
            AdditionalProperties = new()
            {
                [RoutingHints.ProviderKey] = "anthropic",
                [RoutingHints.ModelKey] = "claude-x",
                ["vendor_flag"] = 1,
            },
        };
        Assert.Equal("openai", await router.Served(options));

        Assert.True(fakes["anthropic"].ReceivedOptions.TryDequeue(out var toAnthropic));
        Assert.Equal("claude-x", toAnthropic!.ModelId);
        Assert.True(fakes["openai"].ReceivedOptions.TryDequeue(out var toOpenAi));
        Assert.Null(toOpenAi!.ModelId); // the other vendor's model name does not follow the failover
        Assert.Equal(0.2f, toOpenAi.Temperature);
        foreach (var sent in new[] { toAnthropic, toOpenAi })
        {
            Assert.Equal(1, sent.AdditionalProperties!["vendor_flag"]);
            Assert.DoesNotContain(sent.AdditionalProperties.Keys, k => k.StartsWith("axon.", StringComparison.Ordinal));
        }
        Assert.True(options.AdditionalProperties.ContainsKey(RoutingHints.ProviderKey)); // caller's options untouched
    }

    [Fact]
    public async Task Model_without_provider_prefers_the_providers_that_serve_it()
    {
        var prices = new PriceTable().Add("gemini", "gemini-pro", 1, 1);
        var (router, fakes) = Routers.Create(new RoutingOptions { Strategy = RoutingStrategyKind.RoundRobin }, Three, prices: prices);
        for (var i = 0; i < 4; i++)
            Assert.Equal("gemini", await router.Served(new ChatOptions { ModelId = "gemini-pro" }));
        Assert.All(fakes["gemini"].ReceivedOptions, o => Assert.Equal("gemini-pro", o!.ModelId));
    }

    [Fact]
    public async Task Strict_pin_never_leaves_its_provider()
    {
        var time = new ManualTimeProvider();
        var (router, fakes) = Routers.Create(new RoutingOptions(), Three, time);
        var pin = new ChatOptions().WithRoutingHints(new RoutingHints("anthropic", StrictProvider: true));
        Assert.Equal("anthropic", await router.Served(pin));

        fakes["anthropic"].Behaviour = (_, _) => throw FakeProvider.Status("anthropic", 503);
        for (var i = 0; i < 5; i++)
        {
            var error = await Assert.ThrowsAsync<ProviderPinnedException>(() => router.Served(pin));
            Assert.Equal(ProviderErrorKind.ServerError, error.Kind);
            Assert.Equal(503, error.StatusCode);
            Assert.IsType<AxonProviderException>(error.InnerException);
        }
        // The breaker is now open: the pinned call fails fast, still without going anywhere else.
        Assert.Equal(BreakerState.Open, router.GetHealth("anthropic").State);
        time.Advance(TimeSpan.FromSeconds(10));
        var refused = await Assert.ThrowsAsync<ProviderPinnedException>(() => router.Served(pin));
        Assert.Contains("circuit breaker is open", refused.Message);
        Assert.Equal(TimeSpan.FromSeconds(20), refused.RetryAfter);
        Assert.Equal(6, fakes["anthropic"].Calls);
        Assert.Equal(0, fakes["openai"].Calls + fakes["gemini"].Calls);
    }

    [Fact]
    public async Task Strict_pin_with_string_flags_and_rate_limit_reports_retry_after()
    {
        var time = new ManualTimeProvider();
        var (router, fakes) = Routers.Create(new RoutingOptions(), Three, time);
        fakes["gemini"].Behaviour = (_, _) => throw FakeProvider.Status("gemini", 429, TimeSpan.FromSeconds(8));
        var pin = new ChatOptions { AdditionalProperties = new() { [RoutingHints.ProviderKey] = "gemini", [RoutingHints.StrictProviderKey] = "true" } };
        var first = await Assert.ThrowsAsync<ProviderPinnedException>(() => router.Served(pin));
        Assert.Equal(ProviderErrorKind.RateLimited, first.Kind);
        time.Advance(TimeSpan.FromSeconds(3));
        var second = await Assert.ThrowsAsync<ProviderPinnedException>(() => router.Served(pin));
        Assert.Equal(TimeSpan.FromSeconds(5), second.RetryAfter);
        Assert.Equal(1, fakes["gemini"].Calls);
        Assert.Equal(0, fakes["openai"].Calls + fakes["anthropic"].Calls);
    }

    [Fact]
    public async Task Strict_pin_to_an_unknown_or_disabled_provider_is_a_typed_error()
    {
        var (router, fakes) = Routers.Create(Routers.Env(("LLM_PROVIDERS", "openai,anthropic")), Three);
        var unknown = await Assert.ThrowsAsync<ProviderPinnedException>(() =>
            router.Served(new ChatOptions().WithRoutingHints(new RoutingHints("mistral", StrictProvider: true))));
        Assert.Equal(ProviderErrorKind.Configuration, unknown.Kind);
        Assert.Contains("mistral", unknown.Message);
        var disabled = await Assert.ThrowsAsync<ProviderPinnedException>(() =>
            router.Served(new ChatOptions().WithRoutingHints(new RoutingHints("gemini", StrictProvider: true))));
        Assert.Contains("LLM_PROVIDERS", disabled.Message);
        Assert.Equal(0, fakes.Values.Sum(f => f.Calls));
    }
}

public class HealthTests
{
    private static readonly string[] Three = ["openai", "anthropic", "gemini"];

    private static RoutingOptions FailoverFrom(string primary) =>
        Routers.Env(("LLM_ROUTING_STRATEGY", "failover"), ("DEFAULT_LLM_PROVIDER", primary));

    [Fact]
    public async Task Breaker_opens_after_five_consecutive_failures_half_opens_after_30s_and_closes_on_a_good_probe()
    {
        var time = new ManualTimeProvider();
        var sink = new RecordingSink();
        var (router, fakes) = Routers.Create(FailoverFrom("openai"), Three, time, sink);
        fakes["openai"].Behaviour = (_, _) => throw FakeProvider.Status("openai", 500);

        for (var i = 0; i < 4; i++) Assert.Equal("anthropic", await router.Served());
        Assert.Equal(BreakerState.Closed, router.GetHealth("openai").State);
        Assert.Equal(4, router.GetHealth("openai").ConsecutiveFailures);
        Assert.Equal("anthropic", await router.Served());
        Assert.Equal(BreakerState.Open, router.GetHealth("openai").State);

        for (var i = 0; i < 10; i++) Assert.Equal("anthropic", await router.Served());
        Assert.Equal(5, fakes["openai"].Calls); // skipped while open
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal("anthropic", await router.Served());
        Assert.Equal(5, fakes["openai"].Calls);

        time.Advance(TimeSpan.FromSeconds(1));
        fakes["openai"].Behaviour = (_, _) => "ok";
        sink.Decisions.Clear();
        Assert.Equal("openai", await router.Served()); // the probe
        Assert.True(sink.Decisions[0].Probe);
        Assert.Equal(BreakerState.Closed, router.GetHealth("openai").State);
        Assert.Equal("openai", await router.Served());
        Assert.False(sink.Decisions[1].Probe);
    }

    [Fact]
    public async Task Failed_probe_reopens_for_another_period()
    {
        var time = new ManualTimeProvider();
        var (router, fakes) = Routers.Create(FailoverFrom("openai"), Three, time);
        fakes["openai"].Behaviour = (_, _) => throw FakeProvider.Status("openai", 503);
        for (var i = 0; i < 5; i++) await router.Served();
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("anthropic", await router.Served()); // probe to openai failed, failed over
        Assert.Equal(6, fakes["openai"].Calls);
        var health = router.GetHealth("openai");
        Assert.Equal(BreakerState.Open, health.State);
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(30), health.OpenUntil);
    }

    [Fact]
    public async Task Half_open_lets_exactly_one_probe_through()
    {
        var time = new ManualTimeProvider();
        // The probe blocks until released; calls arriving meanwhile must not reach openai.
        var gate = new ManualResetEventSlim();
        var probe = new BlockingProvider(gate);
        var other = new FakeProvider("anthropic", time);
        var router2 = new ProviderRoutingChatClient(
            new Dictionary<string, IChatClient> { ["openai"] = probe, ["anthropic"] = other }, FailoverFrom("openai"), time);
        var brk = new ChatOptions();
        probe.Fail = true;
        for (var i = 0; i < 5; i++) await router2.Served(brk);
        time.Advance(TimeSpan.FromSeconds(31));
        probe.Fail = false;
        var probeCall = Task.Run(() => router2.Served(), TestContext.Current.CancellationToken);
        Assert.True(probe.Entered.Wait(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        for (var i = 0; i < 3; i++) Assert.Equal("anthropic", await router2.Served());
        Assert.Equal(BreakerState.HalfOpen, router2.GetHealth("openai").State);
        gate.Set();
        Assert.Equal("openai", await probeCall);
        Assert.Equal(6, probe.Calls);
        Assert.Equal(BreakerState.Closed, router2.GetHealth("openai").State);
    }

    [Fact]
    public async Task Retry_after_is_honoured_as_a_cooldown()
    {
        var time = new ManualTimeProvider();
        var (router, fakes) = Routers.Create(FailoverFrom("openai"), Three, time);
        fakes["openai"].Behaviour = (n, _) => n == 1 ? throw FakeProvider.Status("openai", 429, TimeSpan.FromSeconds(12)) : "ok";
        Assert.Equal("anthropic", await router.Served());
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(12), router.GetHealth("openai").CooldownUntil);
        Assert.Equal(0, router.GetHealth("openai").ConsecutiveFailures); // a 429 cools down, it does not count
        time.Advance(TimeSpan.FromSeconds(11.9));
        Assert.Equal("anthropic", await router.Served());
        Assert.Equal(1, fakes["openai"].Calls);
        time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal("openai", await router.Served());
    }

    [Fact]
    public async Task Rate_limit_without_retry_after_uses_the_default_cooldown()
    {
        var time = new ManualTimeProvider();
        var options = FailoverFrom("openai");
        options.DefaultRateLimitCooldown = TimeSpan.FromSeconds(2);
        var (router, fakes) = Routers.Create(options, Three, time);
        fakes["openai"].Behaviour = (n, _) => n == 1 ? throw new HttpRequestException("slow down", null, System.Net.HttpStatusCode.TooManyRequests) : "ok";
        Assert.Equal("anthropic", await router.Served());
        time.Advance(TimeSpan.FromSeconds(1.5));
        Assert.Equal("anthropic", await router.Served());
        time.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Equal("openai", await router.Served());
    }

    [Fact]
    public async Task Panic_mode_routes_to_all_enabled_when_every_breaker_is_open()
    {
        var time = new ManualTimeProvider();
        var sink = new RecordingSink();
        var options = Routers.Env(("LLM_ROUTING_STRATEGY", "round_robin"));
        options.BreakerFailureThreshold = 1;
        var (router, fakes) = Routers.Create(options, Three, time, sink);
        foreach (var f in fakes.Values) f.Behaviour = (_, _) => throw FakeProvider.Status(f.Name, 500);
        await Assert.ThrowsAsync<AxonProviderException>(() => router.Served());
        Assert.All(Three, p => Assert.Equal(BreakerState.Open, router.GetHealth(p).State));

        // Everyone is open and the period is not over: panic, not fail-fast. One provider has recovered.
        fakes["gemini"].Behaviour = (_, _) => "ok";
        sink.Decisions.Clear();
        Assert.Equal("gemini", await router.Served());
        Assert.All(sink.Decisions, d => Assert.Equal(RoutingReason.Panic, d.Reason));
        Assert.Equal(3, sink.Decisions[0].Candidates.Length);
        Assert.Equal(BreakerState.Closed, router.GetHealth("gemini").State);
        // Out of panic: gemini is healthy again and takes the traffic while the others stay open.
        sink.Decisions.Clear();
        Assert.Equal("gemini", await router.Served());
        Assert.Equal(RoutingReason.Strategy, sink.Decisions.Single().Reason);
    }

    [Fact]
    public async Task Every_provider_cooling_down_is_a_typed_error_without_any_call()
    {
        var time = new ManualTimeProvider();
        var (router, fakes) = Routers.Create(new RoutingOptions { MaxRateLimitWait = TimeSpan.Zero }, ["a", "b"], time);
        foreach (var f in fakes.Values) f.Behaviour = (_, _) => throw FakeProvider.Status(f.Name, 429, TimeSpan.FromSeconds(f.Name == "a" ? 10 : 4));
        await Assert.ThrowsAsync<AxonProviderException>(() => router.Served());
        var error = await Assert.ThrowsAsync<NoProviderAvailableException>(() => router.Served());
        Assert.Equal(TimeSpan.FromSeconds(4), error.RetryAfter);
        Assert.Equal(2, fakes.Values.Sum(f => f.Calls));
    }

    [Fact]
    public async Task Model_failures_open_that_model_only()
    {
        var time = new ManualTimeProvider();
        var (router, fakes) = Routers.Create(FailoverFrom("openai"), Three, time);
        fakes["openai"].Behaviour = (_, o) => o?.ModelId == "gpt-big" ? throw FakeProvider.Status("openai", 503) : "ok";
        var big = new ChatOptions().WithRoutingHints(new RoutingHints("openai", "gpt-big"));
        for (var i = 0; i < 5; i++) Assert.Equal("anthropic", await router.Served(big));
        Assert.Equal(BreakerState.Open, router.GetHealth("openai", "gpt-big").State);
        Assert.Equal(BreakerState.Closed, router.GetHealth("openai").State);
        Assert.Equal("anthropic", await router.Served(big)); // that model is skipped…
        Assert.Equal(5, fakes["openai"].Calls);
        Assert.Equal("openai", await router.Served()); // …the provider's default model is not
    }

    [Fact]
    public async Task Exceptions_from_any_client_are_classified()
    {
        AxonProviderException C(Exception e) => ProviderErrorClassifier.Classify("p", e);
        Assert.Equal(ProviderErrorKind.ServerError, C(new HttpRequestException("x", null, System.Net.HttpStatusCode.BadGateway)).Kind);
        Assert.Equal(ProviderErrorKind.Authentication, C(new HttpRequestException("x", null, System.Net.HttpStatusCode.Unauthorized)).Kind);
        Assert.Equal(ProviderErrorKind.BadRequest, C(new HttpRequestException("x", null, System.Net.HttpStatusCode.UnprocessableEntity)).Kind);
        Assert.Equal(ProviderErrorKind.Timeout, C(new TaskCanceledException()).Kind);
        Assert.Equal(ProviderErrorKind.Timeout, C(new TimeoutException()).Kind);
        Assert.Equal(ProviderErrorKind.ConnectionFailed, C(new System.Net.Sockets.SocketException(111)).Kind);
        Assert.Equal(ProviderErrorKind.ConnectionFailed, C(new HttpRequestException(HttpRequestError.ConnectionError, "refused")).Kind);
        Assert.Equal(ProviderErrorKind.Unknown, C(new InvalidOperationException("bug")).Kind);
        Assert.Equal(ProviderErrorKind.RateLimited,
            C(new AxonProviderException("p", ProviderErrorKind.Unknown, "x", statusCode: 429)).Kind);

        // The caller's own cancellation is not a provider failure: no failover, no health change.
        var (router, fakes) = Routers.Create(FailoverFrom("openai"), Three);
        using var cts = new CancellationTokenSource();
        fakes["openai"].Behaviour = (_, _) => { cts.Cancel(); cts.Token.ThrowIfCancellationRequested(); return ""; };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => router.GetResponseAsync(Routers.Hello, null, cts.Token));
        Assert.Equal(0, fakes["anthropic"].Calls);
        Assert.Equal(0, router.GetHealth("openai").ConsecutiveFailures);
    }

    private sealed class BlockingProvider(ManualResetEventSlim gate) : IChatClient
    {
        private int _calls;
        public bool Fail { get; set; }
        public int Calls => _calls;
        public ManualResetEventSlim Entered { get; } = new();

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            if (Fail) throw FakeProvider.Status("openai", 503);
            Entered.Set();
            await Task.Run(() => gate.Wait(TimeSpan.FromSeconds(10)), cancellationToken);
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
