namespace Axon.Runtime.Model;

/// <summary>
/// An executable flow: parameters, return type and body. <see cref="Steps"/> may be in source order or in
/// the IR's topological order; the executor derives its own dependency-respecting schedule.
/// </summary>
/// <param name="Name">Flow name.</param>
/// <param name="Steps">The body.</param>
public sealed record FlowDefinition(string Name, IReadOnlyList<FlowNode> Steps)
{
    /// <summary>Parameters, bound from run arguments by position and by name.</summary>
    public IReadOnlyList<ParameterDefinition> Parameters { get; init; } = [];
    /// <summary>Declared return type.</summary>
    public TypeReference ReturnType { get; init; } = TypeReference.None;
    /// <summary>The IR's execution levels (informational; names per level).</summary>
    public IReadOnlyList<IReadOnlyList<string>> ExecutionLevels { get; init; } = [];
    /// <summary>Epistemic block the flow was declared in (the IR drops it; the runtime applies it).</summary>
    public EpistemicMode EpistemicMode { get; init; }
    /// <summary>Types visible to the flow (for schemas and validation), usually the program's types.</summary>
    public IReadOnlyList<TypeDefinition> Types { get; init; } = [];
    /// <summary>Tools declared in the program.</summary>
    public IReadOnlyList<ToolDefinition> Tools { get; init; } = [];
    /// <summary>Memories declared in the program.</summary>
    public IReadOnlyList<MemoryDefinition> Memories { get; init; } = [];
    /// <summary>Source position.</summary>
    public SourcePosition Position { get; init; }
}

/// <summary>A <c>run</c> statement: a flow invocation with its persona, context, anchors and policies.</summary>
/// <param name="Flow">The flow to run.</param>
public sealed record RunDefinition(FlowDefinition Flow)
{
    /// <summary>Arguments as written (<c>myContract</c>, <c>12</c>, <c>"text"</c>, <c>name:value</c>).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];
    /// <summary><c>as Persona</c>.</summary>
    public PersonaDefinition? Persona { get; init; }
    /// <summary><c>within Context</c>.</summary>
    public ContextDefinition? Context { get; init; }
    /// <summary><c>constrained_by [..]</c>.</summary>
    public IReadOnlyList<AnchorDefinition> Anchors { get; init; } = [];
    /// <summary><c>on_failure:</c> retry, raise, or another word (empty = none).</summary>
    public string OnFailure { get; init; } = "";
    /// <summary><c>on_failure</c> parameters, e.g. backoff/attempts for retry, target for raise.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> OnFailureParams { get; init; } = [];
    /// <summary><c>output_to:</c> file the final output is written to.</summary>
    public string OutputTo { get; init; } = "";
    /// <summary><c>effort:</c> low, medium, high, max.</summary>
    public string Effort { get; init; } = "";
    /// <summary>Source position.</summary>
    public SourcePosition Position { get; init; }
}

/// <summary>A whole program: declarations and runs (what the IR's <c>program</c> node holds).</summary>
public sealed record AxonProgram
{
    /// <summary>Source file name (for traces).</summary>
    public string Source { get; init; } = "";
    /// <summary>Personas.</summary>
    public IReadOnlyList<PersonaDefinition> Personas { get; init; } = [];
    /// <summary>Contexts.</summary>
    public IReadOnlyList<ContextDefinition> Contexts { get; init; } = [];
    /// <summary>Anchors.</summary>
    public IReadOnlyList<AnchorDefinition> Anchors { get; init; } = [];
    /// <summary>Tools.</summary>
    public IReadOnlyList<ToolDefinition> Tools { get; init; } = [];
    /// <summary>Memories.</summary>
    public IReadOnlyList<MemoryDefinition> Memories { get; init; } = [];
    /// <summary>Types.</summary>
    public IReadOnlyList<TypeDefinition> Types { get; init; } = [];
    /// <summary>Flows.</summary>
    public IReadOnlyList<FlowDefinition> Flows { get; init; } = [];
    /// <summary>Runs, in source order.</summary>
    public IReadOnlyList<RunDefinition> Runs { get; init; } = [];
}
