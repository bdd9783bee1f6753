using Axon.Language.Semantics;

namespace Axon.LanguageServer;

/// <summary>The blocks of the language a cursor can be in.</summary>
internal enum BlockKind
{
    TopLevel,
    Persona,
    Context,
    Anchor,
    Memory,
    Tool,
    Type,
    Intent,
    FlowBody,
    Step,
    Reason,
    Validate,
    Refine,
    Weave,
    Unknown,
}

/// <summary>What a field's value can be: completion offers it, hover explains it.</summary>
internal enum ValueKind
{
    Word,
    Enum,
    String,
    StringList,
    WordList,
    Number,
    Integer,
    Boolean,
    Duration,
    TypeName,
    Reference,
    Action,
}

internal sealed record FieldInfo(string Name, ValueKind Value, string Doc, IReadOnlyList<string>? Values = null);

/// <summary>
/// Editor documentation of the language: which fields each block takes and what their values may be
/// (the enumerated values come from the checker itself), the statements of a flow body, the meaning of the
/// built-in semantic types.
/// </summary>
internal static class Catalog
{
    public static readonly IReadOnlyList<string> ViolationActions = Checker.ValidViolationActions;

    public static readonly IReadOnlyDictionary<BlockKind, FieldInfo[]> Fields = new Dictionary<BlockKind, FieldInfo[]>
    {
        [BlockKind.Persona] =
        [
            new("domain", ValueKind.StringList, "Areas of expertise, as a list of strings."),
            new("tone", ValueKind.Enum, "How the persona speaks.", Checker.ValidTones),
            new("confidence_threshold", ValueKind.Number, "Minimum confidence (0.0..1.0) below which the persona hedges."),
            new("cite_sources", ValueKind.Boolean, "Whether answers must cite their sources."),
            new("refuse_if", ValueKind.WordList, "Topics the persona refuses."),
            new("language", ValueKind.String, "The answer language, e.g. \"en\"."),
            new("description", ValueKind.String, "A free description of the persona."),
        ],
        [BlockKind.Context] =
        [
            new("memory", ValueKind.Enum, "The memory scope of the session.", Checker.ValidMemoryScopes),
            new("language", ValueKind.String, "The working language, e.g. \"en\"."),
            new("depth", ValueKind.Enum, "How deep the analysis goes.", Checker.ValidDepths),
            new("max_tokens", ValueKind.Integer, "The output token budget (positive)."),
            new("temperature", ValueKind.Number, "Sampling temperature (0.0..2.0)."),
            new("cite_sources", ValueKind.Boolean, "Whether answers must cite their sources."),
        ],
        [BlockKind.Anchor] =
        [
            new("require", ValueKind.Word, "A property every answer must have (e.g. source_citation)."),
            new("reject", ValueKind.WordList, "Properties no answer may have."),
            new("enforce", ValueKind.Word, "How the anchor is enforced."),
            new("confidence_floor", ValueKind.Number, "Minimum confidence (0.0..1.0)."),
            new("unknown_response", ValueKind.String, "What to answer when the model does not know."),
            new("on_violation", ValueKind.Action, "What happens when an answer breaks the anchor.", Checker.ValidViolationActions),
        ],
        [BlockKind.Memory] =
        [
            new("store", ValueKind.Enum, "How long memories live.", Checker.ValidMemoryScopes),
            new("backend", ValueKind.Word, "The store behind the memory."),
            new("retrieval", ValueKind.Enum, "How memories are found again.", Checker.ValidRetrievals),
            new("decay", ValueKind.Duration, "How fast memories fade (a duration such as 30d)."),
        ],
        [BlockKind.Tool] =
        [
            new("provider", ValueKind.Word, "Who provides the tool (e.g. brave)."),
            new("max_results", ValueKind.Integer, "Maximum results per call (positive)."),
            new("filter", ValueKind.Word, "A filter applied to results."),
            new("timeout", ValueKind.Duration, "Call timeout (a duration such as 10s)."),
            new("runtime", ValueKind.Word, "The runtime the tool executes in."),
            new("sandbox", ValueKind.Boolean, "Whether the tool runs sandboxed."),
        ],
        [BlockKind.Intent] =
        [
            new("given", ValueKind.Reference, "The input of the intent."),
            new("ask", ValueKind.String, "The question (required)."),
            new("output", ValueKind.TypeName, "The type of the answer."),
            new("confidence_floor", ValueKind.Number, "Minimum confidence (0.0..1.0)."),
        ],
        [BlockKind.Step] =
        [
            new("given", ValueKind.Reference, "The inputs of the step: parameters or earlier steps (Step.output)."),
            new("ask", ValueKind.String, "The instruction; {{name}} inserts a parameter or a step's output."),
            new("output", ValueKind.TypeName, "The type of the step's answer."),
            new("confidence_floor", ValueKind.Number, "Minimum confidence (0.0..1.0)."),
        ],
        [BlockKind.Reason] =
        [
            new("given", ValueKind.Reference, "What to reason over."),
            new("about", ValueKind.String, "The topic."),
            new("ask", ValueKind.String, "The question."),
            new("depth", ValueKind.Integer, "Reasoning depth (steps of thought)."),
            new("show_work", ValueKind.Boolean, "Whether the reasoning is shown."),
            new("chain_of_thought", ValueKind.Boolean, "Whether to reason step by step."),
            new("output", ValueKind.TypeName, "The type of the conclusion."),
        ],
        [BlockKind.Refine] =
        [
            new("max_attempts", ValueKind.Integer, "Attempts before giving up."),
            new("pass_failure_context", ValueKind.Boolean, "Whether the failure is shown to the next attempt."),
            new("backoff", ValueKind.Enum, "Delay between attempts.", Checker.ValidBackoffs),
            new("on_exhaustion", ValueKind.Action, "What happens when every attempt failed.", Checker.ValidViolationActions),
        ],
        [BlockKind.Weave] =
        [
            new("format", ValueKind.Word, "The output format."),
            new("priority", ValueKind.WordList, "Which sources weigh most, in order."),
            new("style", ValueKind.String, "The writing style."),
        ],
    };

    /// <summary>Statements of a flow body, with a snippet and a line of documentation.</summary>
    public static readonly (string Keyword, string Snippet, string Doc)[] FlowStatements =
    [
        ("step", "step ${1:Name} {\n\tgiven: ${2:input}\n\task: \"${3}\"\n\toutput: ${4:Type}\n}", "A model call: given inputs, an instruction, an output type."),
        ("probe", "probe ${1:target} for [${2:field}]", "Extract named fields from a target."),
        ("reason", "reason ${1:Name} {\n\tgiven: ${2:input}\n\task: \"${3}\"\n}", "Deliberate reasoning over inputs."),
        ("validate", "validate ${1:target} against ${2:Type} {\n\tif ${3:condition} -> ${4:pass}\n}", "Check an output against a schema, with rules."),
        ("refine", "refine {\n\tmax_attempts: ${1:3}\n}", "Retry the previous step until it passes."),
        ("weave", "weave [${1:A}, ${2:B}] into ${3:Name}", "Merge several outputs into one."),
        ("use", "use ${1:Tool}(${2})", "Call a declared tool."),
        ("remember", "remember(${1:value}) -> ${2:Memory}", "Store a value in a memory."),
        ("recall", "recall(\"${1:query}\") from ${2:Memory}", "Read from a memory."),
        ("if", "if ${1:condition} -> ${2}", "Run a statement conditionally."),
        ("par", "par {\n\t$0\n}", "Run statements in parallel."),
        ("hibernate", "hibernate until \"${1:event}\" timeout ${2:1h}", "Suspend the flow until an event or a timeout."),
    ];

    /// <summary>Top-level declarations, with a snippet and a line of documentation.</summary>
    public static readonly (string Keyword, string Snippet, string Doc)[] Declarations =
    [
        ("persona", "persona ${1:Name} {\n\ttone: ${2:precise}\n}", "Who answers: domain, tone, confidence threshold."),
        ("context", "context ${1:Name} {\n\tmemory: ${2:session}\n\tdepth: ${3:standard}\n}", "The session: memory scope, depth, token budget, temperature."),
        ("anchor", "anchor ${1:Name} {\n\trequire: ${2:source_citation}\n\ton_violation: ${3:warn}\n}", "A hard constraint every answer must meet."),
        ("memory", "memory ${1:Name} {\n\tstore: ${2:session}\n}", "A store the flow can remember into and recall from."),
        ("tool", "tool ${1:Name} {\n\tprovider: ${2:brave}\n}", "An external tool steps can use."),
        ("type", "type ${1:Name} {\n\t${2:field}: ${3:String}\n}", "A struct type, a ranged number type(lo..hi), or a refined type (where)."),
        ("flow", "flow ${1:Name}(${2:input}: ${3:Document}) -> ${4:Type} {\n\t$0\n}", "A program: parameters, a return type and steps."),
        ("intent", "intent ${1:Name} {\n\task: \"${2}\"\n}", "A single question with a given input and an output type."),
        ("run", "run ${1:Flow}(${2}) as ${3:Persona}", "Runs a flow with a persona, context and anchors."),
        ("import", "import ${1:module}", "Imports names from a module."),
        ("know", "know {\n\t$0\n}", "Declarations in the 'know' epistemic mode (facts only, low temperature)."),
        ("believe", "believe {\n\t$0\n}", "Declarations in the 'believe' epistemic mode."),
        ("speculate", "speculate {\n\t$0\n}", "Declarations in the 'speculate' epistemic mode."),
        ("doubt", "doubt {\n\t$0\n}", "Declarations in the 'doubt' epistemic mode."),
    ];

    /// <summary>Modifiers after <c>run F(…)</c>.</summary>
    public static readonly (string Keyword, string Doc)[] RunModifiers =
    [
        ("as", "The persona that answers."),
        ("within", "The context of the run."),
        ("constrained_by", "The anchors that constrain every answer: [A, B]."),
        ("on_failure:", "What happens when the run fails: retry(...), raise X, …"),
        ("output_to:", "Where the result is written (a string)."),
        ("effort:", "Reasoning effort: " + string.Join(", ", Checker.ValidEfforts) + "."),
    ];

    /// <summary>What each built-in semantic type means.</summary>
    public static readonly IReadOnlyDictionary<string, string> BuiltinTypes = new Dictionary<string, string>
    {
        ["FactualClaim"] = "Epistemic: a statement asserted as fact. Opinion, Speculation and Uncertainty may not stand where it is declared. Compatible with String.",
        ["Opinion"] = "Epistemic: a judgement, not a fact.",
        ["Uncertainty"] = "Epistemic: an answer whose truth is unknown; it taints whatever it flows into.",
        ["Speculation"] = "Epistemic: a hypothesis.",
        ["CitedFact"] = "Epistemic: a FactualClaim backed by a citation (lattice: CitedFact → FactualClaim).",
        ["HighConfidenceFact"] = "Epistemic: a CitedFact held with high confidence.",
        ["Document"] = "Content: a whole input document.",
        ["Chunk"] = "Content: a part of a document.",
        ["EntityMap"] = "Content: named entities and their relations.",
        ["Summary"] = "Content: a condensed text.",
        ["Translation"] = "Content: a text in another language.",
        ["RiskScore"] = "Analysis: a risk between 0.0 and 1.0 (compatible with Float).",
        ["ConfidenceScore"] = "Analysis: a confidence between 0.0 and 1.0 (compatible with Float).",
        ["SentimentScore"] = "Analysis: a sentiment between -1.0 and 1.0 (compatible with Float).",
        ["ReasoningChain"] = "Analysis: the steps of an argument.",
        ["Contradiction"] = "Analysis: two statements that cannot both hold.",
        ["String"] = "Primitive: text.",
        ["Integer"] = "Primitive: a whole number.",
        ["Float"] = "Primitive: a decimal number.",
        ["Boolean"] = "Primitive: true or false.",
        ["Duration"] = "Primitive: a time span such as 30s or 5m.",
        ["List"] = "A list: List<T>.",
        ["StructuredReport"] = "A structured report; compatible with any type.",
        ["Any"] = "The top of the epistemic lattice.",
        ["Never"] = "The bottom of the epistemic lattice.",
    };

    public static FieldInfo? Field(BlockKind block, string name)
    {
        if (!Fields.TryGetValue(block, out var fields)) return null;
        foreach (var f in fields) if (f.Name == name) return f;
        return null;
    }

    /// <summary>A field of any block by name (for hover on a field key).</summary>
    public static FieldInfo? AnyField(string name)
    {
        foreach (var (_, fields) in Fields)
            foreach (var f in fields) if (f.Name == name) return f;
        return null;
    }
}
