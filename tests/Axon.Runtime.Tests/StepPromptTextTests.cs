using Axon.Runtime.Execution;
using Axon.Runtime.Model;
using Axon.Runtime.Prompting;
using Axon.Runtime.Providers;
using Axon.Runtime.Typing;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Tests;

/// <summary>
/// A step prompt in pieces (shared output contract first, then per-call body and tail) must join to exactly the
/// single-string prompt, and the contract must be one shared string per step.
/// </summary>
public class StepPromptTextTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string Schema = new AxonTypeSystem([]).GetOutputSchemaText("Summary")!;

    public static TheoryData<PromptStyle, int> Combinations()
    {
        var data = new TheoryData<PromptStyle, int>();
        foreach (var style in Enum.GetValues<PromptStyle>())
            for (var mask = 0; mask < 64; mask++) data.Add(style, mask);
        return data;
    }

    private static StepPromptParts Parts(int mask, string input) => new()
    {
        Inputs = (mask & 1) != 0 ? [new PromptInput("doc", input), new PromptInput("missing", null)] : [],
        Ask = (mask & 2) != 0 ? "Summarise the document." : "",
        OutputType = (mask & 4) != 0 ? "Summary" : "",
        ConfidenceFloor = (mask & 8) != 0 ? 0.8 : null,
        JsonSchema = (mask & 16) != 0 ? Schema : null,
        FailureContext = (mask & 32) != 0 ? "[L1] ValidationError: missing summary" : null,
        Memories = (mask & 1) != 0 ? ["[M] k: v"] : [],
    };

    [Theory]
    [MemberData(nameof(Combinations))]
    public void Pieces_join_to_the_single_string_prompt(PromptStyle style, int mask)
    {
        var parts = Parts(mask, "a short document");
        var whole = PromptCompiler.CompileStepPrompt(style, parts);
        var pieces = PromptCompiler.CompileStepPromptText(style, parts);

        Assert.Equal(whole, pieces.ToString());
        Assert.Equal(whole.Length, pieces.Length);
        var hasContract = (mask & (4 | 8 | 16)) != 0;
        Assert.Equal(hasContract, pieces.Contract.Length > 0);
        if (!hasContract) Assert.Equal("", pieces.Tail);
        if (hasContract)
        {
            Assert.False(char.IsWhiteSpace(pieces.Contract[^1]));
            Assert.False(char.IsWhiteSpace(pieces.Contract[0]));
            Assert.StartsWith(pieces.Contract, whole, StringComparison.Ordinal); // the contract is the prompt's prefix
            if (pieces.Body.Length > 0) Assert.StartsWith("\n\n", pieces.Body);
        }
    }

    [Fact]
    public void The_contract_is_one_shared_string_per_step()
    {
        var first = PromptCompiler.CompileStepPromptText(PromptStyle.OpenAI, Parts(1 | 2 | 4 | 16, "first input"));
        var second = PromptCompiler.CompileStepPromptText(PromptStyle.OpenAI, Parts(1 | 2 | 4 | 16 | 32, "second, different input"));

        Assert.Same(first.Contract, second.Contract);
        Assert.Contains(Schema, first.Contract);
        Assert.StartsWith("Your output MUST conform to the type: Summary", first.Contract);
        Assert.StartsWith("\n\nRecalled memory: [M] k: v\n\nGiven the input (doc):\nfirst input", first.Body);
        Assert.Contains("first input", first.Body);
        Assert.StartsWith("\n\nYour previous answer was rejected:", second.Tail);
        // Another style words the contract differently: another shared string.
        var gemini = PromptCompiler.CompileStepPromptText(PromptStyle.Gemini, Parts(1 | 2 | 4 | 16, "first input"));
        Assert.NotEqual(first.Contract, gemini.Contract);
    }

    [Fact]
    public async Task A_typed_step_sends_its_shared_contract_first_then_its_prompt()
    {
        var client = new CapturingClient("{\"summary\":\"s\",\"confidence\":0.9}");
        var flow = new FlowDefinition("F", [
            new StepNode("A") { Given = "doc", Ask = "Summarise the document.", OutputType = "Summary" },
            new StepNode("B") { Given = "A.output", Ask = "Refine.", OutputType = "Summary" },
            new StepNode("C") { Given = "B.output", Ask = "Say it plainly." },
        ]) { Parameters = [new("doc", "Document")] };
        var rt = new AxonRuntime(new AxonRunOptions { ChatClient = client, Backend = "openai", OutputDirectory = "" });

        var result = await rt.RunAsync(flow, new Dictionary<string, object?> { ["doc"] = "a document" }, Ct);

        Assert.Equal(RunStatus.Completed, result.Status);
        var users = client.Requests.Select(r => r.Last(m => m.Role == ChatRole.User)).ToArray();
        Assert.Equal(3, users.Length);
        // Joined, the parts are the prompt the compiler builds for the step.
        var expectedA = PromptCompiler.CompileStepPrompt(PromptStyle.OpenAI, new StepPromptParts
        {
            Inputs = [new PromptInput("doc", "a document")], Ask = "Summarise the document.", OutputType = "Summary", JsonSchema = Schema,
        });
        Assert.Equal(expectedA, users[0].Text);
        Assert.Equal(2, users[0].Contents.Count);
        // The contract is the first part, the same string on both steps, and marked as the end of a shared prefix
        // because both steps state it.
        var contractA = (TextContent)users[0].Contents[0];
        Assert.StartsWith("Your output MUST conform to the type: Summary", contractA.Text);
        Assert.Same(contractA.Text, ((TextContent)users[1].Contents[0]).Text);
        Assert.True(contractA.AdditionalProperties?[PromptCacheKey.SharedPrefixEnd] is true);
        Assert.Contains("{\"summary\":\"s\",\"confidence\":0.9}", users[1].Text);
        // A text step has no contract: one part, as before.
        Assert.Single(users[2].Contents);
    }

    private sealed class CapturingClient(string reply) : IChatClient
    {
        public List<ChatMessage[]> Requests { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Requests.Add([.. messages]);
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, reply)));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;
        public void Dispose() { }
    }
}
