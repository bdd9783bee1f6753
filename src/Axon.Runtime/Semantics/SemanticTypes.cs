using System.Text.Json.Serialization;

namespace Axon.Runtime.Semantics;

// The built-in AXON semantic types as C# types. Their JSON shapes are exactly the schemas the runtime
// requests (Typing.AxonTypeSystem), so a step's JSON output deserialises into them. The epistemic
// lattice is the class hierarchy: HighConfidenceFact → CitedFact → FactualClaim, while Opinion,
// Speculation and Uncertainty are unrelated, so the C# compiler refuses an Opinion where a
// FactualClaim is expected.

/// <summary>A factual claim (epistemic type).</summary>
public record FactualClaim
{
    /// <summary>The claim.</summary>
    [JsonPropertyName("claim")] public string Claim { get; init; } = "";
    /// <summary>Confidence 0..1.</summary>
    [JsonPropertyName("confidence")] public double Confidence { get; init; }
}

/// <summary>A factual claim with sources (a <see cref="FactualClaim"/>).</summary>
public record CitedFact : FactualClaim
{
    /// <summary>Sources supporting the claim.</summary>
    [JsonPropertyName("sources")] public IReadOnlyList<string> Sources { get; init; } = [];
}

/// <summary>A cited fact held with high confidence (a <see cref="CitedFact"/>).</summary>
public sealed record HighConfidenceFact : CitedFact;

/// <summary>An opinion (epistemic type; not a fact).</summary>
public sealed record Opinion
{
    /// <summary>The opinion.</summary>
    [JsonPropertyName("claim")] public string Claim { get; init; } = "";
    /// <summary>Confidence 0..1.</summary>
    [JsonPropertyName("confidence")] public double Confidence { get; init; }
}

/// <summary>A speculation (epistemic type).</summary>
public sealed record Speculation
{
    /// <summary>The speculation.</summary>
    [JsonPropertyName("claim")] public string Claim { get; init; } = "";
    /// <summary>Confidence 0..1.</summary>
    [JsonPropertyName("confidence")] public double Confidence { get; init; }
}

/// <summary>An explicitly uncertain statement (epistemic type).</summary>
public sealed record Uncertainty
{
    /// <summary>The statement.</summary>
    [JsonPropertyName("claim")] public string Claim { get; init; } = "";
    /// <summary>Confidence 0..1.</summary>
    [JsonPropertyName("confidence")] public double Confidence { get; init; }
}

/// <summary>A document.</summary>
public sealed record Document
{
    /// <summary>Title.</summary>
    [JsonPropertyName("title")] public string Title { get; init; } = "";
    /// <summary>Content.</summary>
    [JsonPropertyName("content")] public string Content { get; init; } = "";
}

/// <summary>A chunk of text.</summary>
public sealed record Chunk
{
    /// <summary>The text.</summary>
    [JsonPropertyName("text")] public string Text { get; init; } = "";
}

/// <summary>A summary.</summary>
public sealed record Summary
{
    /// <summary>The summary text.</summary>
    [JsonPropertyName("summary")] public string Text { get; init; } = "";
    /// <summary>Confidence 0..1.</summary>
    [JsonPropertyName("confidence")] public double Confidence { get; init; }
}

/// <summary>A translation.</summary>
public sealed record Translation
{
    /// <summary>Source language.</summary>
    [JsonPropertyName("source_language")] public string SourceLanguage { get; init; } = "";
    /// <summary>Target language.</summary>
    [JsonPropertyName("target_language")] public string TargetLanguage { get; init; } = "";
    /// <summary>Translated text.</summary>
    [JsonPropertyName("text")] public string Text { get; init; } = "";
}

/// <summary>One entity of an <see cref="EntityMap"/>.</summary>
public sealed record Entity
{
    /// <summary>Name.</summary>
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    /// <summary>Kind (party, date, amount…).</summary>
    [JsonPropertyName("kind")] public string Kind { get; init; } = "";
    /// <summary>Value.</summary>
    [JsonPropertyName("value")] public string Value { get; init; } = "";
}

/// <summary>Entities extracted from a text.</summary>
public sealed record EntityMap
{
    /// <summary>The entities.</summary>
    [JsonPropertyName("entities")] public IReadOnlyList<Entity> Entities { get; init; } = [];
    /// <summary>Confidence 0..1.</summary>
    [JsonPropertyName("confidence")] public double Confidence { get; init; }
}

/// <summary>A chain of reasoning steps and its conclusion.</summary>
public sealed record ReasoningChain
{
    /// <summary>The steps.</summary>
    [JsonPropertyName("steps")] public IReadOnlyList<string> Steps { get; init; } = [];
    /// <summary>The conclusion.</summary>
    [JsonPropertyName("conclusion")] public string Conclusion { get; init; } = "";
    /// <summary>Confidence 0..1.</summary>
    [JsonPropertyName("confidence")] public double Confidence { get; init; }
}

/// <summary>Two statements that contradict each other.</summary>
public sealed record Contradiction
{
    /// <summary>First statement.</summary>
    [JsonPropertyName("statement_a")] public string StatementA { get; init; } = "";
    /// <summary>Second statement.</summary>
    [JsonPropertyName("statement_b")] public string StatementB { get; init; } = "";
    /// <summary>Why they contradict.</summary>
    [JsonPropertyName("explanation")] public string Explanation { get; init; } = "";
}

/// <summary>A section of a <see cref="StructuredReport"/>.</summary>
public sealed record ReportSection
{
    /// <summary>Heading.</summary>
    [JsonPropertyName("heading")] public string Heading { get; init; } = "";
    /// <summary>Body.</summary>
    [JsonPropertyName("body")] public string Body { get; init; } = "";
}

/// <summary>A report with titled sections.</summary>
public sealed record StructuredReport
{
    /// <summary>Title.</summary>
    [JsonPropertyName("title")] public string Title { get; init; } = "";
    /// <summary>Sections.</summary>
    [JsonPropertyName("sections")] public IReadOnlyList<ReportSection> Sections { get; init; } = [];
    /// <summary>Confidence 0..1.</summary>
    [JsonPropertyName("confidence")] public double Confidence { get; init; }
}

/// <summary>A risk score in [0, 1]; construction outside the range throws.</summary>
public readonly record struct RiskScore
{
    /// <summary>Creates a validated score.</summary>
    [JsonConstructor]
    public RiskScore(double value) => Value = RangeCheck.Check(value, 0, 1, nameof(RiskScore));
    /// <summary>The score.</summary>
    [JsonPropertyName("value")] public double Value { get; }
}

/// <summary>A confidence score in [0, 1]; construction outside the range throws.</summary>
public readonly record struct ConfidenceScore
{
    /// <summary>Creates a validated score.</summary>
    [JsonConstructor]
    public ConfidenceScore(double value) => Value = RangeCheck.Check(value, 0, 1, nameof(ConfidenceScore));
    /// <summary>The score.</summary>
    [JsonPropertyName("value")] public double Value { get; }
}

/// <summary>A sentiment score in [-1, 1]; construction outside the range throws.</summary>
public readonly record struct SentimentScore
{
    /// <summary>Creates a validated score.</summary>
    [JsonConstructor]
    public SentimentScore(double value) => Value = RangeCheck.Check(value, -1, 1, nameof(SentimentScore));
    /// <summary>The score.</summary>
    [JsonPropertyName("value")] public double Value { get; }
}

/// <summary>Range validation shared by ranged types (generated ranged types can use it too).</summary>
public static class RangeCheck
{
    /// <summary>Returns <paramref name="value"/> or throws <see cref="ArgumentOutOfRangeException"/>.</summary>
    public static double Check(double value, double min, double max, string typeName) =>
        value >= min && value <= max ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"{typeName} must be between {min} and {max}.");
}
