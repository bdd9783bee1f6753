using System.Text.Json;
using System.Text.Json.Nodes;
using Axon.Runtime.Execution;
using Axon.Runtime.SemanticTypes;

namespace Axon.Runtime.Tests;

/// <summary>
/// Issue 16: the JSON paths a trimmed or NativeAOT app takes (no System.Text.Json reflection) give what the reflection
/// paths give: arguments converted to JSON, and the <see cref="AxonJson"/> readers generated records use.
/// </summary>
public class ReflectionFreeJsonTests
{
    public static TheoryData<string> Arguments() => new(ArgumentValues.Keys);

    private static readonly Dictionary<string, object> ArgumentValues = new()
    {
        ["int"] = 42,
        ["long"] = 9_000_000_000L,
        ["double"] = 0.125,
        ["decimal"] = 12.50m,
        ["bool"] = true,
        ["strings"] = new List<string> { "a", "b" },
        ["string array"] = new[] { "x" },
        ["object dictionary"] = new Dictionary<string, object?> { ["n"] = 1, ["s"] = "t", ["none"] = null, ["list"] = new[] { 1, 2 } },
        ["int dictionary"] = new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 },
        ["ranged"] = new RiskScore(0.75),
        ["semantic"] = new FactualClaim("water is wet"),
        ["semantic list"] = new List<Document> { new("T", "body") },
        ["nested"] = new Dictionary<string, object?> { ["claims"] = new List<Opinion> { new("fine") }, ["score"] = new SentimentScore(-0.5) },
        ["element"] = JsonDocument.Parse("""{"k":[1,"two",null]}""").RootElement,
    };

    [Theory]
    [MemberData(nameof(Arguments))]
    public void An_argument_converts_without_reflection_as_it_does_with_it(string name)
    {
        var value = ArgumentValues[name];
        var reflected = AxonValue.ToNode(value, reflection: true)?.ToJsonString();
        var free = AxonValue.ToNode(value, reflection: false)?.ToJsonString();
        Assert.NotNull(reflected);
        Assert.Equal(reflected, free);
    }

    private sealed record Poco(string Name);

    [Fact]
    public void A_plain_object_without_reflection_is_a_clear_argument_error()
    {
        var ex = Assert.Throws<ArgumentException>(() => AxonValue.ToNode(new Poco("x"), reflection: false));
        Assert.Contains("Poco cannot be converted to JSON without reflection", ex.Message);
        Assert.Equal("""{"Name":"x"}""", AxonValue.ToNode(new Poco("x"), reflection: true)!.ToJsonString());
    }

    [Fact]
    public void Readers_take_what_the_web_defaults_took_and_reject_the_wrong_kind()
    {
        var o = AxonJson.Object(JsonNode.Parse("""{"Count":"42","ratio":0.5,"ok":true,"name":"n","tags":["a"],"risk":{"value":0.3},"none":null}"""), "T");
        Assert.Equal(42, AxonJson.Int64(AxonJson.Field(o, "count")));      // case-insensitive name, numeric string
        Assert.Equal(0.5, AxonJson.Double(AxonJson.Field(o, "ratio")));
        Assert.True(AxonJson.Boolean(AxonJson.Field(o, "ok")));
        Assert.Equal("n", AxonJson.String(AxonJson.Field(o, "name")));
        Assert.Equal(new[] { "a" }, AxonJson.List(AxonJson.Field(o, "tags"), AxonJson.String));
        Assert.Equal(0.3, AxonJson.Ranged<RiskScore>(AxonJson.Field(o, "risk")).Value);
        Assert.Null(AxonJson.String(AxonJson.Field(o, "none")));
        Assert.Null(AxonJson.Optional(AxonJson.Field(o, "missing"), AxonJson.Int64));
        Assert.Null(AxonJson.Value<FactualClaim>(AxonJson.Field(o, "none")));
        Assert.Null(AxonJson.Object(null, "T"));

        Assert.Throws<JsonException>(() => AxonJson.Int64(AxonJson.Field(o, "name")));
        Assert.Throws<JsonException>(() => AxonJson.Int64(JsonNode.Parse("1.5")));
        Assert.Throws<JsonException>(() => AxonJson.String(AxonJson.Field(o, "ratio")));
        Assert.Throws<JsonException>(() => AxonJson.Boolean(AxonJson.Field(o, "name")));
        Assert.Throws<JsonException>(() => AxonJson.List(AxonJson.Field(o, "name"), AxonJson.String));
        Assert.Throws<JsonException>(() => AxonJson.Object(JsonNode.Parse("[1]"), "T"));
        Assert.Throws<JsonException>(() => AxonJson.Ranged<RiskScore>(JsonNode.Parse("1.5")));   // out of range
    }

    [Fact]
    public void Writers_round_trip_elements_and_lists()
    {
        var element = JsonDocument.Parse("""{"a":[1,{"b":null}]}""").RootElement;
        Assert.Equal("""{"a":[1,{"b":null}]}""", AxonJson.FromElement(element)!.ToJsonString());
        Assert.Null(AxonJson.FromElement((JsonElement?)null));
        Assert.Equal("""[0.25,1]""", AxonJson.Array(new[] { new RiskScore(0.25), new RiskScore(1) }, r => r.Value)!.ToJsonString());
        Assert.Null(AxonJson.Array<string>(null, s => s));
        Assert.Equal(element.GetRawText(), AxonJson.Element(AxonJson.FromElement(element)).GetRawText());
    }
}
