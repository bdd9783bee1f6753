using Axon.Runtime.Providers;
using Axon.Runtime.Routing;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Tests.Routing;

public class StrategyTests
{
    private static readonly string[] Three = ["openai", "anthropic", "gemini"];

    [Fact]
    public async Task Weighted_50_30_20_over_1000_calls_gives_exactly_the_proportions()
    {
        var options = Routers.Env(("PROVIDER_WEIGHTS", "openai:50,anthropic:30,gemini:20"));
        var (router, fakes) = Routers.Create(options, Three);

        var sequence = new List<string>();
        for (var i = 0; i < 1000; i++) sequence.Add(await router.Served());

        Assert.Equal(500, fakes["openai"].Calls);
        Assert.Equal(300, fakes["anthropic"].Calls);
        Assert.Equal(200, fakes["gemini"].Calls);
        // Smooth: every window of one period (10 calls) already has the exact mix, no bursts.
        for (var start = 0; start + 10 <= sequence.Count; start += 10)
        {
            var window = sequence.Skip(start).Take(10).ToList();
            Assert.Equal(5, window.Count(p => p == "openai"));
            Assert.Equal(3, window.Count(p => p == "anthropic"));
            Assert.Equal(2, window.Count(p => p == "gemini"));
        }
    }

    [Fact]
    public async Task Weighted_normalised_weights_route_like_their_integer_ratio()
    {
        var (a, _) = Routers.Create(Routers.Env(("PROVIDER_WEIGHTS", "openai:0.5,anthropic:0.3,gemini:0.2")), Three);
        var (b, _) = Routers.Create(Routers.Env(("PROVIDER_WEIGHTS", "openai:5,anthropic:3,gemini:2")), Three);
        for (var i = 0; i < 200; i++) Assert.Equal(await b.Served(), await a.Served());
    }

    [Fact]
    public async Task Weighted_share_of_an_open_provider_is_redistributed_in_proportion()
    {
        var time = new ManualTimeProvider();
        var options = Routers.Env(("PROVIDER_WEIGHTS", "openai:50,anthropic:30,gemini:20"));
        var (router, fakes) = Routers.Create(options, Three, time);
        fakes["gemini"].Behaviour = (_, _) => throw FakeProvider.Status("gemini", 503);
        // Open gemini's breaker: five consecutive failures (each fails over, so every call still succeeds).
        while (router.GetHealth("gemini").State != BreakerState.Open) await router.Served();
        var before = (o: fakes["openai"].Calls, a: fakes["anthropic"].Calls, g: fakes["gemini"].Calls);

        for (var i = 0; i < 800; i++) await router.Served();

        Assert.Equal(before.g, fakes["gemini"].Calls); // never called while open
        // 50/80 and 30/80 of 800; smooth WRR may carry one call of credit from before gemini dropped out.
        Assert.InRange(fakes["openai"].Calls - before.o, 499, 501);
        Assert.InRange(fakes["anthropic"].Calls - before.a, 299, 301);
    }

    [Fact]
    public async Task Weighted_provider_missing_from_the_weights_gets_no_calls_while_others_are_healthy()
    {
        var (router, fakes) = Routers.Create(Routers.Env(("PROVIDER_WEIGHTS", "openai:1,anthropic:1")), Three);
        for (var i = 0; i < 100; i++) await router.Served();
        Assert.Equal(0, fakes["gemini"].Calls);
        Assert.Equal(50, fakes["openai"].Calls);
    }

    [Fact]
    public async Task Round_robin_rotates_evenly()
    {
        var (router, fakes) = Routers.Create(Routers.Env(("LLM_ROUTING_STRATEGY", "round_robin")), Three);
        var sequence = new List<string>();
        for (var i = 0; i < 999; i++) sequence.Add(await router.Served());
        Assert.All(fakes.Values, f => Assert.Equal(333, f.Calls));
        for (var i = 3; i < sequence.Count; i++) Assert.Equal(sequence[i - 3], sequence[i]); // a strict rotation
    }

    [Fact]
    public async Task Round_robin_keeps_the_others_order_when_a_provider_drops_out_and_returns()
    {
        var time = new ManualTimeProvider();
        string[] four = ["a", "b", "c", "d"];
        var options = Routers.Env(("LLM_ROUTING_STRATEGY", "round_robin"));
        options.BreakerFailureThreshold = 1;
        var (router, fakes) = Routers.Create(options, four, time);
        var first = await router.Served();
        var order = Enumerable.Range(0, 4).Select(k => four[(Array.IndexOf(four, first) + k) % 4]).ToArray();

        // Take "c" out (breaker opens on its next call), then check the rotation skips it without reshuffling.
        fakes["c"].Behaviour = (_, _) => throw FakeProvider.Status("c", 500);
        var seen = new List<string> { first };
        for (var i = 0; i < 11; i++) seen.Add(await router.Served());
        fakes["c"].Behaviour = (_, _) => "ok";
        Assert.Equal(BreakerState.Open, router.GetHealth("c").State);
        var withoutC = order.Where(p => p != "c").ToArray();
        var tail = seen.TakeLast(6).ToArray();
        for (var i = 1; i < tail.Length; i++)
            Assert.Equal(withoutC[(Array.IndexOf(withoutC, tail[i - 1]) + 1) % 3], tail[i]);

        // Back after the open period: the probe goes to c in its old slot and the full rotation resumes.
        time.Advance(TimeSpan.FromSeconds(31));
        var after = new List<string>();
        for (var i = 0; i < 8; i++) after.Add(await router.Served());
        Assert.Equal(BreakerState.Closed, router.GetHealth("c").State);
        for (var i = 1; i < after.Count; i++)
            Assert.Equal(order[(Array.IndexOf(order, after[i - 1]) + 1) % 4], after[i]);
    }

    [Fact]
    public async Task Failover_tries_the_primary_then_the_others_by_weight()
    {
        var options = Routers.Env(("LLM_ROUTING_STRATEGY", "failover"), ("DEFAULT_LLM_PROVIDER", "gemini"),
            ("PROVIDER_WEIGHTS", "openai:20,anthropic:50,gemini:30"));
        var sink = new RecordingSink();
        var (router, fakes) = Routers.Create(options, Three, sink: sink);
        Assert.Equal("gemini", await router.Served()); // healthy primary takes everything
        Assert.Equal("gemini", await router.Served());

        foreach (var f in fakes.Values) f.Behaviour = (_, _) => throw FakeProvider.Status(f.Name, 503);
        sink.Decisions.Clear();
        var error = await Assert.ThrowsAsync<AxonProviderException>(() => router.Served());
        Assert.Equal(["gemini", "anthropic", "openai"], sink.Decisions.Select(d => d.Chosen));
        Assert.Equal([1, 2, 3], sink.Decisions.Select(d => d.Attempt));
        Assert.Equal([RoutingReason.Strategy, RoutingReason.Failover, RoutingReason.Failover], sink.Decisions.Select(d => d.Reason));
        Assert.Equal("anthropic", sink.Decisions[2].Previous);
        Assert.Equal("openai", error.Provider); // the last attempt's error
        Assert.Equal(ProviderErrorKind.ServerError, error.Kind);
    }

    [Fact]
    public async Task Failover_hop_limit_bounds_the_attempts()
    {
        var options = Routers.Env(("LLM_ROUTING_STRATEGY", "failover"), ("DEFAULT_LLM_PROVIDER", "openai"), ("LLM_FAILOVER_MAX_HOPS", "1"));
        var (router, fakes) = Routers.Create(options, Three);
        foreach (var f in fakes.Values) f.Behaviour = (_, _) => throw FakeProvider.Status(f.Name, 502);
        await Assert.ThrowsAsync<AxonProviderException>(() => router.Served());
        Assert.Equal(2, fakes.Values.Sum(f => f.Calls));
        Assert.Equal(1, fakes["openai"].Calls);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(422)]
    public async Task Request_errors_are_not_failed_over_or_counted(int status)
    {
        var options = Routers.Env(("LLM_ROUTING_STRATEGY", "failover"), ("DEFAULT_LLM_PROVIDER", "openai"));
        var (router, fakes) = Routers.Create(options, Three);
        fakes["openai"].Behaviour = (_, _) => throw FakeProvider.Status("openai", status);
        for (var i = 0; i < 6; i++)
        {
            var error = await Assert.ThrowsAsync<AxonProviderException>(() => router.Served());
            Assert.Equal(status, error.StatusCode);
        }
        Assert.Equal(6, fakes["openai"].Calls);
        Assert.Equal(0, fakes["anthropic"].Calls + fakes["gemini"].Calls);
        Assert.Equal(BreakerState.Closed, router.GetHealth("openai").State);
    }

    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    public async Task Transient_statuses_fail_over(int status)
    {
        var options = Routers.Env(("LLM_ROUTING_STRATEGY", "failover"), ("DEFAULT_LLM_PROVIDER", "openai"));
        var (router, fakes) = Routers.Create(options, Three);
        fakes["openai"].Behaviour = (_, _) => throw FakeProvider.Status("openai", status);
        var response = await router.GetResponseAsync(Routers.Hello, cancellationToken: TestContext.Current.CancellationToken);
        Assert.NotEqual("openai", response.AdditionalProperties![ProviderRoutingChatClient.ProviderPropertyKey]);
        Assert.Equal(2, response.AdditionalProperties[ProviderRoutingChatClient.AttemptsPropertyKey]);
    }

    [Fact]
    public async Task Cost_optimized_picks_the_cheapest_and_moves_to_the_next_cheapest_on_failure()
    {
        var options = Routers.Env(("LLM_ROUTING_STRATEGY", "cost_optimized"),
            ("PROVIDER_COSTS", "openai:0.03,anthropic:0.025,ollama:0"));
        var sink = new RecordingSink();
        var (router, fakes) = Routers.Create(options, ["openai", "anthropic", "ollama"], sink: sink);
        Assert.Equal("ollama", await router.Served());
        Assert.Equal(0m, sink.Decisions[0].Cost);

        fakes["ollama"].Behaviour = (_, _) => throw new HttpRequestException("refused", new System.Net.Sockets.SocketException(111));
        sink.Decisions.Clear();
        Assert.Equal("anthropic", await router.Served());
        Assert.Equal(["ollama", "anthropic"], sink.Decisions.Select(d => d.Chosen));
        fakes["anthropic"].Behaviour = (_, _) => throw FakeProvider.Status("anthropic", 529);
        Assert.Equal("openai", await router.Served());
    }

    [Fact]
    public async Task Cost_optimized_uses_the_price_table_with_the_token_estimate()
    {
        // a: cheap input, dear output; b: the reverse. Which is cheaper depends on the estimated tokens.
        var prices = new PriceTable().Add("a", "m-a", 1m, 100m).Add("b", "m-b", 50m, 2m);
        var options = new RoutingOptions { Strategy = RoutingStrategyKind.CostOptimized };
        var sink = new RecordingSink();
        var (router, _) = Routers.Create(options, ["a", "b"], sink: sink, prices: prices, defaultModel: n => "m-" + n);

        var longPrompt = new[] { new ChatMessage(ChatRole.User, new string('x', 40_000)) }; // ≈ 10 000 input tokens
        var ct = TestContext.Current.CancellationToken;
        var r1 = await router.GetResponseAsync(longPrompt, new ChatOptions { MaxOutputTokens = 10 }, ct);
        Assert.Equal("a", r1.AdditionalProperties![ProviderRoutingChatClient.ProviderPropertyKey]);
        var r2 = await router.GetResponseAsync(Routers.Hello, new ChatOptions { MaxOutputTokens = 4000 }, ct);
        Assert.Equal("b", r2.AdditionalProperties![ProviderRoutingChatClient.ProviderPropertyKey]);
        var expected = new ModelPrice(50m, 2m).Estimate(2 + 4, 4000); // "hello" = 2 tokens + 4 per message
        Assert.Equal(expected, sink.Decisions[1].Cost);
    }

    [Fact]
    public async Task Latency_aware_sends_most_calls_to_the_fast_provider()
    {
        var time = new ManualTimeProvider();
        var options = new RoutingOptions { Strategy = RoutingStrategyKind.LatencyAware };
        var (router, fakes) = Routers.Create(options, ["slow", "fast", "medium"], time, seed: 42);
        fakes["slow"].Behaviour = (_, _) => { time.Advance(TimeSpan.FromMilliseconds(900)); return "ok"; };
        fakes["medium"].Behaviour = (_, _) => { time.Advance(TimeSpan.FromMilliseconds(300)); return "ok"; };
        fakes["fast"].Behaviour = (_, _) => { time.Advance(TimeSpan.FromMilliseconds(100)); return "ok"; };
        for (var i = 0; i < 900; i++) await router.Served();
        // P2C: the slowest provider wins no comparison once measured, the fastest wins every one it is in.
        Assert.True(fakes["slow"].Calls <= 3, $"slow got {fakes["slow"].Calls}");
        Assert.True(fakes["fast"].Calls > 550, $"fast got {fakes["fast"].Calls}");
        Assert.True(fakes["fast"].Calls > fakes["medium"].Calls);
    }

    [Fact]
    public async Task Allow_list_restricts_the_candidates()
    {
        var options = Routers.Env(("LLM_PROVIDERS", "anthropic, gemini"), ("LLM_ROUTING_STRATEGY", "round_robin"));
        var sink = new RecordingSink();
        var (router, fakes) = Routers.Create(options, Three, sink: sink);
        for (var i = 0; i < 10; i++) await router.Served();
        Assert.Equal(0, fakes["openai"].Calls);
        Assert.Equal(5, fakes["anthropic"].Calls);
        Assert.All(sink.Decisions, d => Assert.Equal(["anthropic", "gemini"], d.Candidates));
        Assert.Equal(["anthropic", "gemini"], router.EnabledProviders);
    }
}
