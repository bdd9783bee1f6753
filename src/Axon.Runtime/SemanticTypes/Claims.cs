using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Axon.Runtime.SemanticTypes;

// The epistemic types of reference §3.2. They are distinct C# types so the compiler refuses an
// Opinion where a FactualClaim is expected; CitedFact and HighConfidenceFact derive from FactualClaim
// because the lattice makes them subtypes of it.

/// <summary>A statement asserted as fact (<c>FactualClaim</c>).</summary>
/// <param name="Claim">The statement.</param>
[JsonConverter(typeof(AxonSemanticJsonConverter<FactualClaim>))]
public record FactualClaim(string Claim) : IAxonSemanticValue<FactualClaim>
{
    /// <summary>Confidence reported with the claim (0..1), when known.</summary>
    public double? Confidence { get; init; }

    /// <inheritdoc />
    public static FactualClaim FromJson(JsonNode? node) =>
        new(SemanticJson.MainText(node, "claim")) { Confidence = SemanticJson.Confidence(node) };

    /// <inheritdoc />
    public virtual JsonNode ToJson() =>
        SemanticJson.WithConfidence(new JsonObject { ["type"] = GetType().Name, ["claim"] = Claim }, Confidence);

    /// <summary>The claim text.</summary>
    public override string ToString() => Claim;
}

/// <summary>A factual claim with its sources (<c>CitedFact</c>, a subtype of FactualClaim).</summary>
/// <param name="Claim">The statement.</param>
[JsonConverter(typeof(AxonSemanticJsonConverter<CitedFact>))]
public record CitedFact(string Claim) : FactualClaim(Claim), IAxonSemanticValue<CitedFact>
{
    /// <summary>Where the claim comes from.</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <inheritdoc />
    public static new CitedFact FromJson(JsonNode? node) =>
        new(SemanticJson.MainText(node, "claim")) { Confidence = SemanticJson.Confidence(node), Sources = SemanticJson.Strings(node, "sources") };

    /// <inheritdoc />
    public override JsonNode ToJson()
    {
        var o = (JsonObject)base.ToJson();
        o["sources"] = SemanticJson.Array(Sources);
        return o;
    }

    /// <summary>The claim text.</summary>
    public override string ToString() => Claim;
}

/// <summary>A cited fact held with high confidence (<c>HighConfidenceFact</c>, a subtype of CitedFact).</summary>
/// <param name="Claim">The statement.</param>
[JsonConverter(typeof(AxonSemanticJsonConverter<HighConfidenceFact>))]
public sealed record HighConfidenceFact(string Claim) : CitedFact(Claim), IAxonSemanticValue<HighConfidenceFact>
{
    /// <inheritdoc />
    public static new HighConfidenceFact FromJson(JsonNode? node) =>
        new(SemanticJson.MainText(node, "claim")) { Confidence = SemanticJson.Confidence(node), Sources = SemanticJson.Strings(node, "sources") };

    /// <summary>The claim text.</summary>
    public override string ToString() => Claim;
}

/// <summary>A view held, not asserted as fact (<c>Opinion</c>).</summary>
/// <param name="Claim">The statement.</param>
[JsonConverter(typeof(AxonSemanticJsonConverter<Opinion>))]
public sealed record Opinion(string Claim) : IAxonSemanticValue<Opinion>
{
    /// <summary>Confidence reported with the opinion (0..1), when known.</summary>
    public double? Confidence { get; init; }

    /// <inheritdoc />
    public static Opinion FromJson(JsonNode? node) => new(SemanticJson.MainText(node, "claim")) { Confidence = SemanticJson.Confidence(node) };

    /// <inheritdoc />
    public JsonNode ToJson() => SemanticJson.WithConfidence(new JsonObject { ["type"] = nameof(Opinion), ["claim"] = Claim }, Confidence);

    /// <summary>The statement.</summary>
    public override string ToString() => Claim;
}

/// <summary>A hypothesis (<c>Speculation</c>).</summary>
/// <param name="Claim">The statement.</param>
[JsonConverter(typeof(AxonSemanticJsonConverter<Speculation>))]
public sealed record Speculation(string Claim) : IAxonSemanticValue<Speculation>
{
    /// <summary>Confidence reported with the speculation (0..1), when known.</summary>
    public double? Confidence { get; init; }

    /// <inheritdoc />
    public static Speculation FromJson(JsonNode? node) => new(SemanticJson.MainText(node, "claim")) { Confidence = SemanticJson.Confidence(node) };

    /// <inheritdoc />
    public JsonNode ToJson() => SemanticJson.WithConfidence(new JsonObject { ["type"] = nameof(Speculation), ["claim"] = Claim }, Confidence);

    /// <summary>The statement.</summary>
    public override string ToString() => Claim;
}

/// <summary>A statement whose truth is unknown (<c>Uncertainty</c>; taints what it touches).</summary>
/// <param name="Claim">The statement.</param>
[JsonConverter(typeof(AxonSemanticJsonConverter<Uncertainty>))]
public sealed record Uncertainty(string Claim) : IAxonSemanticValue<Uncertainty>
{
    /// <summary>Confidence reported with the statement (0..1), when known.</summary>
    public double? Confidence { get; init; }

    /// <inheritdoc />
    public static Uncertainty FromJson(JsonNode? node) => new(SemanticJson.MainText(node, "claim")) { Confidence = SemanticJson.Confidence(node) };

    /// <inheritdoc />
    public JsonNode ToJson() => SemanticJson.WithConfidence(new JsonObject { ["type"] = nameof(Uncertainty), ["claim"] = Claim }, Confidence);

    /// <summary>The statement.</summary>
    public override string ToString() => Claim;
}
