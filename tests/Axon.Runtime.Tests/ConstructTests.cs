using System.Collections.Concurrent;
using Axon.Runtime.Execution;
using Axon.Runtime.Model;
using Axon.Runtime.State;
using Axon.Runtime.Tests.Support;
using Axon.Runtime.Tools;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Tests;

public class ConstructTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly Dictionary<string, object?> NoArgs = new();

    private static readonly List<TypeDefinition> Types =
    [
        new("Impact") { Fields = [new("customers_affected", "Integer"), new("minutes", "Integer")] },
    ];

    private static FlowDefinition ValidateFlow(params ValidateRule[] rules) => new("F", [
        new StepNode("Draft") { Ask = "draft", OutputType = "Impact" },
        new ValidateNode("Draft.output", "Impact", rules),
        new StepNode("Next") { Ask = "next {{Draft}}" },
    ]) { Types = Types };

    [Fact]
    public async Task Validate_refine_reruns_the_target_until_the_rule_stops_matching()
    {
        var client = new ScriptedChatClient()
            .Then("{\"customers_affected\": 0, \"minutes\": 5, \"confidence\": 0.4}")
            .Then("{\"customers_affected\": 12, \"minutes\": 5, \"confidence\": 0.9}")
            .Then("done");
        var flow = ValidateFlow(new ValidateRule("confidence", "<", "0.6", "refine") { ActionParams = [new("max_attempts", "2")] });
        var result = await TestKit.Runtime(client).RunAsync(flow, NoArgs, Ct);
        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Contains("Validation rule 'if confidence < 0.6 -> refine' matched", client.CallList[1].User);
        Assert.Contains("\"customers_affected\": 12", client.CallList[2].User);
        Assert.Equal(1, result.Steps.Single(s => s.Kind == "validate").Attempts);
    }

    [Fact]
    public async Task Validate_refine_exhausts()
    {
        var client = new ScriptedChatClient(_ => "{\"customers_affected\": 0, \"minutes\": 5, \"confidence\": 0.4}");
        var flow = ValidateFlow(new ValidateRule("confidence", "<", "0.6", "refine") { ActionParams = [new("max_attempts", "1")] });
        var result = await TestKit.Runtime(client).RunAsync(flow, NoArgs, Ct);
        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("Validation refine exhausted after 1 attempt", result.Error);
        Assert.Equal(2, client.Calls.Count);
    }

    [Fact]
    public async Task Validate_raise_warn_and_pass()
    {
        var json = "{\"customers_affected\": 0, \"minutes\": 5, \"confidence\": 0.9}";
        var warn = await TestKit.Runtime(new ScriptedChatClient(_ => json)).RunAsync(
            ValidateFlow(new ValidateRule("customers_affected", "==", "0", "warn") { ActionTarget = "No customer impact recorded" }), NoArgs, Ct);
        Assert.Equal(RunStatus.Completed, warn.Status);
        Assert.Contains("No customer impact recorded", warn.Steps.Single(s => s.Kind == "validate").Warnings);

        var raise = await TestKit.Runtime(new ScriptedChatClient(_ => json)).RunAsync(
            ValidateFlow(new ValidateRule("minutes", ">", "3", "raise") { ActionTarget = "TooSlow" }), NoArgs, Ct);
        Assert.Equal(RunStatus.Failed, raise.Status);
        Assert.Equal("TooSlow", raise.ErrorName);

        var pass = await TestKit.Runtime(new ScriptedChatClient(_ => json)).RunAsync(
            ValidateFlow(new ValidateRule("minutes", ">", "3", "pass"), new ValidateRule("minutes", ">", "3", "raise") { ActionTarget = "Never" }), NoArgs, Ct);
        Assert.Equal(RunStatus.Completed, pass.Status);

        var notMatching = await TestKit.Runtime(new ScriptedChatClient(_ => json)).RunAsync(
            ValidateFlow(new ValidateRule("minutes", ">", "30", "raise") { ActionTarget = "Never" }), NoArgs, Ct);
        Assert.Equal(RunStatus.Completed, notMatching.Status);
    }

    [Fact]
    public async Task Validate_schema_mismatch_rule()
    {
        var client = new ScriptedChatClient().Then("plain text").Then("plain text");
        var flow = new FlowDefinition("F", [
            new StepNode("Draft") { Ask = "draft" },
            new ValidateNode("Draft.output", "Impact", [new ValidateRule("schema_mismatch", "", "", "raise") { ActionTarget = "BadShape" }]),
        ]) { Types = Types };
        var result = await TestKit.Runtime(client).RunAsync(flow, NoArgs, Ct);
        Assert.Equal("BadShape", result.ErrorName);
    }

    private static FlowDefinition AnchoredFlow() => new("F", [new StepNode("A") { Ask = "a" }, new StepNode("B") { Ask = "b {{A}}" }]);

    private static AnchorDefinition Anchor(string action, string target = "") => new("NoOpinions")
    {
        Reject = ["personal_opinion"], Require = "", ConfidenceFloor = null, OnViolation = action, OnViolationTarget = target,
    };

    [Fact]
    public async Task Anchor_raise_retries_then_fails()
    {
        var client = new ScriptedChatClient(_ => "this is my personal opinion");
        var run = new RunDefinition(AnchoredFlow()) { Anchors = [Anchor("raise", "OpinionError")] };
        var result = await TestKit.Runtime(client).RunAsync(run, NoArgs, Ct);
        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal(3, client.Calls.Count);
        Assert.Contains("OpinionError", client.CallList[1].User);
        Assert.Contains("L3 Anchor breach detected", client.CallList[1].User);
    }

    [Fact]
    public async Task Anchor_warn_and_log_keep_the_output_and_log()
    {
        foreach (var action in new[] { "warn", "log" })
        {
            var logs = new ListLoggerProvider();
            var client = new ScriptedChatClient(_ => "this is my personal opinion");
            var run = new RunDefinition(AnchoredFlow()) { Anchors = [Anchor(action)] };
            var result = await TestKit.Runtime(client, o => o.LoggerFactory = logs).RunAsync(run, NoArgs, Ct);
            Assert.Equal(RunStatus.Completed, result.Status);
            Assert.Equal(2, client.Calls.Count);
            var verdict = Assert.Single(result["A"]!.AnchorVerdicts);
            Assert.False(verdict.Passed);
            Assert.Equal(action, verdict.Action);
            Assert.Contains(logs.Messages, m => m.Contains("NoOpinions") && m.StartsWith(action == "warn" ? "Warning" : "Information"));
        }
    }

    [Fact]
    public async Task Anchor_escalate_calls_the_handler()
    {
        var escalations = new ConcurrentQueue<EscalationContext>();
        var client = new ScriptedChatClient(_ => "this is my personal opinion");
        var run = new RunDefinition(AnchoredFlow()) { Anchors = [Anchor("escalate")] };
        var result = await TestKit.Runtime(client, o => o.OnEscalate = (e, _) => { escalations.Enqueue(e); return ValueTask.CompletedTask; })
            .RunAsync(run, NoArgs, Ct);
        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal(2, escalations.Count);
        Assert.True(result["A"]!.Escalated);
        Assert.Equal("A", escalations.First().StepName);
    }

    [Fact]
    public async Task Anchor_fallback_replaces_the_output()
    {
        var client = new ScriptedChatClient(_ => "this is my personal opinion");
        var run = new RunDefinition(AnchoredFlow()) { Anchors = [Anchor("fallback", "Please reassign.")] };
        var result = await TestKit.Runtime(client).RunAsync(run, NoArgs, Ct);
        Assert.Equal("Please reassign.", result["A"]!.Output);
        Assert.Contains("b Please reassign.", client.CallList[1].User);
    }

    [Fact]
    public async Task Anchor_require_confidence_floor_and_unknown_response()
    {
        var anchor = new AnchorDefinition("NoHallucination")
        {
            Require = "source_citation", ConfidenceFloor = 0.75, UnknownResponse = "I don't have sufficient information.", OnViolation = "raise",
        };
        var client = new ScriptedChatClient()
            .Then("Plain claim without source.")                 // A: require breached
            .Then("Claim with a source [1].")                    // A: ok
            // B is typed: its citations go in the sources array beside the value.
            .Then("{\"summary\":\"x\",\"sources\":[\"[1] Report\"],\"confidence\":0.5}") // B: floor breached
            .Then("{\"summary\":\"x\",\"sources\":[\"[1] Report\"],\"confidence\":0.8}"); // B: ok
        var flow = new FlowDefinition("F", [new StepNode("A") { Ask = "a" }, new StepNode("B") { Ask = "b", OutputType = "Summary" }]);
        var rt = TestKit.Runtime(client);
        var result = await rt.RunAsync(new RunDefinition(flow) { Anchors = [anchor] }, NoArgs, Ct);
        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal(2, result["A"]!.Attempts);
        Assert.Equal(2, result["B"]!.Attempts);
        Assert.Contains("require source_citation", client.CallList[1].User);
        Assert.Contains("Confidence 0.50 is below the floor of 0.75", client.CallList[3].User);

        var ok = new ScriptedChatClient().Then("I don't have sufficient information.");
        var okResult = await TestKit.Runtime(ok).RunAsync(new RunDefinition(new FlowDefinition("G", [new StepNode("A") { Ask = "a" }])) { Anchors = [anchor] }, NoArgs, Ct);
        Assert.Equal(RunStatus.Completed, okResult.Status);
        Assert.Equal("unknown_response", okResult["A"]!.AnchorVerdicts.Single().Reason);
    }

    [Fact]
    public async Task Tools_delegate_aifunction_builtins_and_modes()
    {
        var client = new ScriptedChatClient(c => "seen: " + c.User);
        var flow = new FlowDefinition("F", [
            new StepNode("Look") { Ask = "look", UseTool = new UseToolNode("Lookup", "policy {{doc}}") },
            new UseToolNode("Calculator", "2 * (3 + 4) ** 2"),
            new UseToolNode("DateTime", "year"),
            new UseToolNode("Fn", "hello"),
            new UseToolNode("WebSearch", "anything"),
        ]) { Parameters = [new("doc", "String")] };
        var tools = new AxonToolRegistry()
            .Register("Lookup", a => $"LOOKUP[{a}]")
            .Register(AIFunctionFactory.Create((string text) => text.ToUpperInvariant(), "Fn"));
        var time = new RecordingTimeProvider(new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero));
        var rt = TestKit.Runtime(client, o => { o.Tools = tools; o.TimeProvider = time; });
        var result = await rt.RunAsync(flow, new Dictionary<string, object?> { ["doc"] = "P-42" }, Ct);
        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Contains("LOOKUP[policy P-42]", client.CallList[0].User);
        Assert.Equal("98", result["use_Calculator"]!.Output);
        Assert.Equal("2031", result["use_DateTime"]!.Output);
        Assert.Equal("HELLO", result["use_Fn"]!.Output);
        Assert.True(result["use_WebSearch"]!.IsSynthetic); // hybrid: unregistered → stub
        Assert.StartsWith("[stub] WebSearch", result["use_WebSearch"]!.Output);

        var stubMode = await TestKit.Runtime(client, o => { o.Tools = tools; o.ToolMode = ToolMode.Stub; })
            .RunAsync(flow, new Dictionary<string, object?> { ["doc"] = "P-42" }, Ct);
        Assert.StartsWith("[stub] Fn", stubMode["use_Fn"]!.Output);
        Assert.Equal("98", stubMode["use_Calculator"]!.Output); // built-ins are real in every mode

        var real = await TestKit.Runtime(client, o => { o.Tools = tools; o.ToolMode = ToolMode.Real; })
            .RunAsync(flow, new Dictionary<string, object?> { ["doc"] = "P-42" }, Ct);
        Assert.Equal(RunStatus.Failed, real.Status);
        Assert.Equal("ToolNotFound", real.ErrorName);
        Assert.Contains("Tool not found: WebSearch", real.Error);
    }

    [Theory]
    [InlineData("1 + 2 * 3", 7)]
    [InlineData("sqrt(16) + abs(-2)", 6)]
    [InlineData("max(1, 5, 3) - min(4, 2)", 3)]
    [InlineData("2 ^ 10", 1024)]
    [InlineData("round(2.5)", 2)]
    public void Calculator_evaluates(string expression, double expected) => Assert.Equal(expected, CalculatorTool.Evaluate(expression), 9);

    [Fact]
    public void Calculator_rejects_code() => Assert.Throws<FormatException>(() => CalculatorTool.Evaluate("__import__('os')"));

    [Fact]
    public async Task Remember_and_recall_use_the_memory_store()
    {
        var memory = new Axon.Runtime.Memory.InMemoryMemoryStore();
        var client = new ScriptedChatClient(c => c.User.Contains("triage") ? "Triage: water damage, severity high" : "answer");
        var first = new FlowDefinition("F", [
            new StepNode("Triage") { Ask = "triage" },
            new RememberNode("Triage", "ClaimHistory"),
        ]);
        var second = new FlowDefinition("G", [
            new RecallNode("water damage", "ClaimHistory"),
            new StepNode("Use") { Ask = "use memory" },
        ]);
        var rt = TestKit.Runtime(client, o => o.MemoryStore = memory);
        await rt.RunAsync(first, NoArgs, Ct);
        var result = await rt.RunAsync(second, NoArgs, Ct);
        Assert.Contains("Recalled memory: [ClaimHistory] Triage: Triage: water damage, severity high", client.CallList[1].User);
        Assert.Single(result["recall_ClaimHistory"]!.Json!.AsArray());
    }

    [Fact]
    public async Task Recall_honours_the_declared_decay()
    {
        var time = new RecordingTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var memory = new Axon.Runtime.Memory.InMemoryMemoryStore(time);
        await memory.StoreAsync("Notes", "old", "water damage 2029", Ct);
        time.Now += TimeSpan.FromDays(10);
        await memory.StoreAsync("Notes", "new", "water damage 2030", Ct);
        var client = new ScriptedChatClient(_ => "ok");
        var flow = new FlowDefinition("F", [new RecallNode("water", "Notes"), new StepNode("S") { Ask = "s" }])
        {
            Memories = [new MemoryDefinition("Notes") { Decay = "7d" }],
        };
        var result = await TestKit.Runtime(client, o => { o.MemoryStore = memory; o.TimeProvider = time; }).RunAsync(flow, NoArgs, Ct);
        var recalled = Assert.Single(result["recall_Notes"]!.Json!.AsArray());
        Assert.Equal("new", recalled!["key"]!.GetValue<string>());
        Assert.DoesNotContain("2029", client.CallList[0].User);
    }

    [Fact]
    public async Task On_failure_escalate_calls_the_handler()
    {
        var escalations = new ConcurrentQueue<EscalationContext>();
        var client = new ScriptedChatClient(_ => throw new Exception("down"));
        var flow = new FlowDefinition("F", [new StepNode("A") { Ask = "a" }, new RefineNode { MaxAttempts = 1 }]);
        var result = await TestKit.Runtime(client, o => o.OnEscalate = (e, _) => { escalations.Enqueue(e); return ValueTask.CompletedTask; })
            .RunAsync(new RunDefinition(flow) { OnFailure = "escalate" }, (IReadOnlyDictionary<string, object?>?)null, Ct);
        Assert.Equal(RunStatus.Failed, result.Status);
        var e = Assert.Single(escalations);
        Assert.Equal("A", e.StepName);
        Assert.Contains("down", e.Reason);
    }

    [Fact]
    public async Task If_else_evaluates_fields_and_confidence()
    {
        FlowDefinition Flow(string op, string value) => new("F", [
            new ProbeNode("doc", ["amount"]),
            new ConditionalNode("amount", op, value, new StepNode("Big") { Ask = "big" }, new StepNode("Small") { Ask = "small" }),
        ]) { Parameters = [new("doc", "Document")] };
        var client = new ScriptedChatClient(c => c.User.Contains("amount") && !c.User.Contains("big") && !c.User.Contains("small") ? "{\"amount\":\"30000\",\"confidence\":0.8}" : "x");
        var big = await TestKit.Runtime(client).RunAsync(TestKit.Run(Flow(">", "25000"), "d"), (IReadOnlyDictionary<string, object?>?)null, Ct);
        Assert.NotNull(big["Big"]);
        Assert.Null(big["Small"]);
        var small = await TestKit.Runtime(client).RunAsync(TestKit.Run(Flow(">", "50000"), "d"), (IReadOnlyDictionary<string, object?>?)null, Ct);
        Assert.NotNull(small["Small"]);

        var conf = new FlowDefinition("F", [
            new StepNode("S") { Ask = "s", OutputType = "Summary" },
            new ConditionalNode("confidence", "<", "0.5", new StepNode("Low") { Ask = "low" }, new StepNode("High") { Ask = "high" }),
        ]);
        var c2 = new ScriptedChatClient(c => c.User.Contains("s\n") || c.User.StartsWith("s") ? "{\"summary\":\"x\",\"confidence\":0.3}" : "y");
        var low = await TestKit.Runtime(c2).RunAsync(conf, NoArgs, Ct);
        Assert.NotNull(low["Low"]);
    }

    [Fact]
    public async Task Par_runs_branches_concurrently()
    {
        var inFlight = 0;
        var maxInFlight = 0;
        var both = new TaskCompletionSource();
        var client = new ScriptedChatClient();
        for (var i = 0; i < 2; i++)
            client.Then(async (c, token) =>
            {
                var now = Interlocked.Increment(ref inFlight);
                InterlockedMax(ref maxInFlight, now);
                if (now == 2) both.TrySetResult();
                await both.Task.WaitAsync(TimeSpan.FromSeconds(5), token); // deadlocks (times out) unless both calls are in flight together
                Interlocked.Decrement(ref inFlight);
                return ScriptedChatClient.Reply("branch");
            });
        client.Then("after");
        var flow = new FlowDefinition("F", [
            new ParallelNode([new StepNode("A") { Ask = "a" }, new StepNode("B") { Ask = "b" }]),
            new StepNode("C") { Ask = "c {{A}} {{B}}" },
        ]);
        var result = await TestKit.Runtime(client).RunAsync(flow, NoArgs, Ct);
        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal(2, maxInFlight);
        Assert.Equal("c branch branch", client.CallList[2].User);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }

    [Fact]
    public async Task Par_with_dependent_branches_is_rejected_before_running()
    {
        var client = new ScriptedChatClient(_ => "x");
        var flow = new FlowDefinition("F", [
            new StepNode("Before") { Ask = "first" },
            new ParallelNode([new StepNode("A") { Ask = "a" }, new StepNode("B") { Ask = "b uses {{A}}" }]),
        ]);
        var ex = await Assert.ThrowsAsync<AxonFlowDefinitionException>(() => TestKit.Runtime(client).RunAsync(flow, NoArgs, Ct));
        Assert.Contains("par branches must be independent", ex.Message);
        Assert.Contains("'A'", ex.Message);
        Assert.Empty(client.Calls);
    }

    [Fact]
    public async Task Par_branch_failure_fails_the_run()
    {
        var client = new ScriptedChatClient(c => c.User == "bad" ? throw new Exception("nope") : "ok");
        var flow = new FlowDefinition("F", [
            new ParallelNode([new StepNode("A") { Ask = "ok" }, new StepNode("B") { Ask = "bad" }]),
            new RefineNode { MaxAttempts = 1 },
        ]);
        var result = await TestKit.Runtime(client).RunAsync(flow, NoArgs, Ct);
        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("step 'B'", result.Error);
    }

    private static FlowDefinition HibernateFlow() => new("Approve", [
        new StepNode("Check") { Ask = "check" },
        new HibernateNode("cfo_signoff") { Timeout = "72h", ContinuationId = "1f6c681e1d0820e6" },
        new StepNode("Finish") { Ask = "finish with {{cfo_signoff}} after {{Check}}" },
    ]);

    [Fact]
    public async Task Hibernate_suspends_resume_continues_once_and_second_resume_is_refused()
    {
        var client = new ScriptedChatClient(c => c.User.StartsWith("check") ? "CHECKED" : "FINISHED");
        var rt = TestKit.Runtime(client);
        var suspended = await rt.RunAsync(HibernateFlow(), NoArgs, Ct);
        Assert.Equal(RunStatus.Suspended, suspended.Status);
        Assert.Equal("cfo_signoff", suspended.AwaitingEvent);
        Assert.NotNull(suspended.ContinuationId);
        Assert.Single(client.Calls);
        Assert.Equal([suspended.ContinuationId], await rt.Options.StateStore.ListPendingAsync(Ct));

        var resumed = await rt.ResumeAsync(suspended.ContinuationId!, "approved by CFO", Ct);
        Assert.Equal(RunStatus.Completed, resumed.Status);
        Assert.Equal("finish with approved by CFO after CHECKED", client.CallList[1].User);
        Assert.Equal("FINISHED", resumed.Output);
        Assert.Contains(resumed.Steps, s => s.Name == "Check"); // results before the suspension are kept

        await Assert.ThrowsAsync<AxonResumeException>(() => rt.ResumeAsync(suspended.ContinuationId!, "again", Ct));
        Assert.Equal(2, client.Calls.Count);
    }

    [Fact]
    public async Task Hibernate_concurrent_resumes_run_exactly_once_with_file_store()
    {
        var dir = Directory.CreateTempSubdirectory("axon-state");
        try
        {
            var client = new ScriptedChatClient(c => c.User.StartsWith("check") ? "CHECKED" : "FINISHED");
            var store = new FileSystemExecutionStateStore(dir.FullName);
            var rt = TestKit.Runtime(client, o => o.StateStore = store);
            var suspended = await rt.RunAsync(HibernateFlow(), NoArgs, Ct);

            // A new runtime (as after a restart) resumes from the files.
            var rt2 = TestKit.Runtime(client, o => o.StateStore = new FileSystemExecutionStateStore(dir.FullName)).Register(HibernateFlow());
            var attempts = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
            {
                try { return await rt2.ResumeAsync(suspended.ContinuationId!, "ok", Ct); }
                catch (AxonResumeException) { return null; }
            }, Ct)).ToArray();
            var results = await Task.WhenAll(attempts);
            Assert.Single(results, r => r is not null);
            Assert.Equal(2, client.Calls.Count);
            // No pending state is left; a completion marker keeps the id from ever resuming again.
            Assert.Empty(Directory.GetFiles(dir.FullName, "*.state.json"));
            Assert.Equal(Axon.Runtime.State.ContinuationStatus.Completed, await store.GetStatusAsync(suspended.ContinuationId!, Ct));
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public async Task Hibernate_timeout_refuses_late_resume_and_unknown_flow_is_reported()
    {
        var time = new RecordingTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var client = new ScriptedChatClient(_ => "x");
        var rt = TestKit.Runtime(client, o => o.TimeProvider = time);
        var suspended = await rt.RunAsync(HibernateFlow(), NoArgs, Ct);
        time.Now += TimeSpan.FromHours(73);
        var ex = await Assert.ThrowsAsync<AxonResumeException>(() => rt.ResumeAsync(suspended.ContinuationId!, null, Ct));
        Assert.Contains("timed out", ex.Message);

        var other = TestKit.Runtime(client, o => o.StateStore = rt.Options.StateStore);
        var s2 = await rt.RunAsync(HibernateFlow(), NoArgs, Ct);
        var ex2 = await Assert.ThrowsAsync<AxonResumeException>(() => other.ResumeAsync(s2.ContinuationId!, null, Ct));
        Assert.Contains("not registered", ex2.Message);
        Assert.NotNull(await rt.ResumeAsync(s2.ContinuationId!, null, Ct)); // still resumable where the flow is known
    }

    [Fact]
    public async Task Hibernate_inside_par_lets_siblings_finish_then_suspends()
    {
        var client = new ScriptedChatClient(c => "out:" + c.User);
        var flow = new FlowDefinition("F", [
            new ParallelNode([new StepNode("A") { Ask = "a" }, new HibernateNode("review")]),
            new StepNode("After") { Ask = "after {{review}} {{A}}" },
        ]);
        var rt = TestKit.Runtime(client);
        var r = await rt.RunAsync(flow, NoArgs, Ct);
        Assert.Equal(RunStatus.Suspended, r.Status);
        Assert.NotNull(r["A"]);
        var done = await rt.ResumeAsync(r.ContinuationId!, "ok", Ct);
        Assert.Equal("out:after ok out:a", done.Output);
    }

    [Fact]
    public async Task Hibernate_inside_a_conditional_suspends_after_it()
    {
        var client = new ScriptedChatClient(c => c.User.Contains("amount") && !c.User.Contains("approve") ? "{\"amount\":\"30000\",\"confidence\":0.9}" : "approved");
        var flow = new FlowDefinition("F", [
            new ProbeNode("doc", ["amount"]),
            new ConditionalNode("amount", ">", "25000", new HibernateNode("cfo_signoff"), new StepNode("Auto") { Ask = "approve" }),
            new StepNode("Close") { Ask = "close" },
        ]) { Parameters = [new("doc", "Document")] };
        var rt = TestKit.Runtime(client);
        var r = await rt.RunAsync(TestKit.Run(flow, "req"), (IReadOnlyDictionary<string, object?>?)null, Ct);
        Assert.Equal(RunStatus.Suspended, r.Status);
        var done = await rt.ResumeAsync(r.ContinuationId!, "yes", Ct);
        Assert.Equal(RunStatus.Completed, done.Status);
        Assert.NotNull(done["Close"]);
        Assert.Null(done["Auto"]);
    }
}

public class StateStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task File_store_refuses_path_like_ids_and_claims_once()
    {
        var dir = Directory.CreateTempSubdirectory("axon-store");
        try
        {
            var store = new FileSystemExecutionStateStore(dir.FullName);
            await Assert.ThrowsAsync<ArgumentException>(async () => await store.SaveAsync("../evil", new byte[] { 1 }, Ct));
            await store.SaveAsync("abc123", new byte[] { 1, 2 }, Ct);
            Assert.Equal(["abc123"], await store.ListPendingAsync(Ct));
            Assert.Equal(new byte[] { 1, 2 }, await store.LoadAsync("abc123", Ct));
            Assert.Equal(new byte[] { 1, 2 }, await store.TryClaimAsync("abc123", Ct));
            Assert.Null(await store.TryClaimAsync("abc123", Ct));
            Assert.Empty(await store.ListPendingAsync(Ct));

            var rt = new AxonRuntime(new AxonRunOptions { StateStore = store, OutputDirectory = "" });
            await Assert.ThrowsAsync<AxonResumeException>(() => rt.ResumeAsync("../../etc/passwd", null, Ct));
            await Assert.ThrowsAsync<AxonResumeException>(() => rt.ResumeAsync("0123456789abcdef", null, Ct));
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public async Task Trace_spans_nest_par_branches_and_events_carry_durations()
    {
        var trace = new Axon.Runtime.Tracing.TraceRecorder("t.axon", "stub");
        var rt = new AxonRuntime(new AxonRunOptions { Trace = trace, OutputDirectory = "" });
        var flow = new FlowDefinition("P", [new ParallelNode([new StepNode("A") { Ask = "a" }, new StepNode("B") { Ask = "b" }])]);
        await rt.RunAsync(flow, new Dictionary<string, object?>(), Ct);
        var json = System.Text.Json.Nodes.JsonNode.Parse(trace.ToJson())!;
        var run = json["spans"]![0]!;
        var par = run["children"]![0]!;
        Assert.Equal("par:par#1", par["name"]!.GetValue<string>());
        Assert.Equal(["step:A", "step:B"], par["children"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).Order());
        Assert.Contains(json["events"]!.AsArray(), e => e!["type"]!.GetValue<string>() == "model_response" && e["data"]!["synthetic"]!.GetValue<bool>());
        Assert.Equal("ok", run["status"]!.GetValue<string>());
    }
}
