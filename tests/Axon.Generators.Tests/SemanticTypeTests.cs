using System.Text.Json;
using System.Text.Json.Nodes;
using Axon.Runtime.Execution;
using Axon.Runtime.SemanticTypes;

namespace Axon.Generators.Tests;

/// <summary>The runtime side of generated code: semantic types read both JSON forms models give.</summary>
public class SemanticTypeTests
{
    [Fact]
    public void AClaimReadsTheTopLevelObjectAndTheNestedString()
    {
        var top = JsonSerializer.Deserialize<FactualClaim>("""{"type":"FactualClaim","claim":"Rent is EUR 2,400.","confidence":0.9}""")!;
        Assert.Equal("Rent is EUR 2,400.", top.Claim);
        Assert.Equal(0.9, top.Confidence);
        var nested = JsonSerializer.Deserialize<FactualClaim>("\"Rent is EUR 2,400.\"")!;
        Assert.Equal("Rent is EUR 2,400.", nested.Claim);
        Assert.Null(nested.Confidence);
    }

    [Fact]
    public void ACitedFactKeepsItsSourcesAndRoundTrips()
    {
        var fact = new CitedFact("Water boils at 100 C.") { Sources = ["CRC Handbook"], Confidence = 0.95 };
        var json = JsonSerializer.Serialize(fact);
        Assert.Contains("\"sources\":[\"CRC Handbook\"]", json);
        Assert.Equal(fact.Sources, JsonSerializer.Deserialize<CitedFact>(json)!.Sources);
        Assert.IsAssignableFrom<FactualClaim>(fact);
    }

    [Fact]
    public void ScoresValidateTheirRangeInEveryForm()
    {
        Assert.Equal(0.25, JsonSerializer.Deserialize<RiskScore>("0.25").Value);
        Assert.Equal(0.25, JsonSerializer.Deserialize<RiskScore>("""{"value":0.25,"confidence":0.8}""").Value);
        Assert.Equal(-0.5, JsonSerializer.Deserialize<SentimentScore>("\"-0.5\"").Value);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<RiskScore>("1.5"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConfidenceScore(-0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RiskScore(double.NaN));
    }

    [Fact]
    public void StructuredTypesReadTheRuntimeSchemaShapes()
    {
        var map = JsonSerializer.Deserialize<EntityMap>("""{"entities":[{"name":"Landlord","kind":"party","value":"Harbour Estates Ltd"}]}""")!;
        Assert.Equal("Harbour Estates Ltd", Assert.Single(map.Entities).Value);
        var report = JsonSerializer.Deserialize<StructuredReport>("""{"title":"Review","sections":[{"heading":"Risks","body":"Two."}]}""")!;
        Assert.Equal("Risks", Assert.Single(report.Sections).Heading);
        var doc = JsonSerializer.Deserialize<Document>("\"Just text\"")!;
        Assert.Equal(("", "Just text"), (doc.Title, doc.Content));
    }

    [Fact]
    public void MappingAResultUnwrapsScalarsAndListsAndReportsBadShapes()
    {
        static AxonRunResult Result(string json) => new() { FlowName = "F", Status = RunStatus.Completed, Output = json, OutputJson = JsonNode.Parse(json) };

        Assert.Equal(42L, AxonGeneratedCode.Map<long>(Result("""{"value":42,"confidence":0.9}""")));
        Assert.Equal(["a", "b"], AxonGeneratedCode.Map<IReadOnlyList<string>>(Result("""{"items":["a","b"],"confidence":0.9}""")));
        Assert.Equal("text", AxonGeneratedCode.Map<string>(new AxonRunResult { FlowName = "F", Status = RunStatus.Completed, Output = "text" }));
        Assert.Equal(JsonValueKind.Object, AxonGeneratedCode.Map<JsonElement>(Result("""{"x":1}""")).ValueKind);
        var ex = Assert.Throws<AxonValidationException>(() => AxonGeneratedCode.Map<RiskScore>(Result("""{"value":7}""")));
        Assert.Contains("RiskScore", ex.Message);
    }
}
