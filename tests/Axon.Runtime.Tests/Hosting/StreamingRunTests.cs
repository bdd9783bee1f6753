using System.Runtime.CompilerServices;
using Axon.Runtime.Anchors;
using Axon.Runtime.Execution;
using Axon.Runtime.Model;
using Axon.Runtime.SemanticTypes;
using Axon.Runtime.Tests.Support;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Tests.Hosting;

/// <summary><c>StreamAsync</c>: the run's progress in order, text from the provider's stream, cancellation.</summary>
public sealed class StreamingRunTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Streams each answer in three pieces; counts calls and cancelled streams.</summary>
    private sealed class ChunkedChatClient(Func<int, string> answer, TimeSpan? delay = null) : IChatClient
    {
        public int Calls;
        public int Cancelled;

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            var updates = new List<ChatResponseUpdate>();
            await foreach (var u in GetStreamingResponseAsync(messages, options, cancellationToken)) updates.Add(u);
            return updates.ToChatResponse();
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var n = Interlocked.Increment(ref Calls);
            var text = answer(n);
            var third = Math.Max(1, text.Length / 3);
            var pieces = new[] { text[..third], text[third..Math.Min(text.Length, 2 * third)], text[Math.Min(text.Length, 2 * third)..] };
            foreach (var piece in pieces)
            {
                try
                {
                    if (delay is { } d) await Task.Delay(d, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref Cancelled);
                    throw;
                }
                yield return new ChatResponseUpdate(ChatRole.Assistant, piece) { ModelId = "chunky" };
            }
            yield return new ChatResponseUpdate { Contents = [new UsageContent(new UsageDetails { InputTokenCount = 7, OutputTokenCount = 3 })] };
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;
        public void Dispose() { }
    }

    private static AxonRuntime Runtime(IChatClient client) =>
        new(new AxonRunOptions { ChatClient = client, Backend = "openai", OutputDirectory = "" });

    [Fact]
    public async Task Updates_come_in_order_with_text_from_the_providers_stream_and_the_typed_result_last()
    {
        var client = new ChunkedChatClient(n => n == 1 ? "The customer was charged twice." : """{"category":"billing","urgency":0.8}""");
        var flow = new FlowDefinition("Triage",
        [
            new StepNode("Understand") { Ask = "What happened?" },
            new StepNode("Classify") { Ask = "Classify.", Given = "Understand.output" },
        ]);
        var updates = new List<AxonRunUpdate>();
        await foreach (var u in AxonGeneratedCode.StreamAsync<Verdict>(Runtime(client), null, new RunDefinition(flow), new Dictionary<string, object?>(), Ct))
            updates.Add(u);

        var kinds = updates.Select(u => u switch
        {
            AxonStepStarted s => "start:" + s.Step,
            AxonTextDelta d => "text:" + d.Step,
            AxonStepCompleted c => "done:" + c.Result.Name,
            AxonRunCompleted => "run",
            _ => u.GetType().Name,
        }).Distinct().ToArray();
        Assert.Equal(["start:Understand", "text:Understand", "done:Understand", "start:Classify", "text:Classify", "done:Classify", "run"], kinds);
        Assert.Equal("The customer was charged twice.", string.Concat(updates.OfType<AxonTextDelta>().Where(d => d.Step == "Understand").Select(d => d.Text)));
        Assert.True(updates.OfType<AxonTextDelta>().Count(d => d.Step == "Understand") >= 3);
        var completed = Assert.IsType<AxonRunCompleted<Verdict>>(updates[^1]);
        Assert.Equal(RunStatus.Completed, completed.Result.Status);
        Assert.True(completed.Value is not null, "output: " + completed.Result.Output + " json: " + completed.Result.OutputJson?.ToJsonString());
        Assert.Equal("billing", completed.Value!.Category);
        Assert.Equal(0.8, completed.Value.Urgency);
        var classify = updates.OfType<AxonStepCompleted>().Single(c => c.Result.Name == "Classify");
        Assert.Equal("billing", classify.GetOutput<Verdict>()!.Category);
        // Usage from the stream's usage update reaches the step result.
        Assert.Equal(7, classify.Result.Usage.InputTokens);
    }

    private sealed record Verdict(string Category, double Urgency);

    [Fact]
    public async Task Anchor_verdicts_are_streamed()
    {
        var client = new ChunkedChatClient(_ => "A plain answer with no citation at all.");
        var anchor = new AnchorDefinition("MustCite") { Require = "citations", OnViolation = "warn" };
        var run = new RunDefinition(new FlowDefinition("F", [new StepNode("A") { Ask = "a" }])) { Anchors = [anchor] };
        var updates = new List<AxonRunUpdate>();
        await foreach (var u in Runtime(client).StreamAsync(run, null, Ct)) updates.Add(u);
        var verdict = Assert.Single(updates.OfType<AxonAnchorChecked>());
        Assert.Equal("MustCite", verdict.Verdict.Anchor);
        Assert.False(verdict.Verdict.Passed);
        Assert.True(updates.IndexOf(verdict) < updates.FindIndex(u => u is AxonStepCompleted));
    }

    [Fact]
    public async Task Stopping_the_enumeration_cancels_the_run_and_leaves_nothing_running()
    {
        var client = new ChunkedChatClient(_ => "a long answer that keeps coming", TimeSpan.FromMilliseconds(200));
        var flow = new FlowDefinition("Slow", [new StepNode("A") { Ask = "a" }, new StepNode("B") { Ask = "b" }, new StepNode("C") { Ask = "c" }]);
        await foreach (var u in Runtime(client).StreamAsync(new RunDefinition(flow), null, Ct))
            if (u is AxonTextDelta) break; // the consumer goes away after the first piece of text

        // The run was cancelled inside the first step's stream and no later step was called.
        Assert.Equal(1, client.Calls);
        Assert.Equal(1, client.Cancelled);
        await Task.Delay(500, Ct);
        Assert.Equal(1, client.Calls);
    }

    [Fact]
    public async Task A_failed_run_throws_from_the_typed_stream()
    {
        var client = new ScriptedChatClient(_ => throw new InvalidOperationException("provider down"));
        var flow = new FlowDefinition("F", [new StepNode("A") { Ask = "a" }]);
        var updates = new List<AxonRunUpdate>();
        var ex = await Assert.ThrowsAsync<AxonRunFailedException>(async () =>
        {
            await foreach (var u in AxonGeneratedCode.StreamAsync<string>(Runtime(client), null, new RunDefinition(flow), new Dictionary<string, object?>(), Ct))
                updates.Add(u);
        });
        Assert.Contains("provider down", ex.Message);
        Assert.Contains(updates, u => u is AxonStepStarted { Step: "A" });
    }
}
