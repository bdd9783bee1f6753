using System.Collections.Generic;
using Axon.Language.Syntax;

namespace Axon.Language.IR;

// The IR of reference §4.1: same node kinds, fields and field order (which is also the JSON key order).

/// <summary>Base of every IR node: its kind and source position.</summary>
public abstract record IrNode(int SourceLine, int SourceColumn)
{
    /// <summary>The reference's <c>node_type</c> string.</summary>
    public abstract string NodeType { get; }
}

/// <summary>The whole program.</summary>
public sealed record IrProgram(IReadOnlyList<IrPersona> Personas, IReadOnlyList<IrContext> Contexts, IReadOnlyList<IrAnchor> Anchors,
    IReadOnlyList<IrToolSpec> Tools, IReadOnlyList<IrMemory> Memories, IReadOnlyList<IrType> Types, IReadOnlyList<IrFlow> Flows,
    IReadOnlyList<IrRun> Runs, IReadOnlyList<IrImport> Imports) : IrNode(1, 1)
{
    /// <inheritdoc />
    public override string NodeType => "program";
}

/// <summary><c>import</c>.</summary>
public sealed record IrImport(int SourceLine, int SourceColumn, IReadOnlyList<string> ModulePath, IReadOnlyList<string> Names) : IrNode(SourceLine, SourceColumn)
{
    /// <inheritdoc />
    public override string NodeType => "import";
}

/// <summary><c>persona</c>.</summary>
public sealed record IrPersona(int SourceLine, int SourceColumn, string Name, IReadOnlyList<string> Domain, string Tone,
    double? ConfidenceThreshold, bool? CiteSources, IReadOnlyList<string> RefuseIf, string Language, string Description) : IrNode(SourceLine, SourceColumn)
{
    /// <inheritdoc />
    public override string NodeType => "persona";
}

/// <summary><c>context</c>.</summary>
public sealed record IrContext(int SourceLine, int SourceColumn, string Name, string MemoryScope, string Language, string Depth,
    long? MaxTokens, double? Temperature, bool? CiteSources) : IrNode(SourceLine, SourceColumn)
{
    /// <inheritdoc />
    public override string NodeType => "context";
}

/// <summary><c>anchor</c>.</summary>
public sealed record IrAnchor(int SourceLine, int SourceColumn, string Name, string Require, IReadOnlyList<string> Reject, string Enforce,
    double? ConfidenceFloor, string UnknownResponse, string OnViolation, string OnViolationTarget) : IrNode(SourceLine, SourceColumn)
{
    /// <inheritdoc />
    public override string NodeType => "anchor";
}

/// <summary><c>tool</c> (node type <c>tool_spec</c>).</summary>
public sealed record IrToolSpec(int SourceLine, int SourceColumn, string Name, string Provider, long? MaxResults, string FilterExpr,
    string Timeout, string Runtime, bool? Sandbox) : IrNode(SourceLine, SourceColumn)
{
    /// <inheritdoc />
    public override string NodeType => "tool_spec";
}

/// <summary><c>memory</c>.</summary>
public sealed record IrMemory(int SourceLine, int SourceColumn, string Name, string Store, string Backend, string Retrieval, string Decay) : IrNode(SourceLine, SourceColumn)
{
    /// <inheritdoc />
    public override string NodeType => "memory";
}

/// <summary><c>type</c> (node type <c>type_def</c>).</summary>
public sealed record IrType(int SourceLine, int SourceColumn, string Name, IReadOnlyList<IrTypeField> Fields, double? RangeMin,
    double? RangeMax, string WhereExpression) : IrNode(SourceLine, SourceColumn)
{
    /// <inheritdoc />
    public override string NodeType => "type_def";
}

/// <summary>A field of a struct type.</summary>
public sealed record IrTypeField(int SourceLine, int SourceColumn, string Name, string TypeName, string GenericParam, bool Optional) : IrNode(SourceLine, SourceColumn)
{
    /// <inheritdoc />
    public override string NodeType => "type_field";
}

/// <summary>A flow parameter.</summary>
public sealed record IrParameter(int SourceLine, int SourceColumn, string Name, string TypeName, string GenericParam, bool Optional) : IrNode(SourceLine, SourceColumn)
{
    /// <inheritdoc />
    public override string NodeType => "parameter";
}

/// <summary>A flow: steps in topological order, the data edges, and the execution levels.</summary>
public sealed record IrFlow(int SourceLine, int SourceColumn, string Name, IReadOnlyList<IrParameter> Parameters, string ReturnTypeName,
    string ReturnTypeGeneric, bool ReturnTypeOptional, IReadOnlyList<IrNode> Steps, IReadOnlyList<IrDataEdge> Edges,
    IReadOnlyList<IReadOnlyList<string>> ExecutionLevels) : IrNode(SourceLine, SourceColumn)
{
    /// <inheritdoc />
    public override string NodeType => "flow";

    /// <summary>The epistemic block the flow was declared in (<c>know</c>, …), or "" (not part of the reference IR JSON).</summary>
    public string EpistemicMode { get; init; } = "";
}

/// <summary>A data dependency between two flow nodes.</summary>
public sealed record IrDataEdge(int SourceLine, int SourceColumn, string SourceStep, string TargetStep, string TypeName) : IrNode(SourceLine, SourceColumn)
{
    /// <inheritdoc />
    public override string NodeType => "data_edge";
}

/// <summary><c>step</c>.</summary>
public sealed record IrStep(int SourceLine, int SourceColumn, string Name, string Given, string Ask, IrUseTool? UseTool, IrProbe? Probe,
    IrReason? Reason, IrWeave? Weave, string OutputType, double? ConfidenceFloor) : IrNode(SourceLine, SourceColumn)
{
    /// <inheritdoc />
    public override string NodeType => "step";
}

/// <summary><c>probe</c>.</summary>
public sealed record IrProbe(int SourceLine, int SourceColumn, string Target, IReadOnlyList<string> Fields) : IrNode(SourceLine, SourceColumn)
{
    /// <inheritdoc />
    public override string NodeType => "probe";
}

/// <summary><c>reason</c>.</summary>
public sealed record IrReason(int SourceLine, int SourceColumn, string Name, string About, IReadOnlyList<string> Given, long Depth,
    bool ShowWork, bool ChainOfThought, string Ask, string OutputType) : IrNode(SourceLine, SourceColumn)
{
    /// <inheritdoc />
    public override string NodeType => "reason";
}

/// <summary><c>weave</c>.</summary>
public sealed record IrWeave(int SourceLine, int SourceColumn, IReadOnlyList<string> Sources, string Target, string FormatType,
    IReadOnlyList<string> Priority, string Style) : IrNode(SourceLine, SourceColumn)
{
    /// <inheritdoc />
    public override string NodeType => "weave";
}

/// <summary><c>validate</c>.</summary>
public sealed record IrValidate(int SourceLine, int SourceColumn, string Target, string Schema, IReadOnlyList<IrValidateRule> Rules) : IrNode(SourceLine, SourceColumn)
{
    /// <inheritdoc />
    public override string NodeType => "validate";
}

/// <summary>A rule of a validate gate.</summary>
public sealed record IrValidateRule(int SourceLine, int SourceColumn, string Condition, string ComparisonOp, string ComparisonValue,
    string Action, string ActionTarget, IReadOnlyList<KeyValue> ActionParams) : IrNode(SourceLine, SourceColumn)
{
    /// <inheritdoc />
    public override string NodeType => "validate_rule";
}

/// <summary><c>refine</c>.</summary>
public sealed record IrRefine(int SourceLine, int SourceColumn, long MaxAttempts, bool PassFailureContext, string Backoff,
    string OnExhaustion, string OnExhaustionTarget) : IrNode(SourceLine, SourceColumn)
{
    /// <inheritdoc />
    public override string NodeType => "refine";
}

/// <summary><c>use</c>.</summary>
public sealed record IrUseTool(int SourceLine, int SourceColumn, string ToolName, string Argument) : IrNode(SourceLine, SourceColumn)
{
    /// <inheritdoc />
    public override string NodeType => "use_tool";
}

/// <summary><c>remember</c>.</summary>
public sealed record IrRemember(int SourceLine, int SourceColumn, string Expression, string MemoryTarget) : IrNode(SourceLine, SourceColumn)
{
    /// <inheritdoc />
    public override string NodeType => "remember";
}

/// <summary><c>recall</c>.</summary>
public sealed record IrRecall(int SourceLine, int SourceColumn, string Query, string MemorySource) : IrNode(SourceLine, SourceColumn)
{
    /// <inheritdoc />
    public override string NodeType => "recall";
}

/// <summary><c>if … -> … else -> …</c>.</summary>
public sealed record IrConditional(int SourceLine, int SourceColumn, string Condition, string ComparisonOp, string ComparisonValue,
    IrNode? ThenBranch, IrNode? ElseBranch) : IrNode(SourceLine, SourceColumn)
{
    /// <inheritdoc />
    public override string NodeType => "conditional";
}

/// <summary><c>par { … }</c>.</summary>
public sealed record IrParallelBlock(int SourceLine, int SourceColumn, IReadOnlyList<IrNode> Branches, string Consolidation) : IrNode(SourceLine, SourceColumn)
{
    /// <inheritdoc />
    public override string NodeType => "parallel_block";
}

/// <summary><c>hibernate</c>, with the reference's continuation id.</summary>
public sealed record IrHibernate(int SourceLine, int SourceColumn, string EventName, string Timeout, string ContinuationId) : IrNode(SourceLine, SourceColumn)
{
    /// <inheritdoc />
    public override string NodeType => "hibernate";
}

/// <summary><c>run</c>, with its references resolved to full copies.</summary>
public sealed record IrRun(int SourceLine, int SourceColumn, string FlowName, IReadOnlyList<string> Arguments, string PersonaName,
    string ContextName, IReadOnlyList<string> AnchorNames, string OnFailure, IReadOnlyList<KeyValue> OnFailureParams, string OutputTo,
    string Effort, IrFlow? ResolvedFlow, IrPersona? ResolvedPersona, IrContext? ResolvedContext, IReadOnlyList<IrAnchor> ResolvedAnchors) : IrNode(SourceLine, SourceColumn)
{
    /// <inheritdoc />
    public override string NodeType => "run";
}
