using System.Diagnostics;
using Axon.Runtime.Execution;
using Axon.Runtime.Model;
using Axon.Runtime.Tests.Support;
using Axon.Runtime.Tracing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Axon.Runtime.Tests.Hosting;

/// <summary>The runtime over Microsoft.Extensions.AI pipelines: one chat span per model call, the caller's middleware runs.</summary>
public sealed class ChatPipelineTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly FlowDefinition TwoSteps = new("PipelineFlow",
        [new StepNode("A") { Ask = "first" }, new StepNode("B") { Ask = "second" }]);

    /// <summary>Collects the activities of one test, by a trace id of its own root activity.</summary>
    private sealed class SpanCollector : IDisposable
    {
        private readonly ActivityListener _listener;
        private readonly List<Activity> _stopped = [];
        private readonly Activity _root;

        public SpanCollector(params string[] sources)
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = s => sources.Contains(s.Name),
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = a => { lock (_stopped) _stopped.Add(a); },
            };
            ActivitySource.AddActivityListener(_listener);
            _root = new Activity("test-root").Start();
        }

        public Activity[] Mine()
        {
            lock (_stopped) return _stopped.Where(a => a.TraceId == _root.TraceId).ToArray();
        }

        public void Dispose()
        {
            _root.Stop();
            _listener.Dispose();
        }
    }

    [Fact]
    public async Task Each_model_call_is_one_chat_span_under_the_step_span()
    {
        using var spans = new SpanCollector(AxonTelemetry.Name);
        var client = new ScriptedChatClient(_ => "ok") { ProviderName = "openai" };
        await new AxonRuntime(TestKit.Options(client)).RunAsync(TwoSteps, new Dictionary<string, object?>(), Ct);

        var chats = spans.Mine().Where(a => (string?)a.GetTagItem("gen_ai.operation.name") == "chat").ToArray();
        Assert.Equal(2, chats.Length);
        Assert.All(chats, c => Assert.Equal("openai", c.GetTagItem("gen_ai.provider.name")));
        Assert.All(chats, c => Assert.Equal(10, Convert.ToInt32(c.GetTagItem("gen_ai.usage.input_tokens"))));
        // Every chat span has a parent span of the runtime (the step), not the test root.
        Assert.All(chats, c => Assert.Contains(spans.Mine(), p => p.SpanId == c.ParentSpanId && p.Source.Name == AxonTelemetry.Name));
    }

    [Fact]
    public async Task A_callers_pipeline_with_OpenTelemetry_gets_no_second_chat_span()
    {
        using var spans = new SpanCollector(AxonTelemetry.Name, "UserApp");
        var scripted = new ScriptedChatClient(_ => "ok") { ProviderName = "openai" };
        // What a user builds with AddChatClient(...).UseOpenTelemetry(): their own source name.
        var userPipeline = scripted.AsBuilder().UseOpenTelemetry(sourceName: "UserApp").Build();
        await new AxonRuntime(new AxonRunOptions { ChatClient = userPipeline, Backend = "openai", OutputDirectory = "" })
            .RunAsync(TwoSteps, new Dictionary<string, object?>(), Ct);

        var chats = spans.Mine().Where(a => (string?)a.GetTagItem("gen_ai.operation.name") == "chat").ToArray();
        Assert.Equal(2, chats.Length);
        Assert.All(chats, c => Assert.Equal("UserApp", c.Source.Name));
        Assert.Equal(2, scripted.Calls.Count);
    }

    [Fact]
    public async Task The_callers_distributed_cache_and_function_invocation_work_under_the_runtime()
    {
        var scripted = new ScriptedChatClient(_ => "cached answer") { ProviderName = "openai" };
        var cache = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        var userPipeline = scripted.AsBuilder().UseDistributedCache(cache).UseFunctionInvocation().Build();
        var runtime = new AxonRuntime(new AxonRunOptions { ChatClient = userPipeline, Backend = "openai", OutputDirectory = "" });
        var flow = new FlowDefinition("Cached", [new StepNode("A") { Ask = "same question" }]);

        var first = await runtime.RunAsync(flow, new Dictionary<string, object?>(), Ct);
        var second = await runtime.RunAsync(flow, new Dictionary<string, object?>(), Ct);

        Assert.Equal("cached answer", first.Output);
        Assert.Equal("cached answer", second.Output);
        Assert.Single(scripted.Calls); // the second identical prompt was served by the user's cache
    }

    [Fact]
    public void The_runtime_adds_the_Axon_telemetry_client_only_when_the_pipeline_has_none()
    {
        var plain = new ScriptedChatClient();
        var wrapped = AxonChatPipeline.WithTelemetry(plain);
        Assert.NotSame(plain, wrapped);
        Assert.NotNull(wrapped.GetService<OpenTelemetryChatClient>());

        var withOtel = plain.AsBuilder().UseOpenTelemetry().Build();
        Assert.Same(withOtel, AxonChatPipeline.WithTelemetry(withOtel));
    }
}

/// <summary>Secrets stay off the chat span when a provider's error message echoes one.</summary>
public sealed class ChatSpanRedactionTests
{
    [Fact]
    public async Task A_key_in_a_provider_error_never_reaches_the_span_status()
    {
        const string key = "sk-ant-api03-SPANSPANSPANSPAN0123456789";
        var stopped = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == AxonTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (stopped) stopped.Add(a); },
        };
        ActivitySource.AddActivityListener(listener);
        using var root = new Activity("redaction-root").Start();
        var client = new ScriptedChatClient(_ => throw new HttpRequestException($"401: invalid x-api-key: {key}")) { ProviderName = "anthropic" };
        var options = TestKit.Options(client);
        options.Secrets.Add(key);
        var result = await new AxonRuntime(options).RunAsync(new FlowDefinition("F", [new StepNode("A") { Ask = "a" }]),
            new Dictionary<string, object?>(), TestContext.Current.CancellationToken);

        Assert.Equal(RunStatus.Failed, result.Status);
        Activity[] chats;
        lock (stopped) chats = stopped.Where(a => a.TraceId == root.TraceId && (string?)a.GetTagItem("gen_ai.operation.name") == "chat").ToArray();
        Assert.NotEmpty(chats);
        foreach (var chat in chats)
        {
            Assert.Equal(ActivityStatusCode.Error, chat.Status);
            Assert.Contains("401", chat.StatusDescription);
            Assert.DoesNotContain("SPANSPAN", chat.StatusDescription);
            foreach (var tag in chat.TagObjects) Assert.DoesNotContain("SPANSPAN", tag.Value?.ToString() ?? "");
        }
    }
}
