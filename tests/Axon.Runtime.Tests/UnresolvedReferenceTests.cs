using Axon.Runtime.Execution;
using Axon.Runtime.Model;
using Axon.Runtime.Tests.Support;

namespace Axon.Runtime.Tests;

/// <summary>Issue 11: a reference that binds nothing fails its step with a message naming it, and no model is called.</summary>
public sealed class UnresolvedReferenceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("tickt", "", "'tickt'")]
    [InlineData("Extrat.output", "", "'Extrat.output'")]
    [InlineData("ticket", "Tier: {{custmer_tier}}", "'{{custmer_tier}}'")]
    public async Task An_unbound_reference_fails_the_step_before_any_model_call(string given, string ask, string named)
    {
        var client = new ScriptedChatClient(_ => "answer");
        var flow = new FlowDefinition("Triage", [
            new StepNode("Extract") { Given = "ticket", Ask = "extract" },
            new StepNode("Assess") { Given = given, Ask = ask.Length > 0 ? ask : "assess" },
        ]) { Parameters = [new("ticket", "String")] };
        var result = await TestKit.Runtime(client).RunAsync(flow, new Dictionary<string, object?> { ["ticket"] = "printer on fire" }, Ct);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains(named, result.Error);
        Assert.Contains("nothing in this run binds", result.Error);
        // Only the first step called the model; the failing one never sent its unresolved text.
        Assert.Single(client.CallList);
        Assert.DoesNotContain(client.CallList, c => c.User.Contains("tickt", StringComparison.Ordinal) || c.User.Contains("custmer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bound_references_and_recalled_memories_still_run()
    {
        var client = new ScriptedChatClient(_ => "answer");
        var flow = new FlowDefinition("F", [
            new StepNode("A") { Given = "ticket", Ask = "a" },
            new StepNode("B") { Given = "A.output", Ask = "b {{ticket}} {{A}}" },
        ]) { Parameters = [new("ticket", "String")] };
        var result = await TestKit.Runtime(client).RunAsync(flow, new Dictionary<string, object?> { ["ticket"] = "t" }, Ct);
        Assert.Equal(RunStatus.Completed, result.Status);
        Assert.Equal(2, client.CallList.Length);
    }
}
