using System.Text.Json;
using System.Text.Json.Nodes;
using Axon.Runtime.Model;
using Axon.Runtime.Typing;

namespace Axon.Runtime.Tests;

/// <summary>
/// The typed-output path reads the model's JSON as a <see cref="JsonElement"/> (no node tree):
/// it must accept what the node path accepted and report exactly the same violations.
/// </summary>
public class TypedOutputPathTests
{
    private static readonly AxonTypeSystem Types = new([
        new TypeDefinition("Risk") { Fields = [new("score", "RiskScore"), new("mitigation", new TypeReference("Opinion", Optional: true)), new("tags", new TypeReference("List", "Integer"))] },
        new TypeDefinition("Nested") { Fields = [new("risk", "Risk"), new("items", new TypeReference("List", "Risk")), new("flag", "Boolean")] },
        new TypeDefinition("ClaimAmount") { WhereExpression = "value > 0 and value < 5000000" },
        new TypeDefinition("Servings") { RangeMin = 1, RangeMax = 200 },
    ]);

    // Expected messages were produced by the node-based validator this one replaced.
    public static TheoryData<string, string, string[]> Cases => new()
    {
        { "Risk", """{"score":0.5,"mitigation":null,"tags":[1],"confidence":1}""", [] },
        { "Risk", """{"score":1.5,"tags":["x",2.5],"confidence":2}""", ["Value 1.5 exceeds maximum 1.0 at $.score.", "$.tags[0]: expected integer, got string.", "$.tags[1]: 2.5 is not an integer.", "Value 2.0 exceeds maximum 1.0 at $.confidence."] },
        { "Risk", """{"score":"high","mitigation":{"type":"Opinion","claim":"c"},"tags":[],"confidence":1}""", ["$.score: expected number, got string.", "$.mitigation: value does not match any allowed shape."] },
        { "Risk", """{"score":0.5,"mitigation":5,"tags":[],"confidence":1}""", ["$.mitigation: value does not match any allowed shape."] },
        { "Risk", """{"type":"Other","score":0.5,"tags":[],"confidence":1}""", ["Type mismatch: expected 'Risk' but output declares 'Other'."] },
        { "Nested", """{"risk":{"score":0.1,"tags":[]},"items":[{"score":2,"tags":[1.5]},{}],"flag":"yes","confidence":0.5}""", ["Value 2.0 exceeds maximum 1.0 at $.items[0].score.", "$.items[0].tags[0]: 1.5 is not an integer.", "Missing required fields: [score, tags] at $.items[1]. Present fields: [].", "$.flag: expected boolean, got string."] },
        { "Nested", """{"risk":null,"items":null,"flag":true,"confidence":null}""", ["$.risk: is null.", "$.items: is null.", "$.confidence: is null."] },
        { "CitedFact", """{"type":"CitedFact","claim":"x","sources":["a"],"confidence":1}""", [] },
        { "CitedFact", """{"type":"Opinion","claim":"x","sources":[],"confidence":1}""", ["Epistemic type mismatch: expected 'CitedFact' but output declares 'Opinion'. These types are mutually exclusive.", "$.type: 'Opinion' is not one of the allowed values."] },
        { "FactualClaim", """{"type":"HighConfidenceFact","claim":"x","confidence":1}""", ["$.type: 'HighConfidenceFact' is not one of the allowed values."] },
        { "Integer", """{"value":2.5,"confidence":1}""", ["$.value: 2.5 is not an integer."] },
        { "Servings", """{"value":0,"confidence":1}""", ["Value 0.0 is below minimum 1.0 at $.value."] },
        { "ClaimAmount", """{"value":-3,"confidence":1}""", ["Value does not satisfy 'where value > 0 and value < 5000000'."] },
        { "ClaimAmount", """{"value":3,"confidence":1}""", [] },
        { "Summary", """[1,2]""", ["Expected structured output (object) for type 'Summary', but got array."] },
        { "EntityMap", """{"entities":[{"name":"a","kind":"b"}],"confidence":1}""", ["Missing required fields: [value] at $.entities[0]. Present fields: [name, kind]."] },
        { "Summary", """{"summary":"s","confidence":"0.7"}""", ["$.confidence: expected number, got string."] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Element_and_node_validation_report_the_same_violations(string type, string json, string[] expected)
    {
        Assert.Equal(expected, Types.Validate(JsonElement.Parse(json), type));
        Assert.Equal(expected, Types.Validate(JsonNode.Parse(json), type));
    }

    [Theory]
    [InlineData("Summary", """{"summary":"a","summary":"b","confidence":1}""", "$: property 'summary' appears more than once.")]
    [InlineData("Summary", """{"summary":"a","summ\u0061ry":"b","confidence":1}""", "$: property 'summary' appears more than once.")]
    [InlineData("EntityMap", """{"entities":[{"name":"a","kind":"k","name":"b","value":"v"}],"confidence":1}""", "$.entities[0]: property 'name' appears more than once.")]
    public void Duplicate_properties_are_a_violation(string type, string json, string expected)
    {
        // A node over such JSON throws when read, so the output is rejected (and can be retried) instead.
        Assert.Equal([expected], Types.Validate(JsonElement.Parse(json), type));
    }

    [Theory]
    [InlineData("""{"confidence":0.8}""", 0.8)]
    [InlineData("""{"confidence":"0.7"}""", 0.7)]
    [InlineData("""{"confidence":null,"_confidence":0.6}""", 0.6)]
    [InlineData("""{"_confidence":0.5}""", 0.5)]
    [InlineData("""{"confidence":"high"}""", null)]
    [InlineData("""{"confidence":{"v":1}}""", null)]
    [InlineData("""{"other":1}""", null)]
    [InlineData("""[0.9]""", null)]
    public void Confidence_reads_the_same_from_element_and_node(string json, double? expected)
    {
        Assert.Equal(expected, AxonTypeSystem.ReadConfidence(JsonElement.Parse(json)));
        Assert.Equal(expected, AxonTypeSystem.ReadConfidence(JsonNode.Parse(json)));
        Assert.Null(AxonTypeSystem.ReadConfidence(default(JsonElement)));
    }

    [Fact]
    public void Validating_a_valid_output_allocates_nothing()
    {
        var risk = JsonElement.Parse("""{"score":0.5,"mitigation":null,"tags":[1,2],"confidence":1}""");
        var nested = JsonElement.Parse("""{"risk":{"score":0.1,"tags":[]},"items":[{"score":0.2,"tags":[3]}],"flag":true,"confidence":0.5}""");
        for (var i = 0; i < 3; i++) { Types.Validate(risk, "Risk"); Types.Validate(nested, "Nested"); AxonTypeSystem.ReadConfidence(risk); } // compile and cache the shapes

        var before = GC.GetAllocatedBytesForCurrentThread();
        var r = Types.Validate(risk, "Risk");
        var n = Types.Validate(nested, "Nested");
        var c = AxonTypeSystem.ReadConfidence(risk);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Empty(r);
        Assert.Empty(n);
        Assert.Equal(1.0, c);
        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData("{\"a\": 1}")]
    [InlineData("  \n{\"a\": 1}\n  ")]
    [InlineData("```json\n{\"a\": 1,}\n```")]
    [InlineData("Here you go: {\"a\": 1, \"b\": [1,2,],} -- done")]
    [InlineData("```\n{\"a\": 1} // note\n```")]
    [InlineData("prefix {not json} then {\"a\": 1}")]
    [InlineData("{\"a\": 1,}")]
    public void Lenient_element_path_accepts_fenced_prose_and_trailing_commas(string text)
    {
        Assert.True(LenientJson.TryParseElement(text, out var element));
        Assert.Equal(1, element.GetProperty("a").GetInt32());
        // The node handed on is the node the text parses to (backed by the element until read).
        var node = LenientJson.ToNode(element);
        Assert.IsType<JsonObject>(node);
        Assert.Equal(1, node!["a"]!.GetValue<int>());
        Assert.True(LenientJson.TryParse(text, out var viaNode));
        Assert.Equal(node.ToJsonString(), viaNode!.ToJsonString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("no json { here")]
    [InlineData("{\"a\": }")]
    public void Lenient_element_path_rejects_text_without_json(string? text)
    {
        Assert.False(LenientJson.TryParseElement(text, out var element));
        Assert.Equal(JsonValueKind.Undefined, element.ValueKind);
        Assert.False(LenientJson.TryParse(text, out var node));
        Assert.Null(node);
    }

    [Fact]
    public void Arrays_become_array_nodes()
    {
        Assert.True(LenientJson.TryParseElement("[1, 2,]", out var element));
        Assert.Equal("[1,2]", Assert.IsType<JsonArray>(LenientJson.ToNode(element)).ToJsonString());
    }
}
