using System.Diagnostics;
using Axon.Runtime.Providers;
using Axon.Runtime.Routing;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Tests.Routing;

public class StreamingTests
{
    private static readonly string[] Two = ["openai", "anthropic"];

    private static RoutingOptions Failover(bool requireFinish = false)
    {
        var o = Routers.Env(("LLM_ROUTING_STRATEGY", "failover"), ("DEFAULT_LLM_PROVIDER", "openai"));
        o.RequireStreamFinishReason = requireFinish;
        return o;
    }

    private static async Task<List<ChatResponseUpdate>> Drain(IChatClient router)
    {
        var list = new List<ChatResponseUpdate>();
        await foreach (var u in router.GetStreamingResponseAsync(Routers.Hello, null, TestContext.Current.CancellationToken)) list.Add(u);
        return list;
    }

    [Fact]
    public async Task Failure_before_the_first_update_fails_over()
    {
        var (router, fakes) = Routers.Create(Failover(), Two);
        fakes["openai"].Behaviour = (_, _) => throw FakeProvider.Status("openai", 503);
        var updates = await Drain(router);
        Assert.Equal("abc", string.Concat(updates.Select(u => u.Text)));
        Assert.Equal("anthropic", updates[0].AdditionalProperties![ProviderRoutingChatClient.ProviderPropertyKey]);
        Assert.Equal(1, fakes["openai"].Calls);
    }

    [Fact]
    public async Task Failure_before_the_first_chunk_arrives_also_fails_over()
    {
        var (router, fakes) = Routers.Create(Failover(), Two);
        fakes["openai"].StreamFailAfter = 0;
        var updates = await Drain(router);
        Assert.Equal("anthropic", updates[0].AdditionalProperties![ProviderRoutingChatClient.ProviderPropertyKey]);
    }

    [Fact]
    public async Task An_empty_stream_is_a_cut_and_fails_over_because_nothing_was_delivered()
    {
        var (router, fakes) = Routers.Create(Failover(), Two);
        fakes["openai"].StreamChunks = [];
        var updates = await Drain(router);
        Assert.Equal("anthropic", updates[0].AdditionalProperties![ProviderRoutingChatClient.ProviderPropertyKey]);
        Assert.Equal(1, router.GetHealth("openai").ConsecutiveFailures);
    }

    [Fact]
    public async Task A_stream_cut_after_it_started_is_an_error_and_never_fails_over()
    {
        var (router, fakes) = Routers.Create(Failover(), Two);
        fakes["openai"].StreamFailAfter = 2;
        var received = new List<string>();
        var error = await Assert.ThrowsAsync<AxonProviderException>(async () =>
        {
            await foreach (var u in router.GetStreamingResponseAsync(Routers.Hello, null, TestContext.Current.CancellationToken))
                received.Add(u.Text);
        });
        Assert.Equal(ProviderErrorKind.TruncatedStream, error.Kind);
        Assert.Equal(["a", "b"], received);
        Assert.Equal(0, fakes["anthropic"].Calls);
        Assert.Equal(1, router.GetHealth("openai").ConsecutiveFailures);
    }

    [Fact]
    public async Task A_stream_without_a_finish_reason_is_a_cut_when_required()
    {
        var (router, fakes) = Routers.Create(Failover(requireFinish: true), Two);
        fakes["openai"].StreamSetsFinishReason = false;
        var error = await Assert.ThrowsAsync<AxonProviderException>(() => Drain(router));
        Assert.Equal(ProviderErrorKind.TruncatedStream, error.Kind);
        Assert.Equal(0, fakes["anthropic"].Calls);

        fakes["openai"].StreamSetsFinishReason = true;
        Assert.Equal(3, (await Drain(router)).Count);
    }

    [Fact]
    public async Task Pinned_streams_fail_with_the_pinned_error()
    {
        var (router, fakes) = Routers.Create(Failover(), Two);
        fakes["anthropic"].Behaviour = (_, _) => throw FakeProvider.Status("anthropic", 500);
        var pin = new ChatOptions().WithRoutingHints(new RoutingHints("anthropic", StrictProvider: true));
        await Assert.ThrowsAsync<ProviderPinnedException>(async () =>
        {
            await foreach (var _ in router.GetStreamingResponseAsync(Routers.Hello, pin, TestContext.Current.CancellationToken)) { }
        });
        Assert.Equal(0, fakes["openai"].Calls);
    }
}

public class TelemetryTests
{
    [Fact]
    public async Task Decisions_go_to_the_sink_and_onto_the_activity()
    {
        var stopped = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == RoutingTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (stopped) stopped.Add(a); },
        };
        ActivitySource.AddActivityListener(listener);

        ActivitySpanId parentId;
        var sink = new RecordingSink();
        var options = Routers.Env(("LLM_ROUTING_STRATEGY", "failover"), ("DEFAULT_LLM_PROVIDER", "openai"));
        var (router, fakes) = Routers.Create(options, ["openai", "anthropic", "gemini"], sink: sink);
        fakes["openai"].Behaviour = (_, _) => throw FakeProvider.Status("openai", 502);
        using (var parent = new Activity("routing-test").Start())
        {
            Assert.Equal("anthropic", await router.Served());
            parentId = parent.SpanId;
        }

        Assert.Equal(2, sink.Decisions.Count);
        Assert.Equal(("failover", "openai", 1, RoutingReason.Strategy), (sink.Decisions[0].Strategy, sink.Decisions[0].Chosen, sink.Decisions[0].Attempt, sink.Decisions[0].Reason));
        Assert.Equal(["openai", "anthropic", "gemini"], sink.Decisions[0].Candidates);
        Assert.Equal(["anthropic", "gemini"], sink.Decisions[1].Candidates);
        Assert.Equal(RoutingReason.Failover, sink.Decisions[1].Reason);

        // Other tests may run concurrently: ours is the child of this test's own parent span.
        Activity span;
        lock (stopped) span = stopped.Single(a => a.ParentSpanId == parentId);
        Assert.Equal(RoutingTelemetry.ActivityName, span.OperationName);
        Assert.Equal("failover", span.GetTagItem("axon.route.strategy"));
        Assert.Equal(2, span.GetTagItem("axon.route.attempt"));
        Assert.Equal("failover", span.GetTagItem("axon.route.reason"));
        Assert.Equal("anthropic,gemini", span.GetTagItem("axon.route.candidates"));
        var decisions = span.Events.Where(e => e.Name == "axon.route.decision").ToList();
        Assert.Equal(2, decisions.Count);
        Assert.Equal("openai", decisions[0].Tags.Single(t => t.Key == "axon.route.chosen").Value);
        var failed = span.Events.Single(e => e.Name == "axon.route.attempt_failed");
        Assert.Equal(502, failed.Tags.Single(t => t.Key == "http.response.status_code").Value);
    }

    [Fact]
    public void A_routing_decision_does_not_allocate()
    {
        // Counts bytes, not time: 20 providers, weighted, a sink that keeps nothing.
        var names = Enumerable.Range(0, 20).Select(i => "p" + i).ToArray();
        var options = new RoutingOptions();
        for (var i = 0; i < names.Length; i++) options.Weights[names[i]] = i + 1;
        var (router, _) = Routers.Create(options, names, sink: new NullSink());
        var engine = router.Engine;
        var chosen = new int[names.Length];
        for (var i = 0; i < 1000; i++) Decide(engine, chosen); // warm up (JIT tiers)

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++) Decide(engine, chosen);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.InRange(chosen[19], 1046, 1049); // weight 20 of 210 over 11 000 decisions: the loop really routed
    }

    private static void Decide(RoutingEngine engine, int[] chosen)
    {
        var state = CallState.Create();
        chosen[engine.Decide(ref state, out _)]++;
    }

    private sealed class NullSink : IRoutingDecisionSink
    {
        public void OnDecision(in RoutingDecision decision)
        {
        }
    }
}
