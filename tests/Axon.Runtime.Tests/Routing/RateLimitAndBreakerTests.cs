using Axon.Runtime.Providers;
using Axon.Runtime.Routing;
using Axon.Runtime.Tests.Providers.Emulators;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Tests.Routing;

/// <summary>Rate-limit cooldown scope and bounded waiting, panic mode limits, stale breaker outcomes, weighted phase.</summary>
public class RateLimitAndBreakerTests(ITestOutputHelper output)
{
    private static readonly string[] Three = ["openai", "anthropic", "gemini"];

    private static RoutingOptions FailoverFrom(string primary) =>
        Routers.Env(("LLM_ROUTING_STRATEGY", "failover"), ("DEFAULT_LLM_PROVIDER", primary));

    [Fact]
    public async Task A_429_for_one_model_cools_that_model_only_and_does_not_count_toward_the_breaker()
    {
        var time = new ManualTimeProvider();
        var (router, fakes) = Routers.Create(FailoverFrom("openai"), Three, time);
        fakes["openai"].Behaviour = (_, o) => o?.ModelId == "gpt-big" ? throw FakeProvider.Status("openai", 429, TimeSpan.FromSeconds(20)) : "ok";
        var big = new ChatOptions().WithRoutingHints(new RoutingHints("openai", "gpt-big"));

        Assert.Equal("anthropic", await router.Served(big));
        Assert.NotNull(router.GetHealth("openai", "gpt-big").CooldownUntil);
        Assert.Null(router.GetHealth("openai").CooldownUntil);
        Assert.Equal(0, router.GetHealth("openai", "gpt-big").ConsecutiveFailures);
        Assert.Equal("openai", await router.Served()); // the provider's other model still has capacity
        Assert.Equal("anthropic", await router.Served(big)); // the limited model is not sent to while it cools
        Assert.Equal(2, fakes["openai"].Calls);
    }

    [Fact]
    public async Task A_short_retry_after_is_waited_for_instead_of_failing()
    {
        var ct = TestContext.Current.CancellationToken;
        var options = new RoutingOptions();
        var fakes = new[] { new FakeProvider("a"), new FakeProvider("b") };
        foreach (var f in fakes) f.Behaviour = (n, _) => n == 1 ? throw FakeProvider.Status(f.Name, 429, TimeSpan.FromMilliseconds(300)) : "ok";
        var router = new ProviderRoutingChatClient(fakes.Select(f => new KeyValuePair<string, IChatClient>(f.Name, f)), options);

        var started = System.Diagnostics.Stopwatch.StartNew();
        var response = await router.GetResponseAsync(Routers.Hello, null, ct);
        Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(250), $"answered after {started.Elapsed}");
        Assert.Equal(3, response.AdditionalProperties![ProviderRoutingChatClient.AttemptsPropertyKey]);
        Assert.Equal(3, fakes.Sum(f => f.Calls));
    }

    [Fact]
    public async Task A_cooldown_longer_than_the_bound_fails_at_once_naming_each_providers_state()
    {
        var time = new ManualTimeProvider();
        var options = new RoutingOptions { BreakerFailureThreshold = 1, MaxRateLimitWait = TimeSpan.FromSeconds(2) };
        var (router, fakes) = Routers.Create(options, ["a", "b"], time);
        fakes["a"].Behaviour = (_, _) => throw FakeProvider.Status("a", 429, TimeSpan.FromSeconds(10));
        fakes["b"].Behaviour = (_, _) => throw FakeProvider.Status("b", 503);
        await Assert.ThrowsAnyAsync<AxonProviderException>(() => router.Served());
        await Assert.ThrowsAnyAsync<AxonProviderException>(() => router.Served());
        Assert.Equal(BreakerState.Open, router.GetHealth("b").State);
        var calls = fakes.Values.Sum(f => f.Calls);

        var error = await Assert.ThrowsAsync<NoProviderAvailableException>(() => router.Served());
        Assert.Equal(calls, fakes.Values.Sum(f => f.Calls)); // nothing was sent
        Assert.Contains(error.Providers, p => p is { Provider: "a", State: ProviderAvailabilityState.CoolingDown });
        Assert.Contains(error.Providers, p => p is { Provider: "b", State: ProviderAvailabilityState.BreakerOpen });
        Assert.Contains("a is cooling down after a rate limit until", error.Message);
        Assert.Contains("b has its circuit breaker open until", error.Message);
        Assert.NotNull(error.RetryAfter);
    }

    [Fact]
    public async Task Panic_never_picks_an_open_breaker_while_a_provider_is_only_cooling_down()
    {
        var time = new ManualTimeProvider();
        var options = new RoutingOptions { BreakerFailureThreshold = 1, MaxRateLimitWait = TimeSpan.Zero };
        var (router, fakes) = Routers.Create(options, Three, time);
        fakes["openai"].Behaviour = (_, _) => throw FakeProvider.Status("openai", 429, TimeSpan.FromSeconds(3));
        fakes["anthropic"].Behaviour = (_, _) => throw new HttpRequestException(HttpRequestError.ConnectionError, "refused");
        fakes["gemini"].Behaviour = (_, _) => throw new HttpRequestException(HttpRequestError.ConnectionError, "refused");
        for (var i = 0; i < 3 && router.GetHealth("anthropic").State != BreakerState.Open | router.GetHealth("gemini").State != BreakerState.Open; i++)
            await Assert.ThrowsAnyAsync<AxonProviderException>(() => router.Served());
        var dead = fakes["anthropic"].Calls + fakes["gemini"].Calls;

        for (var i = 0; i < 200; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(50));
            try { await router.Served(); }
            catch (AxonProviderException) { }
        }
        // openai cooled down and was retried after each Retry-After; the dead providers got nothing.
        Assert.Equal(dead, fakes["anthropic"].Calls + fakes["gemini"].Calls);
        Assert.True(fakes["openai"].Calls is > 2 and < 10, $"openai calls {fakes["openai"].Calls}");
    }

    [Fact]
    public async Task True_panic_sends_at_most_one_call_per_provider_per_open_period()
    {
        var time = new ManualTimeProvider();
        var sink = new RecordingSink();
        var options = new RoutingOptions { Strategy = RoutingStrategyKind.RoundRobin, BreakerFailureThreshold = 1 };
        var (router, fakes) = Routers.Create(options, Three, time, sink);
        foreach (var f in fakes.Values) f.Behaviour = (_, _) => throw new HttpRequestException(HttpRequestError.ConnectionError, "refused");
        await Assert.ThrowsAnyAsync<AxonProviderException>(() => router.Served());
        Assert.All(Three, p => Assert.Equal(BreakerState.Open, router.GetHealth(p).State));
        var before = fakes.ToDictionary(f => f.Key, f => f.Value.Calls);

        sink.Decisions.Clear();
        for (var i = 0; i < 100; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100)); // 10 s: well inside one 30 s open period
            try { await router.Served(); }
            catch (AxonProviderException) { }
        }
        Assert.All(Three, p => Assert.InRange(fakes[p].Calls - before[p], 0, 1));
        Assert.All(sink.Decisions, d => Assert.Equal(RoutingReason.Panic, d.Reason));

        // A provider that recovers is found by its next panic call (next period) or its half-open probe.
        fakes["gemini"].Behaviour = (_, _) => "ok";
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("gemini", await router.Served());
    }

    [Fact]
    public async Task A_success_of_a_call_sent_before_the_breaker_opened_does_not_close_it()
    {
        var time = new ManualTimeProvider();
        using var gate = new ManualResetEventSlim();
        using var entered = new ManualResetEventSlim();
        var (router, fakes) = Routers.Create(FailoverFrom("openai"), Three, time);
        fakes["openai"].Behaviour = (n, _) =>
        {
            if (n != 1) throw FakeProvider.Status("openai", 503);
            entered.Set();
            gate.Wait(TimeSpan.FromSeconds(20));
            return "late";
        };
        var slow = Task.Run(() => router.Served(), TestContext.Current.CancellationToken);
        Assert.True(entered.Wait(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        for (var i = 0; i < 5; i++) Assert.Equal("anthropic", await router.Served());
        Assert.Equal(BreakerState.Open, router.GetHealth("openai").State);
        var openUntil = router.GetHealth("openai").OpenUntil;

        gate.Set();
        Assert.Equal("openai", await slow); // the caller gets its answer…
        Assert.Equal(BreakerState.Open, router.GetHealth("openai").State); // …but the breaker stays open
        Assert.Equal(openUntil, router.GetHealth("openai").OpenUntil);
        Assert.Equal("anthropic", await router.Served());
    }

    [Fact]
    public async Task A_failure_of_a_call_sent_before_a_probe_closed_the_breaker_does_not_reopen_it()
    {
        var time = new ManualTimeProvider();
        using var gate = new ManualResetEventSlim();
        using var entered = new ManualResetEventSlim();
        var options = FailoverFrom("openai");
        options.BreakerFailureThreshold = 1;
        var (router, fakes) = Routers.Create(options, Three, time);
        fakes["openai"].Behaviour = (n, _) =>
        {
            if (n == 2) throw FakeProvider.Status("openai", 503);
            if (n != 1) return "ok";
            entered.Set();
            gate.Wait(TimeSpan.FromSeconds(20));
            throw FakeProvider.Status("openai", 503);
        };
        var slow = Task.Run(() => router.Served(), TestContext.Current.CancellationToken);
        Assert.True(entered.Wait(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.Equal("anthropic", await router.Served()); // opens openai's breaker
        Assert.Equal(BreakerState.Open, router.GetHealth("openai").State);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("openai", await router.Served()); // the probe closes it
        Assert.Equal(BreakerState.Closed, router.GetHealth("openai").State);
        gate.Set();
        Assert.Equal("anthropic", await slow); // failed over, as always
        Assert.Equal(BreakerState.Closed, router.GetHealth("openai").State);
        Assert.Equal(0, router.GetHealth("openai").ConsecutiveFailures);
    }

    [Fact]
    public async Task Weighted_split_holds_over_many_fresh_routers_of_two_calls_each()
    {
        var options = Routers.Env(("LLM_ROUTING_STRATEGY", "weighted"), ("PROVIDER_WEIGHTS", "openai:75,anthropic:25"));
        int openai = 0, total = 0;
        for (var process = 0; process < 300; process++)
        {
            var fakes = new[] { new FakeProvider("openai"), new FakeProvider("anthropic") };
            // random: null = Random.Shared, as a fresh process gets.
            var router = new ProviderRoutingChatClient(fakes.Select(f => new KeyValuePair<string, IChatClient>(f.Name, f)), options);
            await router.Served();
            await router.Served();
            openai += fakes[0].Calls;
            total += 2;
        }
        var share = 100.0 * openai / total;
        output.WriteLine($"openai share over 300 routers × 2 calls: {share:0.0} %");
        Assert.InRange(share, 65, 85);
    }

    [Fact]
    public async Task Three_percent_429s_from_loopback_providers_still_serve_95_percent_of_calls()
    {
        const int Calls = 600, Concurrency = 100;
        var ct = TestContext.Current.CancellationToken;
        var faults = new Random(14);
        int limited = 0;
        Task Handle(RecordedRequest request, Responder responder, CancellationToken token)
        {
            bool fail;
            lock (faults) fail = faults.NextDouble() < 0.03;
            if (fail)
            {
                Interlocked.Increment(ref limited);
                return responder.JsonAsync(429, """{"error":{"message":"rate limited","type":"rate_limit_error"}}""", ("Retry-After", "1"));
            }
            return responder.JsonAsync(200, """
                {"id":"c1","object":"chat.completion","created":1,"model":"local-model","choices":[{"index":0,"message":{"role":"assistant","content":"pong"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}
                """);
        }
        await using var s1 = new LoopbackServer(Handle);
        await using var s2 = new LoopbackServer(Handle);
        await using var s3 = new LoopbackServer(Handle);
        var registry = AxonProviderRegistry.CreateDefault();
        IChatClient Client(LoopbackServer s)
        {
            var env = new Dictionary<string, string?> { ["AXON_CUSTOM_API_KEY"] = "sk-test", ["AXON_CUSTOM_BASE_URL"] = s.BaseUrl + "/v1", ["AXON_CUSTOM_MODEL"] = "local-model" };
            return registry.Create("custom", new AxonProviderOptions { Timeout = TimeSpan.FromSeconds(10) }, environment: env.GetValueOrDefault);
        }
        var providers = new Dictionary<string, IChatClient> { ["p1"] = Client(s1), ["p2"] = Client(s2), ["p3"] = Client(s3) };
        var router = new ProviderRoutingChatClient(providers, new RoutingOptions { Strategy = RoutingStrategyKind.RoundRobin });

        int ok = 0, failed = 0, next = -1;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) < Calls)
            {
                try
                {
                    await router.GetResponseAsync(Routers.Hello, null, ct);
                    Interlocked.Increment(ref ok);
                }
                catch (AxonProviderException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }, ct)));
        output.WriteLine($"{Calls} calls at concurrency {Concurrency}: {ok} ok, {failed} failed, {limited} answered 429, {watch.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(Calls, ok + failed);
        Assert.True(limited > 0, "no 429 was injected");
        Assert.True(ok >= Calls * 0.95, $"only {ok} of {Calls} succeeded");
        foreach (var p in providers.Values) p.Dispose();
    }
}
