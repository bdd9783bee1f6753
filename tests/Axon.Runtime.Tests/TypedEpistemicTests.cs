using System.Text.Json;
using System.Text.Json.Nodes;
using Axon.Runtime.Anchors;
using Axon.Runtime.Execution;
using Axon.Runtime.Model;
using Axon.Runtime.SemanticTypes;
using Axon.Runtime.Stub;
using Axon.Runtime.Tests.Support;
using Axon.Runtime.Tracing;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Tests;

/// <summary>Issue 13: typed and epistemic flows against answers shaped the way models answer.</summary>
public sealed class TypedEpistemicTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly Dictionary<string, object?> NoArgs = new();

    private static readonly IReadOnlyList<TypeDefinition> RevenueTypes =
    [
        new("Revenue") { Fields = [new("amount", "Float"), new("growth", "Float")] },
        new("ModerationVerdict") { Fields = [new("verdict", "String"), new("reason", "String")] },
    ];

    /// <summary>
    /// A model that answers with schema-valid JSON and nothing more: it fills every property the requested
    /// schema names (so it fills <c>sources</c> exactly when the contract asks for it), with plain values.
    /// </summary>
    private static string SchemaFollowingAnswer(RecordedCall call, bool fillSources = true)
    {
        var schema = Assert.IsType<ChatResponseFormatJson>(call.Options?.ResponseFormat).Schema!.Value;
        var obj = new JsonObject();
        foreach (var p in schema.GetProperty("properties").EnumerateObject())
        {
            var type = p.Value.TryGetProperty("type", out var t) ? t.GetString() : "string";
            obj[p.Name] = (p.Name, type) switch
            {
                ("confidence", _) => 0.92,
                ("sources", _) => fillSources ? new JsonArray("Annual report 2024, p. 12", "https://example.org/filing") : null,
                (_, "number") => 12.5,
                (_, "array") => new JsonArray(),
                _ => "Revenue was 12.5m",
            };
        }
        if (!fillSources) obj.Remove("sources");
        return obj.ToJsonString();
    }

    private static FlowDefinition KnowRevenue() =>
        new FlowDefinition("Facts", [new StepNode("Extract") { Given = "doc", Ask = "Extract revenue", OutputType = "Revenue" }])
        {
            Parameters = [new("doc", "Document")], Types = RevenueTypes, EpistemicMode = EpistemicMode.Know,
        };

    [Fact]
    public async Task Know_typed_step_with_sources_passes_on_the_first_attempt_and_exposes_them()
    {
        var client = new ScriptedChatClient(c => SchemaFollowingAnswer(c));
        var result = await TestKit.Runtime(client).RunAsync(new RunDefinition(KnowRevenue()) { Arguments = ["report"] }, NoArgs, Ct);

        Assert.True(result.Status == RunStatus.Completed, result.Error);
        var step = result["Extract"]!;
        Assert.Equal(1, step.Attempts);
        Assert.All(step.AnchorVerdicts, v => Assert.True(v.Passed, v.Reason));
        Assert.Contains(step.AnchorVerdicts, v => v.Anchor == "RequiresCitation");
        Assert.Equal(["Annual report 2024, p. 12", "https://example.org/filing"], result.Citations);
        Assert.Equal(result.Citations, step.Citations);
        // The contract asks for the citations: a required sources array with at least one entry, in the schema the prompt shows.
        var call = client.CallList.Single();
        var schema = ((ChatResponseFormatJson)call.Options!.ResponseFormat!).Schema!.Value;
        Assert.Contains("sources", schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(1, schema.GetProperty("properties").GetProperty("sources").GetProperty("minItems").GetInt32());
        Assert.Contains("\"sources\"", call.User);

        // The typed C# result exposes the citations beside the value.
        var typed = await AxonGeneratedCode.RunAsync<RevenueRecord>(TestKit.Runtime(new ScriptedChatClient(c => SchemaFollowingAnswer(c))), null,
            new RunDefinition(KnowRevenue()), new Dictionary<string, object?> { ["doc"] = "report" }, Ct);
        Assert.Equal(12.5, typed.Value.Amount);
        Assert.Equal(2, typed.Citations.Count);
    }

    private sealed record RevenueRecord(double Amount, double Growth);

    [Fact]
    public async Task Know_typed_step_without_sources_fails_saying_where_citations_go()
    {
        var client = new ScriptedChatClient(c => SchemaFollowingAnswer(c, fillSources: false));
        var result = await TestKit.Runtime(client).RunAsync(new RunDefinition(KnowRevenue()) { Arguments = ["report"] }, NoArgs, Ct);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("Anchor 'RequiresCitation' breached", result.Error);
        Assert.Contains("\"sources\" array beside the value", result.Error);
        // The retry tells the model the same thing.
        Assert.Contains("\"sources\" array", client.CallList[1].User);
    }

    [Fact]
    public async Task Plain_text_steps_keep_the_inline_citation_check()
    {
        var flow = new FlowDefinition("Facts", [new StepNode("Say") { Ask = "Say what revenue was" }]) { EpistemicMode = EpistemicMode.Know };
        var cited = await TestKit.Runtime(new ScriptedChatClient(_ => "Revenue was 12.5m [1].")).RunAsync(flow, NoArgs, Ct);
        Assert.Equal(RunStatus.Completed, cited.Status);
        Assert.Empty(cited.Citations);

        var uncited = await TestKit.Runtime(new ScriptedChatClient(_ => "Revenue was 12.5m.")).RunAsync(flow, NoArgs, Ct);
        Assert.Equal(RunStatus.Failed, uncited.Status);
        Assert.Contains("No citation found (expected [n]", uncited.Error);
    }

    [Fact]
    public async Task Typed_steps_without_a_citing_anchor_get_no_sources_field()
    {
        var flow = KnowRevenue() with { EpistemicMode = EpistemicMode.None };
        var client = new ScriptedChatClient(c => SchemaFollowingAnswer(c));
        var result = await TestKit.Runtime(client).RunAsync(new RunDefinition(flow) { Arguments = ["r"] }, NoArgs, Ct);
        Assert.Equal(RunStatus.Completed, result.Status);
        var schema = ((ChatResponseFormatJson)client.CallList.Single().Options!.ResponseFormat!).Schema!.Value;
        Assert.False(schema.GetProperty("properties").TryGetProperty("sources", out _));
    }

    private static readonly AnchorDefinition NoPersonalData = new("NoPersonalData")
    {
        Reject = ["pii"], OnViolation = "fallback", OnViolationTarget = "[removed: personal data]",
    };

    private sealed record ModerationVerdict(string Verdict, string Reason);

    [Fact]
    public async Task Fallback_on_a_typed_flow_is_a_typed_outcome_not_a_conversion_error()
    {
        var flow = new FlowDefinition("Moderate", [new StepNode("Judge") { Given = "post", Ask = "Judge the post", OutputType = "ModerationVerdict" }])
        {
            Parameters = [new("post", "String")], Types = RevenueTypes,
        };
        var run = new RunDefinition(flow) { Anchors = [NoPersonalData] };
        var leaky = "{\"verdict\":\"remove\",\"reason\":\"it lists bob@example.com\",\"confidence\":0.9}";
        var args = new Dictionary<string, object?> { ["post"] = "a post" };

        var result = await TestKit.Runtime(new ScriptedChatClient(_ => leaky)).RunAsync(run, args, Ct);
        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal(new AnchorFallback("NoPersonalData", "[removed: personal data]", "Judge", result.Fallback!.Reason), result.Fallback);
        Assert.Contains("PII detected: email address", result.Fallback.Reason);
        Assert.Equal("[removed: personal data]", result.Output);

        // The generated typed API: details carry the fallback; the value call throws the specific exception.
        var details = await AxonGeneratedCode.RunAsync<ModerationVerdict>(TestKit.Runtime(new ScriptedChatClient(_ => leaky)), null, run, args, Ct);
        Assert.Null(details.Value);
        Assert.Equal("NoPersonalData", details.Fallback!.Anchor);
        var ex = Assert.Throws<AxonAnchorFallbackException>(() => AxonGeneratedCode.ValueOf(details));
        Assert.Equal("NoPersonalData", ex.AnchorName);
        Assert.Equal("[removed: personal data]", ex.Text);
        Assert.Contains("anchor 'NoPersonalData' replaced the output of step 'Judge'", ex.Message);
        Assert.Throws<AxonAnchorFallbackException>(() => AxonGeneratedCode.Map<ModerationVerdict>(result));
        Assert.Throws<AxonAnchorFallbackException>(() => result.GetOutput<ModerationVerdict>());
        // A text result is the fallback text itself.
        Assert.Equal("[removed: personal data]", AxonGeneratedCode.ValueOf(await AxonGeneratedCode.RunAsync<string>(
            TestKit.Runtime(new ScriptedChatClient(_ => leaky)), null, run, args, Ct)));

        // A clean answer maps as usual and carries no fallback.
        var clean = await AxonGeneratedCode.RunAsync<ModerationVerdict>(TestKit.Runtime(new ScriptedChatClient(_ => "{\"verdict\":\"keep\",\"reason\":\"fine\",\"confidence\":0.9}")), null, run, args, Ct);
        Assert.Null(clean.Fallback);
        Assert.Equal("keep", AxonGeneratedCode.ValueOf(clean).Verdict);
    }

    [Theory]
    [InlineData("source_citation", "RequiresCitation")]
    [InlineData("citations", "RequiresCitation")]
    [InlineData("RequiresCitation", "RequiresCitation")]
    [InlineData("requires_citation", "RequiresCitation")]
    [InlineData("chain_of_thought", "ChainOfThoughtValidator")]
    [InlineData("step_by_step", "ChainOfThoughtValidator")]
    [InlineData("premises_and_conclusion", "SyllogismChecker")]
    [InlineData("audit_trail", "AuditTrail")]
    [InlineData("reasoning_trail", "AuditTrail")]
    [InlineData("no_pii", "PrivacyGuard")]
    [InlineData("NoHallucination", "NoHallucination")]
    [InlineData("factual_only", "FactualOnly")]
    [InlineData("amounts_tie_to_source", null)]
    [InlineData("cite_the_sourcebook_when_possible", null)]
    [InlineData("audited_figures", null)]
    [InlineData("budget_code", null)]
    public void Require_values_have_a_checker_only_when_listed(string require, string? checker)
    {
        Assert.Equal(checker, AnchorEvaluator.RequireChecker(require));
    }

    [Fact]
    public void The_require_table_covers_every_standard_anchor_by_name()
    {
        foreach (var name in StandardAnchors.Names) Assert.Equal(name, AnchorEvaluator.RequireCheckers[name]);
        Assert.All(AnchorEvaluator.RequireCheckers.Values, v => Assert.True(StandardAnchors.IsStandard(v)));
    }

    [Fact]
    public async Task A_require_without_a_checker_is_an_instruction_reported_as_not_mechanically_checked()
    {
        var tieOut = new AnchorDefinition("TieOut") { Require = "amounts_tie_to_source", OnViolation = "raise" };
        var trace = new TraceRecorder();
        var client = new ScriptedChatClient(_ => "{\"amount\":12.5,\"growth\":0.1,\"confidence\":0.9}");
        var flow = KnowRevenue() with { EpistemicMode = EpistemicMode.None };
        var rt = new AxonRuntime(TestKit.Options(client, trace: trace));
        var result = await rt.RunAsync(new RunDefinition(flow) { Arguments = ["r"], Anchors = [tieOut] }, NoArgs, Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal(1, result["Extract"]!.Attempts);
        var verdict = Assert.Single(result["Extract"]!.AnchorVerdicts);
        Assert.True(verdict.Passed);
        Assert.Equal("require amounts_tie_to_source: not mechanically checked (instruction to the model)", verdict.Reason);
        Assert.Contains(trace.Events, e => e.Type == TraceEventKinds.AnchorPass && (e.Data["reason"] as string ?? "").Contains("not mechanically checked"));
        // It is still sent to the model as an instruction.
        Assert.Contains("amounts_tie_to_source", client.CallList[0].System);
        Assert.False(((ChatResponseFormatJson)client.CallList[0].Options!.ResponseFormat!).Schema!.Value.GetProperty("properties").TryGetProperty("sources", out _));
    }

    // ───────────── run arguments ─────────────

    private static FlowDefinition TwoParams() =>
        new("Pair", [new StepNode("Echo") { Ask = "a={{a}} b={{b}}" }]) { Parameters = [new("a", "String"), new("b", "String")] };

    [Fact]
    public async Task Extra_positional_arguments_are_ignored_with_a_warning_in_the_result()
    {
        var client = new ScriptedChatClient(c => "ok " + c.User);
        var result = await TestKit.Runtime(client).RunAsync(new RunDefinition(TwoParams()) { Arguments = ["one", "two", "three", "four"] }, NoArgs, Ct);
        Assert.Equal(RunStatus.Completed, result.Status);
        var warning = Assert.Single(result.Warnings);
        Assert.Contains("passes 2 more argument(s) than the flow's 2 parameter(s) (first extra at position 3); ignored: three, four", warning);
        Assert.Contains("a=one b=two", client.CallList[0].User);
        Assert.Equal(2, RunArguments.Bind(new RunDefinition(TwoParams()) { Arguments = ["one", "two", "three", "four"] }).FirstExtraIndex);
    }

    [Fact]
    public async Task A_missing_argument_is_an_error_naming_the_parameter()
    {
        var ex = await Assert.ThrowsAsync<AxonFlowDefinitionException>(() =>
            TestKit.Runtime(new ScriptedChatClient(_ => "x")).RunAsync(new RunDefinition(TwoParams()) { Arguments = ["one"] }, NoArgs, Ct));
        Assert.Contains("needs an argument for parameter 'b' (String)", ex.Message);
        Assert.Contains("Parameters: a: String, b: String", ex.Message);
        // An explicit argument fills it.
        var ok = await TestKit.Runtime(new ScriptedChatClient(c => c.User)).RunAsync(new RunDefinition(TwoParams()) { Arguments = ["one"] },
            new Dictionary<string, object?> { ["b"] = "given" }, Ct);
        Assert.Equal("a=one b=given", ok.Output);
    }

    [Theory]
    [InlineData(new[] { "one", "b", ":", "two" }, "a=one b=two", 0)]        // the parser's three tokens
    [InlineData(new[] { "b:two", "one" }, "a=one b=two", 0)]                 // one keyword token
    [InlineData(new[] { "b", ":", "two", "a", ":", "one" }, "a=one b=two", 0)]
    [InlineData(new[] { "one", "two", "depth", ":", "3" }, "a=one b=two", 1)] // unknown name: ignored with a warning
    public async Task Named_arguments_bind_by_name(string[] arguments, string expected, int warnings)
    {
        var result = await TestKit.Runtime(new ScriptedChatClient(c => c.User)).RunAsync(new RunDefinition(TwoParams()) { Arguments = arguments }, NoArgs, Ct);
        Assert.True(result.Status == RunStatus.Completed, result.Error);
        Assert.Equal(expected, result.Output);
        Assert.Equal(warnings, result.Warnings.Count);
    }

    // ───────────── stub fidelity ─────────────

    [Fact]
    public async Task The_stub_satisfies_citations_ranges_and_reasoning_anchors_on_typed_outputs_deterministically()
    {
        var types = new List<TypeDefinition>(RevenueTypes) { new("Score") { RangeMin = 2, RangeMax = 3 } };
        var flow = new FlowDefinition("Audit",
        [
            new StepNode("Figures") { Given = "doc", Ask = "Give the figures", OutputType = "Revenue" },
            new StepNode("Rate") { Given = "Figures.output", Ask = "Rate it", OutputType = "Score" },
            new StepNode("Explain") { Given = "Rate.output", Ask = "Explain" },
        ]) { Parameters = [new("doc", "Document")], Types = types, EpistemicMode = EpistemicMode.Doubt };
        var run = new RunDefinition(flow)
        {
            Arguments = ["ledger"],
            Anchors = [new("ChainOfThoughtValidator") { OnViolation = "raise" }, new("Tie") { Require = "amounts_tie_to_source" }],
        };
        var outputs = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var result = await new AxonRuntime(new AxonRunOptions { Backend = "stub", BackoffUnit = TimeSpan.Zero }).RunAsync(run, NoArgs, Ct);
            Assert.True(result.Status == RunStatus.Completed, result.Error);
            Assert.All(result.Steps, s => Assert.Equal(1, s.Attempts));
            Assert.All(result.Steps.SelectMany(s => s.AnchorVerdicts), v => Assert.True(v.Passed, v.Anchor + ": " + v.Reason));
            var score = result["Rate"]!.Json!["value"]!.GetValue<double>();
            Assert.InRange(score, 2, 3);
            Assert.NotEmpty(result["Figures"]!.Citations);
            outputs.Add(string.Join("\n", result.Steps.Select(s => s.Output)));
        }
        Assert.Equal(outputs[0], outputs[1]);
    }

    [Fact]
    public async Task Where_bounds_are_stated_in_the_schema_and_the_stub_meets_them()
    {
        var types = new List<TypeDefinition>
        {
            new("Big") { WhereExpression = "value > 10 and value < 20" },
            new("Ticket") { Fields = [new("status", "String"), new("count", "Integer")], WhereExpression = "status == open and count >= 3" },
            new("Either") { WhereExpression = "value < 0 or value > 100" },
        };
        var ts = new Axon.Runtime.Typing.AxonTypeSystem(types);
        var big = ts.GetOutputSchema("Big")!.Value.GetProperty("properties").GetProperty("value");
        Assert.Equal(10, big.GetProperty("minimum").GetDouble());
        Assert.Equal(20, big.GetProperty("maximum").GetDouble());
        var ticket = ts.GetOutputSchema("Ticket")!.Value.GetProperty("properties");
        Assert.Equal("open", ticket.GetProperty("status").GetProperty("enum")[0].GetString());
        Assert.Equal(3, ticket.GetProperty("count").GetProperty("minimum").GetDouble());
        Assert.False(ts.GetOutputSchema("Either")!.Value.GetProperty("properties").GetProperty("value").TryGetProperty("minimum", out _));

        var flow = new FlowDefinition("W", [new StepNode("A") { Ask = "a", OutputType = "Big" }, new StepNode("B") { Ask = "b", OutputType = "Ticket" }]) { Types = types };
        var result = await new AxonRuntime(new AxonRunOptions { BackoffUnit = TimeSpan.Zero }).RunAsync(flow, NoArgs, Ct);
        Assert.True(result.Status == RunStatus.Completed, result.Error);
        Assert.All(result.Steps, step => Assert.Equal(1, step.Attempts));
        Assert.InRange(result["A"]!.Json!["value"]!.GetValue<double>(), 10.000001, 19.999999);
    }
}
