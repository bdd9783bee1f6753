using Axon.Runtime.Model;

namespace Axon.Runtime.Tests.Support;

/// <summary>The reference's examples/contract_analyzer.axon, built by hand as generated code would.</summary>
public static class ContractAnalyzer
{
    public static readonly PersonaDefinition LegalExpert = new("LegalExpert")
    {
        Domain = ["contract law", "IP", "corporate"], Tone = "precise", ConfidenceThreshold = 0.85, CiteSources = true, Position = new(4, 1),
    };

    public static readonly ContextDefinition LegalReview = new("LegalReview")
    {
        MemoryScope = "session", Language = "en", Depth = "exhaustive", MaxTokens = 4096, Temperature = 0.3, Position = new(11, 1),
    };

    public static readonly AnchorDefinition NoHallucination = new("NoHallucination")
    {
        Require = "source_citation", ConfidenceFloor = 0.75, UnknownResponse = "I don't have sufficient information.",
        OnViolation = "raise", OnViolationTarget = "AnchorBreachError", Position = new(19, 1),
    };

    public static readonly IReadOnlyList<TypeDefinition> Types =
    [
        new("RiskScore") { RangeMin = 0.0, RangeMax = 1.0, Position = new(26, 1) },
        new("Party") { Fields = [new("name", "FactualClaim"), new("role", "FactualClaim")], Position = new(28, 1) },
        new("Risk") { Fields = [new("score", "RiskScore"), new("mitigation", new TypeReference("Opinion", Optional: true))], Position = new(33, 1) },
    ];

    public static readonly ToolDefinition WebSearch = new("WebSearch") { Provider = "brave", MaxResults = 5, Timeout = "10s", Position = new(38, 1) };

    public static readonly FlowDefinition AnalyzeContract = new("AnalyzeContract",
    [
        new StepNode("Extract") { Given = "doc", Ask = "Extract all parties, obligations, dates, and penalties", OutputType = "EntityMap", Position = new(45, 3) },
        new StepNode("Assess") { Given = "Extract.output", Ask = "Identify ambiguous or risky clauses", OutputType = "RiskAnalysis", Position = new(50, 3) },
    ])
    {
        Parameters = [new("doc", "Document") { Position = new(44, 22) }],
        ReturnType = "ContractAnalysis",
        ExecutionLevels = [["Extract"], ["Assess"]],
        Types = Types,
        Tools = [WebSearch],
        Position = new(44, 1),
    };

    public static readonly RunDefinition Run = new(AnalyzeContract)
    {
        Arguments = ["myContract"],
        Persona = LegalExpert,
        Context = LegalReview,
        Anchors = [NoHallucination],
        OnFailure = "retry",
        OnFailureParams = [new("backoff", "exponential")],
        OutputTo = "report.json",
        Effort = "high",
        Position = new(57, 1),
    };

    public static readonly AxonProgram Program = new()
    {
        Source = "contract_analyzer.axon",
        Personas = [LegalExpert], Contexts = [LegalReview], Anchors = [NoHallucination], Tools = [WebSearch], Types = Types,
        Flows = [AnalyzeContract], Runs = [Run],
    };
}
