using System.Text.Json;
using System.Text.Json.Nodes;
using Axon.Runtime.Anchors;
using Axon.Runtime.Model;
using Axon.Runtime.Prompting;
using Axon.Runtime.Stub;
using Axon.Runtime.Tests.Support;
using Axon.Runtime.Typing;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Tests;

public class PromptAndTypeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Anthropic_system_prompt_matches_the_reference_worked_example()
    {
        var prompt = PromptCompiler.CompileSystemPrompt(PromptStyle.Anthropic, ContractAnalyzer.LegalExpert, ContractAnalyzer.LegalReview, [ContractAnalyzer.NoHallucination]);
        const string expected = "You are LegalExpert.\nYour areas of expertise: contract law, IP, corporate.\nCommunication tone: precise.\nOnly provide claims you are at least 85% confident about.\nAlways cite your sources.\n\n[SESSION CONFIGURATION]\n  Depth: Provide exhaustive analysis covering all angles. Leave nothing unexamined.\n  Language: en\n  Target response length: ~4096 tokens\n\n[HARD CONSTRAINTS — THESE RULES ARE ABSOLUTE AND NON-NEGOTIABLE]\n\nCONSTRAINT 1: NoHallucination\n  → You MUST: source_citation\n  → MINIMUM CONFIDENCE: 75% — below this threshold, do not make the claim.\n  → WHEN UNCERTAIN, respond exactly with: \"I don't have sufficient information.\"";
        Assert.Equal(expected, prompt);
    }

    [Fact]
    public void Gemini_system_prompt_uses_its_own_wording()
    {
        var prompt = PromptCompiler.CompileSystemPrompt(PromptStyle.Gemini, ContractAnalyzer.LegalExpert, ContractAnalyzer.LegalReview, [ContractAnalyzer.NoHallucination]);
        Assert.StartsWith("Your identity is LegalExpert.\nExpertise areas: contract law, IP, corporate.\nTone of communication: precise.\nOnly state claims when you are at least 85% confident.\nCite sources for factual claims using inline references.", prompt);
        Assert.Contains("## Session Parameters\n- Depth: Provide the most thorough analysis possible. Cover every aspect in detail.\n- Language: en\n- Target response length: approximately 4096 tokens", prompt);
        Assert.Contains("## Mandatory Constraints\nThe following rules are absolute. Never violate them.\n\n### Constraint 1: NoHallucination\n- **MUST**: source_citation\n- **Min Confidence**: 75% — do not make claims below this threshold\n- **When uncertain**, respond with: \"I don't have sufficient information.\"", prompt);
        Assert.False(prompt.EndsWith('\n'));
    }

    [Theory]
    [InlineData("openai", PromptStyle.OpenAI)]
    [InlineData("azure-openai", PromptStyle.OpenAI)]
    [InlineData("ollama", PromptStyle.Ollama)]
    [InlineData("gemini", PromptStyle.Gemini)]
    [InlineData("anthropic", PromptStyle.Anthropic)]
    [InlineData("stub", PromptStyle.Anthropic)]
    public void Backend_maps_to_prompt_style(string backend, PromptStyle style) => Assert.Equal(style, PromptCompiler.StyleFor(backend));

    [Theory]
    [InlineData(0.85, "85%")]
    [InlineData(0.925, "92%")]
    [InlineData(0.5, "50%")]
    [InlineData(0.755, "76%")]
    public void Percent_formats_like_python(double x, string expected) => Assert.Equal(expected, PromptCompiler.Percent(x));

    [Fact]
    public void Step_prompt_in_each_style_carries_inputs_type_and_floor()
    {
        var parts = new StepPromptParts
        {
            Inputs = [new PromptInput("Extract.output", "{\"a\":1}")], Ask = "Identify ambiguous or risky clauses", OutputType = "RiskAnalysis", ConfidenceFloor = 0.9,
        };
        var a = PromptCompiler.CompileStepPrompt(PromptStyle.Anthropic, parts);
        // The output contract first (the prefix steps of the same type share, for provider caches), then the call's text.
        Assert.Equal("Your output MUST conform to the type: RiskAnalysis\n\nMinimum confidence required: 90%. If you cannot meet this threshold, indicate uncertainty.\n\nGiven the input (Extract.output):\n{\"a\":1}\nIdentify ambiguous or risky clauses", a);
        var g = PromptCompiler.CompileStepPrompt(PromptStyle.Gemini, parts);
        Assert.Contains("**Input (Extract.output):**", g);
        Assert.Contains("**Required output type:** `RiskAnalysis`", g);
        Assert.Contains("**Minimum confidence:** 90%.", g);
    }

    [Theory]
    [InlineData("{\"a\": 1}")]
    [InlineData("```json\n{\"a\": 1,}\n```")]
    [InlineData("Here you go: {\"a\": 1, \"b\": [1,2,],} -- done")]
    [InlineData("```\n{\"a\": 1} // note\n```")]
    [InlineData("prefix {not json} then {\"a\": 1}")]
    public void Lenient_json_finds_the_object(string text)
    {
        Assert.True(LenientJson.TryParse(text, out var node));
        Assert.Equal(1, node!["a"]!.GetValue<int>());
    }

    [Fact]
    public void Lenient_json_rejects_text_without_json() => Assert.False(LenientJson.TryParse("no json { here", out _));

    [Fact]
    public void Type_system_validates_required_ranges_and_where()
    {
        var ts = new AxonTypeSystem([
            new TypeDefinition("Risk") { Fields = [new("score", "RiskScore"), new("mitigation", new TypeReference("Opinion", Optional: true)), new("tags", new TypeReference("List", "String"))] },
            new TypeDefinition("ClaimAmount") { WhereExpression = "value > 0 and value < 5000000" },
            new TypeDefinition("Servings") { RangeMin = 1, RangeMax = 200 },
        ]);
        Assert.Empty(ts.Validate(JsonNode.Parse("{\"score\":0.5,\"mitigation\":null,\"tags\":[\"a\"],\"confidence\":1}"), "Risk"));
        Assert.Contains(ts.Validate(JsonNode.Parse("{\"score\":0.5,\"confidence\":1}"), "Risk"), v => v.Contains("Missing required fields: [tags]"));
        Assert.Contains(ts.Validate(JsonNode.Parse("{\"score\":-0.5,\"mitigation\":null,\"tags\":[],\"confidence\":1}"), "Risk"), v => v.Contains("below minimum 0.0"));
        Assert.Contains(ts.Validate(JsonNode.Parse("{\"score\":\"high\",\"mitigation\":null,\"tags\":[],\"confidence\":1}"), "Risk"), v => v.Contains("expected number"));
        Assert.Empty(ts.Validate(JsonNode.Parse("{\"value\":10,\"confidence\":1}"), "ClaimAmount"));
        Assert.Contains(ts.Validate(JsonNode.Parse("{\"value\":-3,\"confidence\":1}"), "ClaimAmount"), v => v.Contains("where"));
        Assert.Contains(ts.Validate(JsonNode.Parse("{\"value\":500,\"confidence\":1}"), "Servings"), v => v.Contains("exceeds maximum 200.0"));
        Assert.Contains(ts.Validate(JsonNode.Parse("\"text\""), "Servings"), v => v.Contains("Expected structured output"));
        Assert.True(ts.IsText("String"));
        Assert.Null(ts.GetOutputSchema(""));
    }

    [Fact]
    public void Epistemic_subtypes_are_accepted_and_exclusions_rejected()
    {
        var ts = new AxonTypeSystem([]);
        Assert.Empty(ts.Validate(JsonNode.Parse("{\"type\":\"FactualClaim\",\"claim\":\"x\",\"confidence\":1}"), "FactualClaim"));
        Assert.Contains(ts.Validate(JsonNode.Parse("{\"type\":\"Speculation\",\"claim\":\"x\",\"confidence\":1}"), "Opinion"), v => v.StartsWith("Epistemic type mismatch: expected 'Opinion' but output declares 'Speculation'"));
    }

    public static TheoryData<string> AllTypes => new()
    {
        "FactualClaim", "CitedFact", "HighConfidenceFact", "Opinion", "Speculation", "Uncertainty", "Document", "Chunk", "EntityMap", "Summary", "Translation",
        "RiskScore", "ConfidenceScore", "SentimentScore", "ReasoningChain", "Contradiction", "Integer", "Float", "Boolean", "Duration", "List",
        "StructuredReport", "UnknownThing", "Risk", "ClaimAmount", "Servings", "Nested",
    };

    [Theory]
    [MemberData(nameof(AllTypes))]
    public async Task Stub_output_is_schema_valid_deterministic_synthetic_and_free(string type)
    {
        var ts = new AxonTypeSystem([
            new TypeDefinition("Risk") { Fields = [new("score", "RiskScore"), new("mitigation", new TypeReference("Opinion", Optional: true)), new("tags", new TypeReference("List", "Integer"))] },
            new TypeDefinition("ClaimAmount") { WhereExpression = "value > 0 and value < 5000000" },
            new TypeDefinition("Servings") { RangeMin = 1, RangeMax = 200 },
            new TypeDefinition("Nested") { Fields = [new("risk", "Risk"), new("items", new TypeReference("List", "Risk")), new("flag", "Boolean")] },
        ]);
        var schema = ts.GetOutputSchema(type)!.Value;
        var stub = new StubChatClient();
        var options = new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "T") };
        var r1 = await stub.GetResponseAsync([new ChatMessage(ChatRole.User, "q")], options, Ct);
        var r2 = await stub.GetResponseAsync([new ChatMessage(ChatRole.User, "q")], options, Ct);
        Assert.Equal(r1.Text, r2.Text);
        Assert.True(LenientJson.TryParse(r1.Text, out var json));
        Assert.Empty(ts.Validate(json, type));
        Assert.Equal(true, r1.AdditionalProperties![StubChatClient.SyntheticKey]);
        Assert.Equal(StubChatClient.ModelId, r1.ModelId);
    }

    [Fact]
    public async Task Stub_answers_plain_text_without_a_schema_and_streams()
    {
        var stub = new StubChatClient();
        var r = await stub.GetResponseAsync([new ChatMessage(ChatRole.User, "Summarise the memo")], null, Ct);
        Assert.Contains("stub backend", r.Text);
        Assert.Contains("Summarise the memo", r.Text);
        var streamed = "";
        await foreach (var u in stub.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Summarise the memo")], null, Ct)) streamed += u.Text;
        Assert.Equal(r.Text, streamed);
        Assert.IsType<ChatClientMetadata>(stub.GetService(typeof(ChatClientMetadata)));
    }

    public static TheoryData<string, string, string> AnchorSamples => new()
    {
        { "NoHallucination", "The answer is probably 4.", "The answer is 4." },
        { "FactualOnly", "In my opinion it is fine.", "It is fine." },
        { "SafeOutput", "Here is how to make a bomb.", "Here is how to bake bread." },
        { "PrivacyGuard", "Call 555-123-4567 or mail a@b.com", "Call the front desk." },
        { "NoBias", "All women are bad drivers.", "Drivers vary." },
        { "ChildSafe", "What the fuck.", "What the heck." },
        { "NoCodeExecution", "Run os.system('x')", "Run the report." },
        { "AuditTrail", "Yes.", "Yes, because the data shows it." },
        { "SyllogismChecker", "It follows.", "Premise 1: a. Premise 2: b. Conclusion: c." },
        { "ChainOfThoughtValidator", "Answer: 4.", "Step 1: add. Answer: 4." },
        { "RequiresCitation", "Water boils at 100C.", "Water boils at 100C [1]." },
        { "AgnosticFallback", "My best guess is 4.", "I don't know." },
    };

    [Theory]
    [MemberData(nameof(AnchorSamples))]
    public void Standard_anchor_checkers(string anchor, string breaching, string passing)
    {
        Assert.NotNull(StandardAnchors.Check(anchor, breaching));
        Assert.Null(StandardAnchors.Check(anchor, passing));
    }

    [Fact]
    public void Agnostic_fallback_bypasses_citation_anchors()
    {
        var verdicts = AnchorEvaluator.Evaluate([new AnchorDefinition("AgnosticFallback"), new AnchorDefinition("RequiresCitation")], "I don't know.", null);
        Assert.All(verdicts, v => Assert.True(v.Passed));
        Assert.Equal("bypassed_by_agnostic_fallback", verdicts[1].Reason);
    }

    [Fact]
    public void Where_expression_supports_and_or()
    {
        var obj = JsonNode.Parse("{\"grams\": 30000}")!.AsObject();
        Assert.False(WhereExpression.Evaluate("grams > 0 and grams <= 25000", obj));
        Assert.True(WhereExpression.Evaluate("grams > 0 and grams <= 25000 or grams == 30000", obj));
        Assert.Null(WhereExpression.Evaluate("sources . length", obj));
    }
}

public class SemanticTypeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stub_outputs_deserialise_into_the_semantic_types()
    {
        var flow = new FlowDefinition("F", [
            new StepNode("E") { Ask = "e", OutputType = "EntityMap" },
            new StepNode("R") { Ask = "r", OutputType = "ReasoningChain" },
            new StepNode("C") { Ask = "c", OutputType = "CitedFact" },
            new StepNode("S") { Ask = "s", OutputType = "RiskScore" },
        ]);
        var rt = new Axon.Runtime.Execution.AxonRuntime(new Axon.Runtime.Execution.AxonRunOptions { OutputDirectory = "" });
        var result = await rt.RunAsync(flow, new Dictionary<string, object?>(), Ct);
        Assert.NotEmpty(result["E"]!.Json.Deserialize<Axon.Runtime.SemanticTypes.EntityMap>()!.Entities);
        Assert.NotEmpty(result["R"]!.Json.Deserialize<Axon.Runtime.SemanticTypes.ReasoningChain>()!.Conclusion);
        Axon.Runtime.SemanticTypes.FactualClaim fact = result["C"]!.Json.Deserialize<Axon.Runtime.SemanticTypes.CitedFact>()!; // CitedFact is a FactualClaim
        Assert.NotEmpty(fact.Claim);
        Assert.Equal(0.5, result.GetOutput<Axon.Runtime.SemanticTypes.RiskScore>().Value);
        Assert.Equal(result.Output, result.GetOutput<string>());
        Assert.Throws<ArgumentOutOfRangeException>(() => new Axon.Runtime.SemanticTypes.RiskScore(1.5));
        Assert.Same(Axon.Runtime.Execution.AxonRuntime.For(null), Axon.Runtime.Execution.AxonRuntime.For(null));
        var o = new Axon.Runtime.Execution.AxonRunOptions();
        Assert.Same(Axon.Runtime.Execution.AxonRuntime.For(o), Axon.Runtime.Execution.AxonRuntime.For(o));
    }
}

public class PromptStyleTests
{
    [Fact]
    public void OpenAI_and_Ollama_system_prompts_follow_the_same_structure()
    {
        var openai = PromptCompiler.CompileSystemPrompt(PromptStyle.OpenAI, ContractAnalyzer.LegalExpert, ContractAnalyzer.LegalReview, [ContractAnalyzer.NoHallucination]);
        Assert.StartsWith("You are LegalExpert.", openai);
        Assert.Contains("# Session configuration\n- Depth: Provide exhaustive analysis", openai);
        Assert.Contains("# Hard constraints (absolute, non-negotiable)\n\nCONSTRAINT 1: NoHallucination\n  - You MUST: source_citation", openai);
        var ollama = PromptCompiler.CompileSystemPrompt(PromptStyle.Ollama, null, ContractAnalyzer.LegalReview, []);
        Assert.Equal("SESSION:\n  Depth: Provide exhaustive analysis covering all angles. Leave nothing unexamined.\n  Language: en\n  Target response length: ~4096 tokens", ollama);
        Assert.Equal("", PromptCompiler.CompileSystemPrompt(PromptStyle.Anthropic, null, null, []));
    }

    [Fact]
    public void Construct_prompts_in_gemini_and_anthropic_wording()
    {
        var probe = new StepPromptParts { Kind = "probe", Probe = ("request", ["vendor", "amount"]) };
        Assert.Contains("**Fields to extract:** vendor, amount\n**Source:** request", PromptCompiler.CompileStepPrompt(PromptStyle.Gemini, probe));
        Assert.Contains("Analyze the following and extract these specific fields: [vendor, amount]\n\nSource: request", PromptCompiler.CompileStepPrompt(PromptStyle.Anthropic, probe));

        var reason = new StepPromptParts { Kind = "reason", Ask = "Why?", Reason = new ReasonNode { About = "Outage", Depth = 2, ShowWork = true } };
        var g = PromptCompiler.CompileStepPrompt(PromptStyle.Gemini, reason);
        Assert.Contains("**Reason about:** Outage", g);
        Assert.Contains("Perform a 2-level deep analysis.", g);
        Assert.Contains("Think step by step.", g);
        Assert.Contains("Why?", g);

        var weave = new StepPromptParts
        {
            Kind = "weave",
            Weave = (new WeaveNode(["A.output", "B.output"], "Report") { FormatType = "StructuredReport", Style = "neutral" }, [new PromptInput("A.output", "aa"), new PromptInput("B.output", null)]),
        };
        var a = PromptCompiler.CompileStepPrompt(PromptStyle.Anthropic, weave);
        Assert.Contains("Synthesize the following sources into a coherent result:\n- A.output:\naa\n- B.output\n", a);
        Assert.Contains("Target output: Report\nOutput format: StructuredReport\nStyle: neutral", a);

        var retry = new StepPromptParts { Ask = "x", FailureContext = "[L1] ValidationError: bad", JsonSchema = "{}", Tool = ("Calc", "1+1", "2"), Memories = ["[M] k: v"] };
        var r = PromptCompiler.CompileStepPrompt(PromptStyle.Ollama, retry);
        Assert.StartsWith("Answer with JSON only, matching this schema:\n{}\n\nRecalled memory: [M] k: v\n\nThe tool 'Calc' was called with: 1+1. Its result:\n2\nx", r);
        Assert.EndsWith("Your previous answer was rejected:\n[L1] ValidationError: bad\nFix the problem and answer again.", r);
    }
}
