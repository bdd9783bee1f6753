using System.Collections.Generic;

namespace Axon.Language.Syntax;

// The immutable AST of an AXON v0.7 program. Field defaults follow the reference parser:
// strings default to "", absent numbers and booleans to null. Spans start at the construct's
// first token (its keyword), except type fields, params and type expressions (their name).

/// <summary>A key/value pair as the reference keeps them (run <c>on_failure</c> params, rule params).</summary>
public sealed record KeyValue(string Key, string Value);

/// <summary>What a name in the source refers to.</summary>
public enum ReferenceKind
{
    /// <summary>A data reference: <c>given:</c>, a weave source, a probe or validate target, a remembered expression.</summary>
    Value,
    /// <summary>A <c>{{name}}</c> placeholder inside a prompt string.</summary>
    Placeholder,
    /// <summary>A type name (output types, field and parameter types, generic arguments).</summary>
    Type,
    /// <summary>A persona (<c>run … as P</c>).</summary>
    Persona,
    /// <summary>A context (<c>run … within C</c>).</summary>
    Context,
    /// <summary>An anchor (<c>constrained_by [A]</c>).</summary>
    Anchor,
    /// <summary>A flow (<c>run F(…)</c>).</summary>
    Flow,
    /// <summary>A tool (<c>use T(…)</c>).</summary>
    Tool,
    /// <summary>A memory (<c>remember(…) -> M</c>, <c>recall(…) from M</c>).</summary>
    Memory,
}

/// <summary>
/// A name used (not declared) at a position: <paramref name="Name"/> is the referenced name (the first identifier of a
/// dotted reference), <paramref name="Text"/> the whole reference as written (<c>Extract.output.title</c>), and
/// <paramref name="Span"/> the span of the name token only.
/// </summary>
public sealed record NameReference(string Name, string Text, ReferenceKind Kind, TextSpan Span);

/// <summary>Base of every AST node.</summary>
public abstract record AstNode(TextSpan Span)
{
    /// <summary>The span of the node's own name token (a declaration's or step's name); null when it has none.</summary>
    public TextSpan? NameSpan { get; init; }

    /// <summary>Every name this node itself uses, with the span of each name token (not those of nested steps).</summary>
    public IReadOnlyList<NameReference> References { get; init; } = System.Array.Empty<NameReference>();

    /// <summary>Spans of field values keyed by field name (<c>tone</c>, <c>depth</c>, …), for diagnostics on the value.</summary>
    public IReadOnlyDictionary<string, TextSpan> ValueSpans { get; init; } = EmptySpans;

    private static readonly IReadOnlyDictionary<string, TextSpan> EmptySpans = new Dictionary<string, TextSpan>();
}

/// <summary>A whole file.</summary>
public sealed record ProgramNode(IReadOnlyList<Declaration> Declarations, TextSpan Span) : AstNode(Span);

/// <summary>A top-level declaration.</summary>
public abstract record Declaration(TextSpan Span) : AstNode(Span);

/// <summary>A declaration with a name (persona, context, anchor, memory, tool, type, flow, intent).</summary>
public abstract record NamedDeclaration(string Name, TextSpan Span) : Declaration(Span)
{
    /// <summary>The kind word the reference prints in messages (<c>persona</c>, <c>flow</c>, …).</summary>
    public abstract string Kind { get; }
}

/// <summary><c>import a.b.{X, Y}</c>.</summary>
public sealed record ImportDecl(IReadOnlyList<string> ModulePath, IReadOnlyList<string> Names, TextSpan Span) : Declaration(Span);

/// <summary><c>persona P { … }</c>.</summary>
public sealed record PersonaDecl(string Name, IReadOnlyList<string> Domain, string Tone, double? ConfidenceThreshold,
    bool? CiteSources, IReadOnlyList<string> RefuseIf, string Language, string Description, TextSpan Span) : NamedDeclaration(Name, Span)
{
    /// <inheritdoc />
    public override string Kind => "persona";
}

/// <summary><c>context C { … }</c>.</summary>
public sealed record ContextDecl(string Name, string MemoryScope, string Language, string Depth, long? MaxTokens,
    double? Temperature, bool? CiteSources, TextSpan Span) : NamedDeclaration(Name, Span)
{
    /// <inheritdoc />
    public override string Kind => "context";
}

/// <summary><c>anchor A { … }</c>.</summary>
public sealed record AnchorDecl(string Name, string Require, IReadOnlyList<string> Reject, string Enforce, double? ConfidenceFloor,
    string UnknownResponse, string OnViolation, string OnViolationTarget, TextSpan Span) : NamedDeclaration(Name, Span)
{
    /// <inheritdoc />
    public override string Kind => "anchor";
}

/// <summary><c>memory M { … }</c>.</summary>
public sealed record MemoryDecl(string Name, string Store, string Backend, string Retrieval, string Decay, TextSpan Span) : NamedDeclaration(Name, Span)
{
    /// <inheritdoc />
    public override string Kind => "memory";
}

/// <summary><c>tool T { … }</c>.</summary>
public sealed record ToolDecl(string Name, string Provider, long? MaxResults, string Filter, string Timeout, string Runtime,
    bool? Sandbox, TextSpan Span) : NamedDeclaration(Name, Span)
{
    /// <inheritdoc />
    public override string Kind => "tool";
}

/// <summary>A type reference: <c>Name</c>, <c>Name&lt;Generic&gt;</c>, optionally <c>?</c>.</summary>
public sealed record TypeExpr(string Name, string Generic, bool Optional, TextSpan Span) : AstNode(Span);

/// <summary>A field of a struct type.</summary>
public sealed record TypeField(string Name, TypeExpr Type, TextSpan Span) : AstNode(Span);

/// <summary><c>type T</c>, <c>type T(lo..hi)</c>, <c>type T where …</c>, <c>type T { … }</c>.</summary>
public sealed record TypeDecl(string Name, IReadOnlyList<TypeField> Fields, double? RangeMin, double? RangeMax,
    string WhereExpression, TextSpan Span) : NamedDeclaration(Name, Span)
{
    /// <inheritdoc />
    public override string Kind => "type";
}

/// <summary><c>intent I { … }</c> (checked, then dropped from the IR as the reference does).</summary>
public sealed record IntentDecl(string Name, string Given, string Ask, TypeExpr? Output, double? ConfidenceFloor, TextSpan Span) : NamedDeclaration(Name, Span)
{
    /// <inheritdoc />
    public override string Kind => "intent";
}

/// <summary>A flow parameter.</summary>
public sealed record Parameter(string Name, TypeExpr Type, TextSpan Span) : AstNode(Span);

/// <summary><c>flow F(params) -> T { steps }</c>.</summary>
public sealed record FlowDecl(string Name, IReadOnlyList<Parameter> Parameters, TypeExpr? ReturnType,
    IReadOnlyList<FlowStep> Body, TextSpan Span) : NamedDeclaration(Name, Span)
{
    /// <inheritdoc />
    public override string Kind => "flow";
}

/// <summary><c>run F(args) as P within C constrained_by [A] on_failure: … output_to: "…" effort: …</c>.</summary>
public sealed record RunStmt(string FlowName, IReadOnlyList<string> Arguments, string Persona, string Context,
    IReadOnlyList<string> Anchors, string OnFailure, IReadOnlyList<KeyValue> OnFailureParams, string OutputTo,
    string Effort, TextSpan Span) : Declaration(Span)
{
    /// <summary>Spans of the modifiers, for precise diagnostics: keyed by modifier keyword.</summary>
    public IReadOnlyDictionary<string, TextSpan> ModifierSpans { get; init; } = new Dictionary<string, TextSpan>();

    /// <summary>The span of each argument, in order (parallel to <see cref="Arguments"/>).</summary>
    public IReadOnlyList<TextSpan> ArgumentSpans { get; init; } = System.Array.Empty<TextSpan>();
}

/// <summary><c>know|believe|speculate|doubt { declarations }</c>.</summary>
public sealed record EpistemicBlock(string Mode, IReadOnlyList<Declaration> Declarations, TextSpan Span) : Declaration(Span);

/// <summary>A statement of a flow body.</summary>
public abstract record FlowStep(TextSpan Span) : AstNode(Span);

/// <summary><c>step S { … }</c>.</summary>
public sealed record StepNode(string Name, string Given, string Ask, UseToolNode? UseTool, ProbeNode? Probe, ReasonNode? Reason,
    WeaveNode? Weave, string OutputType, double? ConfidenceFloor, TextSpan Span) : FlowStep(Span);

/// <summary><c>probe X for [a, b]</c>.</summary>
public sealed record ProbeNode(string Target, IReadOnlyList<string> Fields, TextSpan Span) : FlowStep(Span);

/// <summary><c>reason [about X | Name] { … }</c>. <see cref="Given"/> is one string, as the reference stores it.</summary>
public sealed record ReasonNode(string Name, string About, string Given, long Depth, bool ShowWork, bool ChainOfThought,
    string Ask, string OutputType, TextSpan Span) : FlowStep(Span);

/// <summary>A rule of a <c>validate</c> gate: <c>if cond [op value] -> action</c>.</summary>
public sealed record ValidateRule(string Condition, string ComparisonOp, string ComparisonValue, string Action,
    string ActionTarget, IReadOnlyList<KeyValue> ActionParams, TextSpan Span) : AstNode(Span);

/// <summary><c>validate X against Schema { rules }</c>.</summary>
public sealed record ValidateNode(string Target, string Schema, IReadOnlyList<ValidateRule> Rules, TextSpan Span) : FlowStep(Span);

/// <summary><c>refine { … }</c>.</summary>
public sealed record RefineNode(long MaxAttempts, bool PassFailureContext, string Backoff, string OnExhaustion,
    string OnExhaustionTarget, TextSpan Span) : FlowStep(Span);

/// <summary><c>weave [A, B] into T { … }</c>.</summary>
public sealed record WeaveNode(IReadOnlyList<string> Sources, string Target, string Format, IReadOnlyList<string> Priority,
    string Style, TextSpan Span) : FlowStep(Span);

/// <summary><c>use Tool(arg)</c>.</summary>
public sealed record UseToolNode(string ToolName, string Argument, TextSpan Span) : FlowStep(Span);

/// <summary><c>remember(X) -> Memory</c>.</summary>
public sealed record RememberNode(string Expression, string MemoryTarget, TextSpan Span) : FlowStep(Span);

/// <summary><c>recall("q") from Memory</c>.</summary>
public sealed record RecallNode(string Query, string MemorySource, TextSpan Span) : FlowStep(Span);

/// <summary><c>if cond [op value] -> step [else -> step]</c>.</summary>
public sealed record ConditionalNode(string Condition, string ComparisonOp, string ComparisonValue, FlowStep? Then,
    FlowStep? Else, TextSpan Span) : FlowStep(Span);

/// <summary><c>par { steps }</c>.</summary>
public sealed record ParallelNode(IReadOnlyList<FlowStep> Branches, TextSpan Span) : FlowStep(Span);

/// <summary><c>hibernate [until "event"] [timeout 30s]</c>.</summary>
public sealed record HibernateNode(string EventName, string Timeout, TextSpan Span) : FlowStep(Span);
