using System.Diagnostics;
using System.Text.Json.Nodes;
using Axon.Runtime.Execution;
using Axon.Runtime.Model;
using Axon.Runtime.Tests.Support;
using Axon.Runtime.Tracing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Axon.Runtime.Tests;

public class EndToEndTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static AxonRuntime StubRuntime(TraceRecorder trace, string outputDir) => new(new AxonRunOptions
    {
        Backend = "stub",
        Trace = trace,
        OutputDirectory = outputDir,
        BackoffUnit = TimeSpan.Zero,
    });

    [Fact]
    public async Task Contract_analyzer_runs_on_stub_and_writes_a_trace_file()
    {
        var dir = Directory.CreateTempSubdirectory("axon-e2e");
        try
        {
            var trace = new TraceRecorder(ContractAnalyzer.Program.Source, "stub");
            var rt = StubRuntime(trace, dir.FullName);
            var results = await rt.RunProgramAsync(ContractAnalyzer.Program, Ct);
            var result = Assert.Single(results);
            Assert.Equal(RunStatus.Completed, result.Status);
            Assert.Equal(["Extract", "Assess"], result.Steps.Select(s => s.Name));
            Assert.All(result.Steps, s => Assert.True(s.IsSynthetic));
            Assert.Equal(0m, result.TotalCost);
            Assert.True(result.TotalUsage.TotalTokens > 0);
            Assert.NotNull(result["Extract"]!.Json!["entities"]);
            Assert.All(result.Steps, s => Assert.All(s.AnchorVerdicts, v => Assert.True(v.Passed)));
            Assert.True(File.Exists(Path.Combine(dir.FullName, "report.json")));

            var path = Path.Combine(dir.FullName, "contract_analyzer.trace.json");
            await trace.SaveAsync(path, Ct);
            var json = JsonNode.Parse(await File.ReadAllTextAsync(path, Ct))!.AsObject();
            var meta = json["_meta"]!.AsObject();
            Assert.Equal("contract_analyzer.axon", meta["source"]!.GetValue<string>());
            Assert.Equal("stub", meta["backend"]!.GetValue<string>());
            Assert.Equal("0.7.0", meta["axon_version"]!.GetValue<string>());
            Assert.True(meta["duration_ms"]!.GetValue<double>() >= 0);
            Assert.True(DateTimeOffset.TryParse(meta["started_at"]!.GetValue<string>(), out _));
            var span = Assert.Single(json["spans"]!.AsArray())!;
            Assert.Equal("unit:AnalyzeContract", span["name"]!.GetValue<string>());
            Assert.Equal("LegalExpert", span["metadata"]!["persona"]!.GetValue<string>());
            Assert.Equal(["step:Extract", "step:Assess"], span["children"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
            var kinds = json["events"]!.AsArray().Select(e => e!["type"]!.GetValue<string>()).ToList();
            Assert.Equal(
                ["step_start", "refine_start", "model_call", "model_response", "validation_pass", "anchor_check", "anchor_pass", "step_end"],
                kinds.Take(8));
            Assert.All(json["events"]!.AsArray(), e => Assert.Contains(e!["type"]!.GetValue<string>(), KnownKinds));
            // The Assess prompt really carries Extract's output.
            var assessCall = json["events"]!.AsArray().First(e => e!["type"]!.GetValue<string>() == "model_call" && e["step_name"]!.GetValue<string>() == "Assess");
            Assert.Contains("Given the input (Extract.output):\n{\"entities\"", assessCall!["data"]!["prompt_preview"]!.GetValue<string>());
        }
        finally { dir.Delete(true); }
    }

    private static readonly HashSet<string> KnownKinds =
    [
        "step_start", "step_end", "model_call", "model_response", "anchor_check", "anchor_pass", "anchor_breach", "validation_pass",
        "validation_fail", "retry_attempt", "refine_start", "memory_read", "memory_write", "confidence_check", "route_decision",
        "tool_call", "hibernate", "resume",
    ];

    public static TheoryData<string> CorpusPrograms => new()
    {
        "example-contract_analyzer", "extra-01-insurance-claims-intake", "extra-02-incident-postmortem", "extra-03-grant-review",
        "extra-04-recipe-scaling", "extra-05-procurement-approval", "extra-06-clinical-trial-eligibility", "extra-07-news-fact-checking",
        "extra-08-localisation-qa", "extra-09-warehouse-cycle-count", "extra-10-wildlife-camera-traps", "extra-11-grid-load-forecast",
        "extra-12-museum-provenance", "extra-13-podcast-show-notes", "extra-14-bridge-inspection", "extra-15-transit-disruption-notice",
        "extra-16-restaurant-hygiene",
    };

    [Theory]
    [MemberData(nameof(CorpusPrograms))]
    public async Task Corpus_program_runs_end_to_end_on_stub(string name)
    {
        var dir = Directory.CreateTempSubdirectory("axon-corpus");
        try
        {
            var program = IrProgramReader.Load(TestKit.CorpusPath(name + ".ir.json"));
            Assert.NotEmpty(program.Runs);
            var trace = new TraceRecorder(program.Source, "stub");
            var rt = StubRuntime(trace, dir.FullName);
            var results = await rt.RunProgramAsync(program, Ct);
            Assert.Equal(program.Runs.Count, results.Count);
            foreach (var r in results)
            {
                Assert.True(r.Status != RunStatus.Failed, $"{r.FlowName} failed: {r.Error}");
                // Hibernated runs resume with a payload and finish.
                var current = r;
                while (current.Status == RunStatus.Suspended)
                    current = await rt.ResumeAsync(current.ContinuationId!, "approved", Ct);
                Assert.Equal(RunStatus.Completed, current.Status);
                Assert.Contains(current.Steps, s => s.Attempts > 0);
            }
            await trace.SaveAsync(Path.Combine(dir.FullName, name + ".trace.json"), Ct);
            var json = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(dir.FullName, name + ".trace.json"), Ct))!;
            Assert.NotEmpty(json["spans"]!.AsArray());
            Assert.Contains(json["events"]!.AsArray(), e => e!["type"]!.GetValue<string>() == "model_call");
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void Ir_reader_builds_the_same_model_as_hand_built_code()
    {
        var fromIr = IrProgramReader.Load(TestKit.CorpusPath("example-contract_analyzer.ir.json"));
        var hand = ContractAnalyzer.Program;
        var run = Assert.Single(fromIr.Runs);
        Assert.Equal(hand.Runs[0].Persona! with { Domain = [], RefuseIf = [] }, run.Persona! with { Domain = [], RefuseIf = [] });
        Assert.Equal(hand.Runs[0].Persona!.Domain, run.Persona.Domain);
        Assert.Equal(hand.Runs[0].Context, run.Context);
        Assert.Equal(hand.Runs[0].Anchors[0] with { Reject = [] }, run.Anchors[0] with { Reject = [] });
        Assert.Equal(["myContract"], run.Arguments);
        Assert.Equal([new KeyValuePair<string, string>("backoff", "exponential")], run.OnFailureParams);
        Assert.Equal(("report.json", "high", "retry"), (run.OutputTo, run.Effort, run.OnFailure));
        Assert.Equal(hand.Flows[0].Steps.Cast<StepNode>().Select(s => (s.Name, s.Given, s.Ask, s.OutputType, s.Position)),
            run.Flow.Steps.Cast<StepNode>().Select(s => (s.Name, s.Given, s.Ask, s.OutputType, s.Position)));
        Assert.Equal(
            Axon.Runtime.Prompting.PromptCompiler.CompileSystemPrompt(Axon.Runtime.Prompting.PromptStyle.Anthropic, hand.Runs[0].Persona, hand.Runs[0].Context, hand.Runs[0].Anchors),
            Axon.Runtime.Prompting.PromptCompiler.CompileSystemPrompt(Axon.Runtime.Prompting.PromptStyle.Anthropic, run.Persona, run.Context, run.Anchors));
        Assert.Equal(3, run.Flow.Types.Count);
        Assert.Throws<FormatException>(() => IrProgramReader.Read("[1]"));
    }

    [Fact]
    public async Task Corpus_constructs_really_execute()
    {
        // extra-02: three reasons, a weave whose output the validate checks, and a hibernate at the end.
        var program = IrProgramReader.Load(TestKit.CorpusPath("extra-02-incident-postmortem.ir.json"));
        var trace = new TraceRecorder(program.Source, "stub");
        var rt = StubRuntime(trace, "");
        var r = (await rt.RunProgramAsync(program, Ct)).Single();
        Assert.Equal(RunStatus.Suspended, r.Status);
        Assert.Equal("incident_commander_review", r.AwaitingEvent);
        Assert.Equal(["BuildTimeline", "RootCause", "Contributing", "reason#1", "PostmortemDraft", "validate#1", "incident_commander_review"],
            r.Steps.Select(s => s.Name));
        Assert.Contains(trace.Events, e => e.Type == "hibernate");

        // extra-01: recall before the steps, a tool inside a step, remember at the end.
        var p1 = IrProgramReader.Load(TestKit.CorpusPath("extra-01-insurance-claims-intake.ir.json"));
        var t1 = new TraceRecorder(p1.Source, "stub");
        var r1 = (await StubRuntime(t1, "").RunProgramAsync(p1, Ct)).Single();
        Assert.Equal(RunStatus.Completed, r1.Status);
        Assert.Equal("recall", r1.Steps[0].Kind);
        Assert.Equal("remember", r1.Steps[^1].Kind);
        Assert.Contains(t1.Events, e => e.Type == "tool_call" && (string?)e.Data["tool_name"] == "PolicyLookup");
        Assert.Contains(t1.Events, e => e.Type == "memory_write");

        // extra-03: nested par, weave inside a step, if/else on a field nobody produced → else branch.
        var p3 = IrProgramReader.Load(TestKit.CorpusPath("extra-03-grant-review.ir.json"));
        var r3 = (await StubRuntime(new TraceRecorder(), "").RunProgramAsync(p3, Ct)).Single();
        Assert.Equal(RunStatus.Completed, r3.Status);
        Assert.NotNull(r3["RecordConsensus"]);
        Assert.Null(r3["ThirdOpinion"]);
        Assert.Equal(4, r3.Steps.Count(s => s.Name.Contains("Reviewer")));
    }

    [Fact]
    public async Task No_api_key_in_trace_logs_or_exceptions()
    {
        const string key = "sk-ant-api03-SECRETSECRETSECRET0123456789";
        const string otherKey = "AIzaSyDUMMYDUMMYDUMMYDUMMY12345678";
        const string plainSecret = "correct-horse-battery-staple";
        var logs = new ListLoggerProvider();
        var trace = new TraceRecorder("k.axon", "anthropic");
        var client = new ScriptedChatClient(_ => throw new HttpRequestException($"401 Unauthorized: invalid x-api-key: {key} (also tried ?key={otherKey}; password {plainSecret})"));
        var options = TestKit.Options(client, trace: trace);
        options.LoggerFactory = logs;
        options.Secrets.Add(key);
        options.Secrets.Add(plainSecret);
        var rt = new AxonRuntime(options);
        var flow = new FlowDefinition("F", [new StepNode("A") { Ask = "a" }]);

        var failed = await rt.RunAsync(flow, new Dictionary<string, object?>(), Ct);
        var raised = await Assert.ThrowsAsync<AxonRunFailedException>(() => rt.RunAsync(new RunDefinition(flow) { OnFailure = "raise" }, (IReadOnlyDictionary<string, object?>?)null, Ct));

        // Data reaching the trace from elsewhere (e.g. a routing sink) is redacted with the runtime's secrets too.
        trace.Record("route_decision", "A", new Dictionary<string, object?> { ["reason"] = "config had " + plainSecret });
        var texts = new List<string> { trace.ToJson(), failed.Error!, raised.Message, raised.ToString(), string.Join("\n", logs.Messages) };
        texts.AddRange(failed.Steps.Select(s => s.Error ?? ""));
        foreach (var t in texts)
        {
            Assert.DoesNotContain(key, t);
            Assert.DoesNotContain(otherKey, t);
            Assert.DoesNotContain("SECRETSECRET", t);
            Assert.DoesNotContain(plainSecret, t);
        }
        Assert.Contains("401 Unauthorized", failed.Error); // the useful part of the message survives
        Assert.Contains("***", trace.ToJson());
    }

    [Fact]
    public void Environment_api_keys_are_redacted()
    {
        Environment.SetEnvironmentVariable("AXON_TEST_PROVIDER_API_KEY", "plainvalue-without-prefix-42");
        try
        {
            var redactor = SecretRedactor.FromEnvironment();
            Assert.Equal("key=*** and ***", redactor.Redact("key=plainvalue-without-prefix-42 and plainvalue-without-prefix-42"));
            Assert.Equal("Authorization: Bearer ***", redactor.Redact("Authorization: Bearer abcdefghijklmnop"));
        }
        finally { Environment.SetEnvironmentVariable("AXON_TEST_PROVIDER_API_KEY", null); }
    }

    [Fact]
    public void Route_decisions_are_recorded_in_the_trace()
    {
        var trace = new TraceRecorder("x.axon", "auto");
        trace.RecordRouteDecision("failover", ["anthropic", "openai"], "openai", 2, "anthropic: circuit open", "Extract");
        var json = JsonNode.Parse(trace.ToJson())!;
        var e = json["events"]![0]!;
        Assert.Equal("route_decision", e["type"]!.GetValue<string>());
        Assert.Equal("openai", e["data"]!["chosen"]!.GetValue<string>());
        Assert.Equal(["anthropic", "openai"], e["data"]!["candidates"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal(2, e["data"]!["attempt"]!.GetValue<int>());
    }

    [Fact]
    public async Task Activities_use_the_Axon_source_with_gen_ai_attributes()
    {
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == AxonTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (activities) activities.Add(a); },
        };
        ActivitySource.AddActivityListener(listener);
        var client = new ScriptedChatClient(_ => "x") { ProviderName = "anthropic" };
        var options = TestKit.Options(client);
        options.Model = "claude-test";
        var flow = new FlowDefinition("TelemetryFlow", [new StepNode("A") { Ask = "a" }]);
        await new AxonRuntime(options).RunAsync(flow, new Dictionary<string, object?>(), Ct);
        Activity[] mine;
        lock (activities) mine = activities.Where(a => a.DisplayName.Contains("TelemetryFlow") || a.GetTagItem("gen_ai.request.model") as string == "claude-test").ToArray();
        var chat = Assert.Single(mine, a => a.OperationName == "chat claude-test");
        Assert.Equal("chat", chat.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("anthropic", chat.GetTagItem("gen_ai.provider.name"));
        Assert.Equal(10L, Convert.ToInt64(chat.GetTagItem("gen_ai.usage.input_tokens"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains(mine, a => a.OperationName == "invoke_agent TelemetryFlow");
    }

    [Fact]
    public async Task Dependency_injection_registers_the_runtime_with_the_container_client()
    {
        var services = new ServiceCollection();
        var client = new ScriptedChatClient(_ => "from DI");
        services.AddSingleton<IChatClient>(client);
        services.AddAxonRuntime(o => { o.Backend = "openai"; o.OutputDirectory = ""; });
        using var sp = services.BuildServiceProvider();
        var rt = sp.GetRequiredService<AxonRuntime>();
        var r = await rt.RunAsync(new FlowDefinition("F", [new StepNode("A") { Ask = "a" }]), new Dictionary<string, object?>(), Ct);
        Assert.Equal("from DI", r.Output);
        Assert.Same(rt, sp.GetRequiredService<AxonRuntime>());
    }
}
