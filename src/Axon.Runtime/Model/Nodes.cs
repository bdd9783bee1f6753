namespace Axon.Runtime.Model;

/// <summary>
/// A node of a flow body. Every IR node kind has a sealed subtype; nodes are immutable and can be
/// built from generated code with object initialisers and collection expressions.
/// </summary>
public abstract record FlowNode
{
    /// <summary>Source position (used for ordering and diagnostics; 0 when hand-built).</summary>
    public SourcePosition Position { get; init; }

    /// <summary>The IR <c>node_type</c> of this node.</summary>
    public abstract string NodeType { get; }
}

/// <summary><c>step Name { given ask use probe reason weave output confidence_floor }</c>: one model call.</summary>
/// <param name="Name">Step name; its output is referenced as <c>Name.output</c> or <c>{{Name}}</c>.</param>
public sealed record StepNode(string Name) : FlowNode
{
    /// <inheritdoc />
    public override string NodeType => "step";
    /// <summary>Input reference: <c>doc</c>, <c>X.output</c> or <c>[A.output, B.output]</c>.</summary>
    public string Given { get; init; } = "";
    /// <summary>The question; may contain <c>{{X}}</c> placeholders.</summary>
    public string Ask { get; init; } = "";
    /// <summary>Tool called before the model; its result is part of the prompt.</summary>
    public UseToolNode? UseTool { get; init; }
    /// <summary>Fields to extract as part of this step.</summary>
    public ProbeNode? Probe { get; init; }
    /// <summary>Reasoning instructions for this step.</summary>
    public ReasonNode? Reason { get; init; }
    /// <summary>Sources to synthesise in this step.</summary>
    public WeaveNode? Weave { get; init; }
    /// <summary>Declared output type (empty means free text).</summary>
    public string OutputType { get; init; } = "";
    /// <summary>Minimum confidence of the output.</summary>
    public double? ConfidenceFloor { get; init; }
}

/// <summary><c>probe target for [fields]</c>: JSON extraction of the named fields.</summary>
/// <param name="Target">The value to extract from (parameter or step name).</param>
/// <param name="Fields">Field names to extract.</param>
public sealed record ProbeNode(string Target, IReadOnlyList<string> Fields) : FlowNode
{
    /// <inheritdoc />
    public override string NodeType => "probe";
}

/// <summary><c>reason [about X | Name] { … }</c>: explicit reasoning.</summary>
public sealed record ReasonNode : FlowNode
{
    /// <inheritdoc />
    public override string NodeType => "reason";
    /// <summary>Name (empty when unnamed).</summary>
    public string Name { get; init; } = "";
    /// <summary>Topic.</summary>
    public string About { get; init; } = "";
    /// <summary>Inputs.</summary>
    public IReadOnlyList<string> Given { get; init; } = [];
    /// <summary>Levels of analysis (≥ 1).</summary>
    public int Depth { get; init; } = 1;
    /// <summary>Ask for the reasoning to be shown.</summary>
    public bool ShowWork { get; init; }
    /// <summary>Ask for an explicit chain of thought.</summary>
    public bool ChainOfThought { get; init; }
    /// <summary>The question.</summary>
    public string Ask { get; init; } = "";
    /// <summary>Declared output type.</summary>
    public string OutputType { get; init; } = "";
}

/// <summary><c>weave [sources] into Target { format priority style }</c>: synthesis of several outputs.</summary>
/// <param name="Sources">References to synthesise.</param>
/// <param name="Target">Target type; also the name the result is stored under.</param>
public sealed record WeaveNode(IReadOnlyList<string> Sources, string Target) : FlowNode
{
    /// <inheritdoc />
    public override string NodeType => "weave";
    /// <summary>Output format type.</summary>
    public string FormatType { get; init; } = "";
    /// <summary>Priority ordering.</summary>
    public IReadOnlyList<string> Priority { get; init; } = [];
    /// <summary>Style instructions.</summary>
    public string Style { get; init; } = "";
}

/// <summary><c>validate X.output against Schema { if … -> action }</c>.</summary>
/// <param name="Target">The output reference to validate.</param>
/// <param name="Schema">The type to validate against.</param>
/// <param name="Rules">The rules, evaluated in order.</param>
public sealed record ValidateNode(string Target, string Schema, IReadOnlyList<ValidateRule> Rules) : FlowNode
{
    /// <inheritdoc />
    public override string NodeType => "validate";
}

/// <summary>One rule of a validate gate: <c>if condition [op value] -> action</c>.</summary>
/// <param name="Condition">A word: <c>confidence</c>, a field name, or a flag such as <c>schema_mismatch</c>.</param>
/// <param name="ComparisonOp">One of &lt; &gt; &lt;= &gt;= == !=, or empty.</param>
/// <param name="ComparisonValue">The literal compared with.</param>
/// <param name="Action">refine, raise, warn or pass.</param>
public sealed record ValidateRule(string Condition, string ComparisonOp, string ComparisonValue, string Action) : FlowNode
{
    /// <inheritdoc />
    public override string NodeType => "validate_rule";
    /// <summary>raise: the error name; warn: the message.</summary>
    public string ActionTarget { get; init; } = "";
    /// <summary>refine(...) parameters as key/value pairs.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ActionParams { get; init; } = [];
}

/// <summary>Retry backoff of a refine block.</summary>
public enum BackoffStrategy
{
    /// <summary>No delay.</summary>
    None = 0,
    /// <summary>k × unit after attempt k.</summary>
    Linear,
    /// <summary>0.5 × 2^k × unit after attempt k.</summary>
    Exponential,
}

/// <summary><c>refine { max_attempts backoff pass_failure_context on_exhaustion }</c>: the flow's retry policy.</summary>
public sealed record RefineNode : FlowNode
{
    /// <inheritdoc />
    public override string NodeType => "refine";
    /// <summary>Attempts per model step (≥ 1).</summary>
    public int MaxAttempts { get; init; } = 3;
    /// <summary>Whether the previous failure is sent with the next attempt.</summary>
    public bool PassFailureContext { get; init; } = true;
    /// <summary>Delay between attempts.</summary>
    public BackoffStrategy Backoff { get; init; }
    /// <summary>raise, warn, log, escalate, fallback, skip (empty means raise).</summary>
    public string OnExhaustion { get; init; } = "";
    /// <summary>Error name (raise) or fallback text (fallback).</summary>
    public string OnExhaustionTarget { get; init; } = "";
}

/// <summary><c>use Tool("argument")</c>.</summary>
/// <param name="ToolName">Registered tool name.</param>
/// <param name="Argument">The argument; may reference outputs.</param>
public sealed record UseToolNode(string ToolName, string Argument = "") : FlowNode
{
    /// <inheritdoc />
    public override string NodeType => "use_tool";
}

/// <summary><c>remember(X) -> Memory</c>.</summary>
/// <param name="Expression">The step or parameter whose value is stored.</param>
/// <param name="MemoryTarget">The memory name.</param>
public sealed record RememberNode(string Expression, string MemoryTarget) : FlowNode
{
    /// <inheritdoc />
    public override string NodeType => "remember";
}

/// <summary><c>recall(query) from Memory</c>: results are given to the following model calls.</summary>
/// <param name="Query">Literal query, or a parameter/step name whose value is the query.</param>
/// <param name="MemorySource">The memory name.</param>
public sealed record RecallNode(string Query, string MemorySource) : FlowNode
{
    /// <inheritdoc />
    public override string NodeType => "recall";
}

/// <summary><c>if condition [op value] -> then [else -> else]</c>.</summary>
/// <param name="Condition">A word: <c>confidence</c>, a field name or a dotted reference.</param>
/// <param name="ComparisonOp">Comparison operator or empty.</param>
/// <param name="ComparisonValue">Literal value.</param>
/// <param name="Then">Node run when the condition holds.</param>
/// <param name="Else">Node run otherwise.</param>
public sealed record ConditionalNode(string Condition, string ComparisonOp, string ComparisonValue, FlowNode? Then, FlowNode? Else = null) : FlowNode
{
    /// <inheritdoc />
    public override string NodeType => "conditional";
}

/// <summary><c>par { … }</c>: branches run concurrently; they must not depend on each other.</summary>
/// <param name="Branches">The branches.</param>
public sealed record ParallelNode(IReadOnlyList<FlowNode> Branches) : FlowNode
{
    /// <inheritdoc />
    public override string NodeType => "parallel_block";
}

/// <summary><c>hibernate until "event" [timeout d]</c>: persists the execution and suspends.</summary>
/// <param name="EventName">The event that resumes the flow.</param>
public sealed record HibernateNode(string EventName) : FlowNode
{
    /// <inheritdoc />
    public override string NodeType => "hibernate";
    /// <summary>Timeout as written (<c>48h</c>); a resume after it has passed is refused.</summary>
    public string Timeout { get; init; } = "";
    /// <summary>The static id of this hibernate point (IR <c>continuation_id</c>).</summary>
    public string ContinuationId { get; init; } = "";
}
