using System.Text.Json.Nodes;
using Axon.Runtime.Execution;
using Axon.Runtime.Model;
using Axon.Runtime.Tests.Support;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Tests;

public class ExecutorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Outputs_are_passed_by_given_and_interpolation_and_params_bind()
    {
        var client = new ScriptedChatClient()
            .Then("ALPHA-OUTPUT")
            .Then("BETA-OUTPUT");
        var flow = new FlowDefinition("F", [
            new StepNode("A") { Given = "doc", Ask = "Summarise about {{topic}}" },
            new StepNode("B") { Given = "A.output", Ask = "Use {{A}} and {{ A.output }}" },
        ]) { Parameters = [new("doc", "Document"), new("topic", "String")] };
        var rt = TestKit.Runtime(client);

        var result = await rt.RunAsync(new RunDefinition(flow) { Arguments = ["the-doc-text", "topic:whales"] }, (IReadOnlyDictionary<string, object?>?)null, Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        var calls = client.CallList;
        Assert.Contains("the-doc-text", calls[0].User);
        Assert.Contains("Summarise about whales", calls[0].User);
        Assert.Contains("Given the input (A.output):\nALPHA-OUTPUT", calls[1].User);
        Assert.Contains("Use ALPHA-OUTPUT and ALPHA-OUTPUT", calls[1].User); // an unbound {{X}} fails the step (UnresolvedReferenceTests)
        Assert.Equal("BETA-OUTPUT", result.Output);
        Assert.Equal(2, result.Steps.Count);
        Assert.Equal(new TokenUsage(20, 10), result.TotalUsage);
    }

    [Fact]
    public async Task Named_arguments_override_and_unknown_names_are_rejected()
    {
        var client = new ScriptedChatClient(c => "ok:" + c.User);
        var flow = TestKit.Flow("F", new StepNode("A") { Given = "doc", Ask = "x" });
        var rt = TestKit.Runtime(client);
        var r = await rt.RunAsync(flow, new Dictionary<string, object?> { ["doc"] = new { title = "T1" } }, Ct);
        Assert.Contains("{\"title\":\"T1\"}", client.CallList[0].User);
        await Assert.ThrowsAsync<AxonFlowDefinitionException>(() => rt.RunAsync(flow, new Dictionary<string, object?> { ["nope"] = 1 }, Ct));
        await Assert.ThrowsAsync<AxonFlowDefinitionException>(() => rt.RunAsync(new RunDefinition(flow), new object?[] { "a", "b" }, Ct));
    }

    [Fact]
    public async Task Steps_run_in_dependency_order_even_when_listed_out_of_order()
    {
        var client = new ScriptedChatClient(c => c.User.Contains("first") ? "F1" : "S2:" + c.User);
        var flow = new FlowDefinition("F", [
            new StepNode("Second") { Ask = "second uses {{First}}" },
            new StepNode("First") { Ask = "first" },
        ]);
        var result = await TestKit.Runtime(client).RunAsync(flow, new Dictionary<string, object?>(), Ct);
        Assert.Equal(["First", "Second"], result.Steps.Select(s => s.Name));
        Assert.Contains("second uses F1", client.CallList[1].User);
    }

    [Fact]
    public async Task Cycle_is_rejected_before_any_call()
    {
        var client = new ScriptedChatClient(_ => "x");
        var flow = new FlowDefinition("F", [new StepNode("A") { Ask = "{{B}}" }, new StepNode("B") { Ask = "{{A}}" }]);
        var ex = await Assert.ThrowsAsync<AxonFlowDefinitionException>(() => TestKit.Runtime(client).RunAsync(flow, new Dictionary<string, object?>(), Ct));
        Assert.Contains("Cycle detected", ex.Message);
        Assert.Empty(client.Calls);
    }

    [Fact]
    public async Task Probe_extracts_fields_from_messy_json()
    {
        var client = new ScriptedChatClient().Then("Sure! Here it is:\n```json\n{\"vendor\": \"Acme\", \"amount\": \"12000\", \"confidence\": 0.8,}\n```\nHope that helps.");
        var flow = TestKit.Flow("F", new ProbeNode("doc", ["vendor", "amount"]));
        var result = await TestKit.Runtime(client).RunAsync(TestKit.Run(flow, "invoice text"), (IReadOnlyDictionary<string, object?>?)null, Ct);
        var probe = result["probe_doc"]!;
        Assert.Equal("Acme", probe.Json!["vendor"]!.GetValue<string>());
        Assert.Equal(0.8, probe.Confidence);
        var call = client.CallList[0];
        Assert.Contains("extract these specific fields: [vendor, amount]", call.User);
        var format = Assert.IsType<ChatResponseFormatJson>(call.Options!.ResponseFormat);
        Assert.Contains("\"vendor\"", format.Schema!.Value.GetRawText());
    }

    [Fact]
    public async Task Reason_asks_for_depth_and_chain_of_thought_and_is_typed()
    {
        var client = new ScriptedChatClient().Then("T").Then("{\"steps\":[\"a\",\"b\"],\"conclusion\":\"c\",\"confidence\":0.7}");
        var flow = TestKit.Flow("F",
            new StepNode("T") { Given = "doc", Ask = "timeline" },
            new ReasonNode { About = "RootCause", Given = ["T.output"], Depth = 3, ChainOfThought = true, Ask = "why?", OutputType = "ReasoningChain" });
        var result = await TestKit.Runtime(client).RunAsync(TestKit.Run(flow, "d"), (IReadOnlyDictionary<string, object?>?)null, Ct);
        Assert.Equal(RunStatus.Completed, result.Status);
        var prompt = client.CallList[1].User;
        Assert.Contains("Reason carefully about: RootCause", prompt);
        Assert.Contains("Perform 3 levels of analysis", prompt);
        Assert.Contains("chain of thought explicit", prompt);
        Assert.Contains("Given the input (T.output):\nT", prompt);
        Assert.Equal("c", result["RootCause"]!.Json!["conclusion"]!.GetValue<string>());
    }

    [Fact]
    public async Task Weave_synthesises_real_source_values_into_target()
    {
        var client = new ScriptedChatClient().Then("AAA").Then("BBB").Then("{\"content\":\"merged\",\"confidence\":0.9}");
        var flow = TestKit.Flow("F",
            new StepNode("A") { Ask = "a" }, new StepNode("B") { Ask = "b" },
            new WeaveNode(["A.output", "B.output"], "Draft") { Priority = ["x", "y"], Style = "terse" });
        var result = await TestKit.Runtime(client).RunAsync(TestKit.Run(flow, "d"), (IReadOnlyDictionary<string, object?>?)null, Ct);
        var prompt = client.CallList[2].User;
        Assert.Contains("- A.output:\nAAA", prompt);
        Assert.Contains("- B.output:\nBBB", prompt);
        Assert.Contains("x → y", prompt);
        Assert.Equal("merged", result["Draft"]!.Json!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task Typed_output_failure_feeds_refine_with_failure_context()
    {
        var types = new List<TypeDefinition> { new("Risk") { Fields = [new("score", "RiskScore"), new("note", new TypeReference("String", Optional: true))] } };
        var client = new ScriptedChatClient()
            .Then("{\"score\": 1.7, \"note\": null, \"confidence\": 0.9}")  // out of range
            .Then("no json at all")
            .Then("{\"score\": 0.4, \"note\": null, \"confidence\": 0.9}");
        var flow = new FlowDefinition("F", [new StepNode("Assess") { Ask = "assess", OutputType = "Risk" }]) { Types = types };
        var result = await TestKit.Runtime(client).RunAsync(flow, new Dictionary<string, object?>(), Ct);
        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal(3, result["Assess"]!.Attempts);
        Assert.Contains("exceeds maximum 1.0", client.CallList[1].User);
        Assert.Contains("previous answer was rejected", client.CallList[1].User);
        Assert.Contains("not valid JSON", client.CallList[2].User);
        Assert.Equal(30, result.TotalUsage.InputTokens); // all attempts counted
    }

    [Fact]
    public async Task Epistemic_type_mismatch_is_rejected()
    {
        var client = new ScriptedChatClient()
            .Then("{\"type\":\"Opinion\",\"claim\":\"x\",\"confidence\":0.9}")
            .Then("{\"type\":\"FactualClaim\",\"claim\":\"x\",\"confidence\":0.9}");
        var flow = new FlowDefinition("F", [new StepNode("S") { Ask = "fact", OutputType = "FactualClaim" }]);
        var result = await TestKit.Runtime(client).RunAsync(flow, new Dictionary<string, object?>(), Ct);
        Assert.Equal(2, result["S"]!.Attempts);
        Assert.Contains("Epistemic type mismatch", client.CallList[1].User);
    }

    [Fact]
    public async Task Refine_exhausts_with_declared_backoff_and_fails_the_run()
    {
        var time = new RecordingTimeProvider(DateTimeOffset.UnixEpoch);
        var client = new ScriptedChatClient(_ => "not json");
        var flow = new FlowDefinition("F", [
            new StepNode("S") { Ask = "x", OutputType = "Summary" },
            new RefineNode { MaxAttempts = 3, Backoff = BackoffStrategy.Exponential },
        ]);
        var rt = TestKit.Runtime(client, o => { o.TimeProvider = time; o.BackoffUnit = TimeSpan.FromSeconds(1); });
        var result = await rt.RunAsync(flow, new Dictionary<string, object?>(), Ct);
        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("RefineExhaustedError", result.ErrorName);
        Assert.Contains("All 3 refine attempts exhausted for step 'S'", result.Error);
        Assert.Equal(3, client.Calls.Count);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)], time.Delays.ToArray());
    }

    [Fact]
    public async Task Linear_backoff_waits_k_units()
    {
        var time = new RecordingTimeProvider(DateTimeOffset.UnixEpoch);
        var client = new ScriptedChatClient(_ => "not json");
        var flow = new FlowDefinition("F", [new StepNode("S") { Ask = "x", OutputType = "Summary" }]);
        var rt = TestKit.Runtime(client, o => { o.TimeProvider = time; o.BackoffUnit = TimeSpan.FromMilliseconds(100); });
        await rt.RunAsync(flow, new Dictionary<string, object?>(), Ct);
        Assert.Equal([TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200)], time.Delays.ToArray()); // default policy: 3 attempts, linear
    }

    [Theory]
    [InlineData("skip", RunStatus.Completed, null)]
    [InlineData("fallback", RunStatus.Completed, "FALLBACK TEXT")]
    [InlineData("raise", RunStatus.Failed, null)]
    public async Task Refine_on_exhaustion_is_honoured(string action, RunStatus expected, string? output)
    {
        var client = new ScriptedChatClient(c => c.User.Contains("after") ? "done" : "not json");
        var flow = new FlowDefinition("F", [
            new StepNode("S") { Ask = "x", OutputType = "Summary" },
            new StepNode("After") { Ask = "after" },
            new RefineNode { MaxAttempts = 2, OnExhaustion = action, OnExhaustionTarget = action == "raise" ? "TooHard" : "FALLBACK TEXT" },
        ]);
        var result = await TestKit.Runtime(client).RunAsync(flow, new Dictionary<string, object?>(), Ct);
        Assert.Equal(expected, result.Status);
        if (action == "raise") Assert.Equal("TooHard", result.ErrorName);
        else Assert.Equal(output, result["S"]!.Output);
        if (expected == RunStatus.Completed) Assert.Equal("done", result.Output);
    }

    [Fact]
    public async Task Confidence_floor_of_step_is_enforced()
    {
        var client = new ScriptedChatClient()
            .Then("{\"summary\":\"s\",\"confidence\":0.5}")
            .Then("{\"summary\":\"s\",\"confidence\":0.95}");
        var flow = new FlowDefinition("F", [new StepNode("S") { Ask = "x", OutputType = "Summary", ConfidenceFloor = 0.9 }]);
        var result = await TestKit.Runtime(client).RunAsync(flow, new Dictionary<string, object?>(), Ct);
        Assert.Equal(2, result["S"]!.Attempts);
        Assert.Contains("Minimum confidence required: 90%", client.CallList[0].User);
        Assert.Contains("Confidence 0.50 is below the floor of 0.90", client.CallList[1].User);
    }

    [Fact]
    public async Task Cancellation_mid_flow_stops_later_steps()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var client = new ScriptedChatClient()
            .Then("one")
            .Then(async (c, token) => { await cts.CancelAsync(); token.ThrowIfCancellationRequested(); return ScriptedChatClient.Reply("never"); })
            .Then("three");
        var flow = new FlowDefinition("F", [new StepNode("A") { Ask = "a" }, new StepNode("B") { Ask = "b" }, new StepNode("C") { Ask = "c" }]);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => TestKit.Runtime(client).RunAsync(flow, new Dictionary<string, object?>(), cts.Token));
        Assert.Equal(2, client.Calls.Count);
    }

    [Fact]
    public async Task Model_call_errors_are_retried_then_reported()
    {
        var client = new ScriptedChatClient().ThenThrow(new HttpRequestException("boom 503")).Then("fine");
        var flow = new FlowDefinition("F", [new StepNode("A") { Ask = "a" }]);
        var result = await TestKit.Runtime(client).RunAsync(flow, new Dictionary<string, object?>(), Ct);
        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal(2, result["A"]!.Attempts);
        Assert.Contains("Model call failed for step 'A': boom 503", client.CallList[1].User);
    }

    [Fact]
    public async Task Provider_errors_that_retrying_cannot_fix_fail_at_once()
    {
        var denied = new Axon.Runtime.Providers.AxonProviderException("anthropic", Axon.Runtime.Providers.ProviderErrorKind.Authentication,
            "Backend error: anthropic rejected the API key (401)", 401);
        var client = new ScriptedChatClient().ThenThrow(denied).Then("never reached");
        var flow = new FlowDefinition("F", [new StepNode("A") { Ask = "a" }]);
        var result = await TestKit.Runtime(client).RunAsync(flow, new Dictionary<string, object?>(), Ct);
        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Single(client.CallList);
        Assert.Contains("retrying cannot fix", result.Error);
    }

    [Fact]
    public async Task A_routed_call_is_priced_by_the_provider_that_served_it()
    {
        static Task<ChatResponse> Served(string provider)
        {
            var reply = ScriptedChatClient.Reply("ok", input: 1_000_000, output: 0, model: "gpt-4-turbo-preview");
            reply.AdditionalProperties = new() { [Axon.Runtime.Routing.ProviderRoutingChatClient.ProviderPropertyKey] = provider };
            return Task.FromResult(reply);
        }
        var client = new ScriptedChatClient().Then((_, _) => Served("openai")).Then((_, _) => Served("ollama"));
        var flow = new FlowDefinition("F", [new StepNode("A") { Ask = "a" }, new StepNode("B") { Ask = "b" }]);
        var runtime = TestKit.Runtime(client, o => { o.Backend = "routed"; o.PriceTable = new Axon.Runtime.Providers.ModelPriceTable(); });
        var result = await runtime.RunAsync(flow, new Dictionary<string, object?>(), Ct);
        Assert.Equal(10m, result["A"]!.EstimatedCost); // openai's price for 1M input tokens
        Assert.Equal(0m, result["B"]!.EstimatedCost);  // same model id, served by ollama: free (priced as "routed" it cost 10)
    }

    [Fact]
    public async Task Transient_provider_errors_are_retried()
    {
        var busy = new Axon.Runtime.Providers.AxonProviderException("openai", Axon.Runtime.Providers.ProviderErrorKind.ServerError,
            "Backend error: openai answered 503", 503);
        var client = new ScriptedChatClient().ThenThrow(busy).Then("fine");
        var flow = new FlowDefinition("F", [new StepNode("A") { Ask = "a" }]);
        var result = await TestKit.Runtime(client).RunAsync(flow, new Dictionary<string, object?>(), Ct);
        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal(2, client.CallList.Length);
    }

    [Fact]
    public async Task Context_epistemic_and_effort_settings_reach_the_request()
    {
        var client = new ScriptedChatClient(_ => "Premise 1: a. Conclusion: b. [1]");
        var flow = new FlowDefinition("F", [new StepNode("A") { Ask = "a" }]) { EpistemicMode = EpistemicMode.Doubt };
        var run = new RunDefinition(flow)
        {
            Context = new ContextDefinition("C") { Temperature = 0.7, MaxTokens = 321, Depth = "deep", Language = "fr" },
            Effort = "high",
        };
        var result = await TestKit.Runtime(client).RunAsync(run, (IReadOnlyDictionary<string, object?>?)null, Ct);
        Assert.Equal(RunStatus.Completed, result.Status);
        var call = client.CallList[0];
        Assert.Equal(0.2f, call.Options!.Temperature); // doubt overrides the context temperature
        Assert.Equal(0.4f, call.Options.TopP);
        Assert.Equal(321, call.Options.MaxOutputTokens);
        Assert.Equal("high", call.Options.AdditionalProperties!["effort"]);
        Assert.Contains("Provide thorough, detailed analysis.", call.System);
        Assert.Contains("Language: fr", call.System);
        Assert.Contains("CONSTRAINT 1: RequiresCitation", call.System);
        Assert.Contains("SyllogismChecker", call.System);
        Assert.Equal(["RequiresCitation", "SyllogismChecker"], result["A"]!.AnchorVerdicts.Select(v => v.Anchor));
    }

    [Fact]
    public async Task Know_mode_enforces_injected_anchors()
    {
        var client = new ScriptedChatClient().Then("It is probably true.").Then("It is true [1].");
        var flow = new FlowDefinition("F", [new StepNode("A") { Ask = "a" }]) { EpistemicMode = EpistemicMode.Know };
        var result = await TestKit.Runtime(client).RunAsync(flow, new Dictionary<string, object?>(), Ct);
        Assert.Equal(0.1f, client.CallList[0].Options!.Temperature);
        Assert.Equal(2, result["A"]!.Attempts);
        Assert.Contains("AnchorBreachError", client.CallList[1].User);
    }

    [Fact]
    public async Task Cost_is_estimated_from_the_price_table()
    {
        var client = new ScriptedChatClient(_ => "x");
        var flow = new FlowDefinition("F", [new StepNode("A") { Ask = "a" }, new StepNode("B") { Ask = "b" }]);
        var rt = TestKit.Runtime(client, o => { o.PriceTable = new Prices(); o.Backend = "openai"; });
        var result = await rt.RunAsync(flow, new Dictionary<string, object?>(), Ct);
        // 10 input tokens at $3/M + 5 output at $15/M = 0.000105 per call.
        Assert.Equal(0.000105m, result["A"]!.EstimatedCost);
        Assert.Equal(0.00021m, result.TotalCost);
    }

    private sealed class Prices : Axon.Runtime.Providers.IModelPriceTable
    {
        public bool TryGetPrice(string provider, string model, out Axon.Runtime.Providers.ModelPrice price)
        {
            price = new(3m, 15m);
            return provider == "openai" && model == "fake-model";
        }
    }

    [Fact]
    public async Task On_failure_retry_reruns_the_flow_and_raise_throws_named_error()
    {
        var client = new ScriptedChatClient().ThenThrow(new Exception("x")).Then("ok");
        var flow = new FlowDefinition("F", [new StepNode("A") { Ask = "a" }, new RefineNode { MaxAttempts = 1 }]);
        var rt = TestKit.Runtime(client);
        var retried = await rt.RunAsync(new RunDefinition(flow) { OnFailure = "retry", OnFailureParams = [new("backoff", "exponential"), new("attempts", "2")] },
            (IReadOnlyDictionary<string, object?>?)null, Ct);
        Assert.Equal(RunStatus.Completed, retried.Status);
        Assert.Equal(2, retried.RunAttempts);

        var failing = new ScriptedChatClient(_ => throw new Exception("always"));
        var ex = await Assert.ThrowsAsync<AxonRunFailedException>(() => TestKit.Runtime(failing).RunAsync(
            new RunDefinition(flow) { OnFailure = "raise", OnFailureParams = [new("target", "IntakeError")] }, (IReadOnlyDictionary<string, object?>?)null, Ct));
        Assert.Equal("IntakeError", ex.ErrorName);
        Assert.Equal(RunStatus.Failed, ex.Result.Status);
    }

    [Fact]
    public async Task Output_to_writes_the_final_output()
    {
        var dir = Directory.CreateTempSubdirectory("axon-out");
        try
        {
            var client = new ScriptedChatClient(_ => "{\"summary\":\"final\",\"confidence\":0.9}");
            var flow = new FlowDefinition("F", [new StepNode("A") { Ask = "a", OutputType = "Summary" }]);
            var rt = TestKit.Runtime(client, o => o.OutputDirectory = dir.FullName);
            var result = await rt.RunAsync(new RunDefinition(flow) { OutputTo = "report.json" }, (IReadOnlyDictionary<string, object?>?)null, Ct);
            var written = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(dir.FullName, "report.json"), Ct))!;
            Assert.Equal("final", written["summary"]!.GetValue<string>());
            Assert.Equal(Path.Combine(dir.FullName, "report.json"), result.OutputPath);
        }
        finally { dir.Delete(true); }
    }
}
