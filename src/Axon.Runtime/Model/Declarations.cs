namespace Axon.Runtime.Model;

/// <summary>Position of a construct in its <c>.axon</c> file (1-based; 0 when unknown).</summary>
/// <param name="Line">1-based line, or 0 when the node was built without a source.</param>
/// <param name="Column">1-based column, or 0 when unknown.</param>
public readonly record struct SourcePosition(int Line, int Column)
{
    /// <summary>No position (hand-built nodes).</summary>
    public static SourcePosition None => default;

    /// <summary>True when a real position is known.</summary>
    public bool IsKnown => Line > 0;
}

/// <summary>A <c>persona</c> declaration: who the model should be (first section of the system prompt).</summary>
public sealed record PersonaDefinition(string Name)
{
    /// <summary>Areas of expertise (<c>domain: [..]</c>).</summary>
    public IReadOnlyList<string> Domain { get; init; } = [];
    /// <summary>Communication tone.</summary>
    public string Tone { get; init; } = "";
    /// <summary>Minimum confidence for claims (0..1), when declared.</summary>
    public double? ConfidenceThreshold { get; init; }
    /// <summary>Whether sources must be cited, when declared.</summary>
    public bool? CiteSources { get; init; }
    /// <summary>Topics the persona refuses to engage with.</summary>
    public IReadOnlyList<string> RefuseIf { get; init; } = [];
    /// <summary>Response language.</summary>
    public string Language { get; init; } = "";
    /// <summary>Free-text description.</summary>
    public string Description { get; init; } = "";
    /// <summary>Source position.</summary>
    public SourcePosition Position { get; init; }
}

/// <summary>A <c>context</c> declaration: session settings applied to every model call of a run.</summary>
public sealed record ContextDefinition(string Name)
{
    /// <summary>Memory scope (session, persistent, ephemeral, none).</summary>
    public string MemoryScope { get; init; } = "";
    /// <summary>Response language.</summary>
    public string Language { get; init; } = "";
    /// <summary>Depth (shallow, standard, deep, exhaustive).</summary>
    public string Depth { get; init; } = "";
    /// <summary>Maximum output tokens per call.</summary>
    public int? MaxTokens { get; init; }
    /// <summary>Sampling temperature.</summary>
    public double? Temperature { get; init; }
    /// <summary>Whether citations are required.</summary>
    public bool? CiteSources { get; init; }
    /// <summary>Source position.</summary>
    public SourcePosition Position { get; init; }
}

/// <summary>An <c>anchor</c>: a hard constraint injected into the prompt and enforced on every output.</summary>
public sealed record AnchorDefinition(string Name)
{
    /// <summary>What every output must contain (a standard checker alias or a term).</summary>
    public string Require { get; init; } = "";
    /// <summary>Terms an output must not contain.</summary>
    public IReadOnlyList<string> Reject { get; init; } = [];
    /// <summary>A rule stated to the model.</summary>
    public string Enforce { get; init; } = "";
    /// <summary>Minimum confidence an output must carry.</summary>
    public double? ConfidenceFloor { get; init; }
    /// <summary>The answer the model gives when it cannot comply; such an answer is accepted.</summary>
    public string UnknownResponse { get; init; } = "";
    /// <summary>raise, warn, log, escalate or fallback (empty means raise).</summary>
    public string OnViolation { get; init; } = "";
    /// <summary>The error name for raise, or the fallback text for fallback.</summary>
    public string OnViolationTarget { get; init; } = "";
    /// <summary>Source position.</summary>
    public SourcePosition Position { get; init; }
}

/// <summary>A <c>tool</c> declaration.</summary>
public sealed record ToolDefinition(string Name)
{
    /// <summary>Provider name (informational).</summary>
    public string Provider { get; init; } = "";
    /// <summary>Maximum number of results.</summary>
    public int? MaxResults { get; init; }
    /// <summary>Filter expression text.</summary>
    public string FilterExpression { get; init; } = "";
    /// <summary>Timeout as written (<c>10s</c>, <c>2m</c>).</summary>
    public string Timeout { get; init; } = "";
    /// <summary>Runtime (python, …).</summary>
    public string Runtime { get; init; } = "";
    /// <summary>Sandboxed execution requested.</summary>
    public bool? Sandbox { get; init; }
    /// <summary>Source position.</summary>
    public SourcePosition Position { get; init; }
}

/// <summary>A <c>memory</c> declaration.</summary>
public sealed record MemoryDefinition(string Name)
{
    /// <summary>Store kind.</summary>
    public string Store { get; init; } = "";
    /// <summary>Backend name.</summary>
    public string Backend { get; init; } = "";
    /// <summary>Retrieval strategy.</summary>
    public string Retrieval { get; init; } = "";
    /// <summary>Decay as written.</summary>
    public string Decay { get; init; } = "";
    /// <summary>Source position.</summary>
    public SourcePosition Position { get; init; }
}

/// <summary>A reference to a type: <c>Name</c>, <c>Name&lt;Generic&gt;</c>, optionally nullable.</summary>
/// <param name="Name">The type name (empty for "no type").</param>
/// <param name="GenericArgument">The single generic argument, or empty.</param>
/// <param name="Optional">True for <c>T?</c>.</param>
public sealed record TypeReference(string Name, string GenericArgument = "", bool Optional = false)
{
    /// <summary>No type.</summary>
    public static TypeReference None { get; } = new("");

    /// <summary>True when a type name is present.</summary>
    public bool IsSpecified => Name.Length > 0;

    /// <summary>The type as written in AXON.</summary>
    public override string ToString() =>
        Name + (GenericArgument.Length > 0 ? "<" + GenericArgument + ">" : "") + (Optional ? "?" : "");

    /// <summary>Shorthand for a plain named type.</summary>
    public static implicit operator TypeReference(string name) => new(name);
}

/// <summary>A field of a struct type.</summary>
/// <param name="Name">Field name.</param>
/// <param name="Type">Field type.</param>
public sealed record TypeFieldDefinition(string Name, TypeReference Type)
{
    /// <summary>Source position.</summary>
    public SourcePosition Position { get; init; }
}

/// <summary>A <c>type</c> declaration: struct (fields), ranged (<c>T(lo..hi)</c>) and/or with a <c>where</c> expression.</summary>
public sealed record TypeDefinition(string Name)
{
    /// <summary>Fields of a struct type (empty otherwise).</summary>
    public IReadOnlyList<TypeFieldDefinition> Fields { get; init; } = [];
    /// <summary>Lower bound of a ranged type.</summary>
    public double? RangeMin { get; init; }
    /// <summary>Upper bound of a ranged type.</summary>
    public double? RangeMax { get; init; }
    /// <summary>The <c>where</c> expression as token text (e.g. <c>value &gt; 0 and value &lt; 10</c>).</summary>
    public string WhereExpression { get; init; } = "";
    /// <summary>Source position.</summary>
    public SourcePosition Position { get; init; }
}

/// <summary>A flow parameter.</summary>
/// <param name="Name">Parameter name.</param>
/// <param name="Type">Parameter type.</param>
public sealed record ParameterDefinition(string Name, TypeReference Type)
{
    /// <summary>Source position.</summary>
    public SourcePosition Position { get; init; }
}

/// <summary>Epistemic mode of a <c>know/believe/speculate/doubt</c> block (reference §6.8).</summary>
public enum EpistemicMode
{
    /// <summary>Not inside an epistemic block.</summary>
    None = 0,
    /// <summary>know: temperature 0.1, top_p 0.3, anchors RequiresCitation + NoHallucination.</summary>
    Know,
    /// <summary>believe: temperature 0.3, top_p 0.5, anchor NoHallucination.</summary>
    Believe,
    /// <summary>speculate: temperature 0.9, top_p 0.95, no anchors.</summary>
    Speculate,
    /// <summary>doubt: temperature 0.2, top_p 0.4, anchors RequiresCitation + SyllogismChecker.</summary>
    Doubt,
}
