using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Axon.Runtime.SemanticTypes;

/// <summary>A document (<c>Document</c>): a title and its text.</summary>
/// <param name="Title">The title (may be empty).</param>
/// <param name="Content">The text.</param>
[JsonConverter(typeof(AxonSemanticJsonConverter<Document>))]
public sealed record Document(string Title, string Content) : IAxonSemanticValue<Document>
{
    /// <summary>A document without a title.</summary>
    public Document(string content) : this("", content) { }

    /// <inheritdoc />
    public static Document FromJson(JsonNode? node) => new(SemanticJson.Text(node, "title"), SemanticJson.MainText(node, "content"));

    /// <inheritdoc />
    public JsonNode ToJson() => new JsonObject { ["title"] = Title, ["content"] = Content };

    /// <summary>The text.</summary>
    public override string ToString() => Content;
}

/// <summary>A piece of a document (<c>Chunk</c>).</summary>
/// <param name="Text">The text.</param>
[JsonConverter(typeof(AxonSemanticJsonConverter<Chunk>))]
public sealed record Chunk(string Text) : IAxonSemanticValue<Chunk>
{
    /// <inheritdoc />
    public static Chunk FromJson(JsonNode? node) => new(SemanticJson.MainText(node, "text"));

    /// <inheritdoc />
    public JsonNode ToJson() => new JsonObject { ["text"] = Text };

    /// <summary>The text.</summary>
    public override string ToString() => Text;
}

/// <summary>A summary (<c>Summary</c>).</summary>
/// <param name="Text">The summary text (JSON <c>summary</c>).</param>
[JsonConverter(typeof(AxonSemanticJsonConverter<Summary>))]
public sealed record Summary(string Text) : IAxonSemanticValue<Summary>
{
    /// <inheritdoc />
    public static Summary FromJson(JsonNode? node) => new(SemanticJson.MainText(node, "summary"));

    /// <inheritdoc />
    public JsonNode ToJson() => new JsonObject { ["summary"] = Text };

    /// <summary>The text.</summary>
    public override string ToString() => Text;
}

/// <summary>A translation (<c>Translation</c>).</summary>
/// <param name="SourceLanguage">Language translated from.</param>
/// <param name="TargetLanguage">Language translated to.</param>
/// <param name="Text">The translated text.</param>
[JsonConverter(typeof(AxonSemanticJsonConverter<Translation>))]
public sealed record Translation(string SourceLanguage, string TargetLanguage, string Text) : IAxonSemanticValue<Translation>
{
    /// <inheritdoc />
    public static Translation FromJson(JsonNode? node) =>
        new(SemanticJson.Text(node, "source_language"), SemanticJson.Text(node, "target_language"), SemanticJson.MainText(node, "text"));

    /// <inheritdoc />
    public JsonNode ToJson() => new JsonObject { ["source_language"] = SourceLanguage, ["target_language"] = TargetLanguage, ["text"] = Text };

    /// <summary>The translated text.</summary>
    public override string ToString() => Text;
}

/// <summary>One entity of an <see cref="EntityMap"/>.</summary>
/// <param name="Name">The entity.</param>
/// <param name="Kind">What it is (party, date, amount…).</param>
/// <param name="Value">Its value.</param>
public sealed record Entity(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("value")] string Value);

/// <summary>Extracted entities (<c>EntityMap</c>).</summary>
/// <param name="Entities">The entities.</param>
[JsonConverter(typeof(AxonSemanticJsonConverter<EntityMap>))]
public sealed record EntityMap(IReadOnlyList<Entity> Entities) : IAxonSemanticValue<EntityMap>
{
    /// <inheritdoc />
    public static EntityMap FromJson(JsonNode? node) => node is JsonValue
        ? new([new Entity("text", "text", SemanticJson.AsText(node))])
        : new(SemanticJson.Objects(node, "entities", e => new Entity(SemanticJson.Text(e, "name"), SemanticJson.Text(e, "kind"), SemanticJson.Text(e, "value"))));

    /// <inheritdoc />
    public JsonNode ToJson() => new JsonObject
    {
        ["entities"] = new JsonArray(Entities.Select(e => (JsonNode?)new JsonObject { ["name"] = e.Name, ["kind"] = e.Kind, ["value"] = e.Value }).ToArray()),
    };
}

/// <summary>Explicit reasoning (<c>ReasoningChain</c>).</summary>
/// <param name="Steps">The reasoning steps.</param>
/// <param name="Conclusion">The conclusion.</param>
[JsonConverter(typeof(AxonSemanticJsonConverter<ReasoningChain>))]
public sealed record ReasoningChain(IReadOnlyList<string> Steps, string Conclusion) : IAxonSemanticValue<ReasoningChain>
{
    /// <inheritdoc />
    public static ReasoningChain FromJson(JsonNode? node) => new(SemanticJson.Strings(node, "steps"), SemanticJson.MainText(node, "conclusion"));

    /// <inheritdoc />
    public JsonNode ToJson() => new JsonObject { ["steps"] = SemanticJson.Array(Steps), ["conclusion"] = Conclusion };

    /// <summary>The conclusion.</summary>
    public override string ToString() => Conclusion;
}

/// <summary>Two statements that cannot both hold (<c>Contradiction</c>).</summary>
/// <param name="StatementA">The first statement.</param>
/// <param name="StatementB">The second statement.</param>
/// <param name="Explanation">Why they conflict.</param>
[JsonConverter(typeof(AxonSemanticJsonConverter<Contradiction>))]
public sealed record Contradiction(string StatementA, string StatementB, string Explanation) : IAxonSemanticValue<Contradiction>
{
    /// <inheritdoc />
    public static Contradiction FromJson(JsonNode? node) =>
        new(SemanticJson.Text(node, "statement_a"), SemanticJson.Text(node, "statement_b"), SemanticJson.MainText(node, "explanation"));

    /// <inheritdoc />
    public JsonNode ToJson() => new JsonObject { ["statement_a"] = StatementA, ["statement_b"] = StatementB, ["explanation"] = Explanation };
}

/// <summary>One section of a <see cref="StructuredReport"/>.</summary>
/// <param name="Heading">Section heading.</param>
/// <param name="Body">Section text.</param>
public sealed record ReportSection(
    [property: JsonPropertyName("heading")] string Heading,
    [property: JsonPropertyName("body")] string Body);

/// <summary>A report with sections (<c>StructuredReport</c>).</summary>
/// <param name="Title">The title.</param>
/// <param name="Sections">The sections.</param>
[JsonConverter(typeof(AxonSemanticJsonConverter<StructuredReport>))]
public sealed record StructuredReport(string Title, IReadOnlyList<ReportSection> Sections) : IAxonSemanticValue<StructuredReport>
{
    /// <inheritdoc />
    public static StructuredReport FromJson(JsonNode? node) => node is JsonValue
        ? new("", [new ReportSection("", SemanticJson.AsText(node))])
        : new(SemanticJson.Text(node, "title"), SemanticJson.Objects(node, "sections", s => new ReportSection(SemanticJson.Text(s, "heading"), SemanticJson.Text(s, "body"))));

    /// <inheritdoc />
    public JsonNode ToJson() => new JsonObject
    {
        ["title"] = Title,
        ["sections"] = new JsonArray(Sections.Select(s => (JsonNode?)new JsonObject { ["heading"] = s.Heading, ["body"] = s.Body }).ToArray()),
    };
}
