using System.Text.Json.Nodes;

namespace Axon.Runtime.Model;

/// <summary>
/// Builds the executable model from the IR JSON that <c>axon compile</c> prints (reference §4.4),
/// so a compiled program can be run without the language front end. The IR drops epistemic
/// blocks, so flows read this way have <see cref="EpistemicMode.None"/>.
/// </summary>
public static class IrProgramReader
{
    /// <summary>Reads an IR JSON file.</summary>
    public static AxonProgram Load(string path) => Read(File.ReadAllText(path));

    /// <summary>
    /// The JSON depth the reader accepts: the front end stops at 256 AXON nesting levels, and each level is at most two
    /// JSON levels (an object in an array), so every IR the compiler writes is readable; deeper JSON is refused before
    /// the reader recurses into it.
    /// </summary>
    public const int MaxJsonDepth = 2 * 256 + 32;

    /// <summary>Reads IR JSON text.</summary>
    public static AxonProgram Read(string json)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json, documentOptions: new System.Text.Json.JsonDocumentOptions { MaxDepth = MaxJsonDepth });
        }
        catch (System.Text.Json.JsonException ex) when (ex.Message.Contains("depth", StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException($"IR JSON is nested deeper than {MaxJsonDepth} levels (AXON allows 256 nesting levels).", ex);
        }
        return FromJson(node as JsonObject ?? throw new FormatException("IR JSON must be an object."));
    }

    /// <summary>Reads a parsed IR <c>program</c> object.</summary>
    public static AxonProgram FromJson(JsonObject ir)
    {
        var types = Arr(ir, "types").Select(t => Type(t!.AsObject())).ToList();
        var tools = Arr(ir, "tools").Select(t => Tool(t!.AsObject())).ToList();
        var memories = Arr(ir, "memories").Select(m => Memory(m!.AsObject())).ToList();
        var personas = Arr(ir, "personas").Select(p => Persona(p!.AsObject())).ToList();
        var contexts = Arr(ir, "contexts").Select(c => Context(c!.AsObject())).ToList();
        var anchors = Arr(ir, "anchors").Select(a => Anchor(a!.AsObject())).ToList();
        var flows = Arr(ir, "flows").Select(f => Flow(f!.AsObject(), types, tools, memories)).ToList();
        var runs = Arr(ir, "runs").Select(r =>
        {
            var o = r!.AsObject();
            var flow = flows.FirstOrDefault(f => f.Name == S(o, "flow_name"))
                ?? throw new FormatException($"Run references undefined flow '{S(o, "flow_name")}'.");
            return new RunDefinition(flow)
            {
                Arguments = Arr(o, "arguments").Select(a => a!.GetValue<string>()).ToList(),
                Persona = personas.FirstOrDefault(p => p.Name == S(o, "persona_name")),
                Context = contexts.FirstOrDefault(c => c.Name == S(o, "context_name")),
                Anchors = Arr(o, "anchor_names").Select(n => anchors.FirstOrDefault(a => a.Name == n!.GetValue<string>())
                    ?? throw new FormatException($"Run references undefined anchor '{n}'.")).ToList(),
                OnFailure = S(o, "on_failure"),
                OnFailureParams = Pairs(o["on_failure_params"]),
                OutputTo = S(o, "output_to"),
                Effort = S(o, "effort"),
                Position = Pos(o),
            };
        }).ToList();
        return new AxonProgram
        {
            Source = ir["_meta"]?["source"]?.GetValue<string>() ?? "",
            Personas = personas, Contexts = contexts, Anchors = anchors, Tools = tools, Memories = memories, Types = types, Flows = flows, Runs = runs,
        };
    }

    private static JsonArray Arr(JsonObject o, string key) => o[key] as JsonArray ?? [];

    private static string S(JsonObject o, string key) => o[key]?.GetValue<string>() ?? "";
    private static double? D(JsonObject o, string key) => o[key]?.GetValue<double>();
    private static int? I(JsonObject o, string key) => o[key]?.GetValue<int>();
    private static bool? B(JsonObject o, string key) => o[key]?.GetValue<bool>();
    private static List<string> L(JsonObject o, string key) => o[key]?.AsArray().Select(x => x!.GetValue<string>()).ToList() ?? [];
    private static SourcePosition Pos(JsonObject o) => new(I(o, "source_line") ?? 0, I(o, "source_column") ?? 0);
    private static List<KeyValuePair<string, string>> Pairs(JsonNode? n) =>
        n?.AsArray().Select(p => new KeyValuePair<string, string>(p![0]!.GetValue<string>(), p[1]!.GetValue<string>())).ToList() ?? [];

    private static TypeDefinition Type(JsonObject o) => new(S(o, "name"))
    {
        Fields = Arr(o, "fields").Select(f => new TypeFieldDefinition(S(f!.AsObject(), "name"),
            new TypeReference(S(f.AsObject(), "type_name"), S(f.AsObject(), "generic_param"), B(f.AsObject(), "optional") ?? false))).ToList(),
        RangeMin = D(o, "range_min"), RangeMax = D(o, "range_max"), WhereExpression = S(o, "where_expression"), Position = Pos(o),
    };

    private static ToolDefinition Tool(JsonObject o) => new(S(o, "name"))
    {
        Provider = S(o, "provider"), MaxResults = I(o, "max_results"), FilterExpression = S(o, "filter_expr"), Timeout = S(o, "timeout"),
        Runtime = S(o, "runtime"), Sandbox = B(o, "sandbox"), Position = Pos(o),
    };

    private static MemoryDefinition Memory(JsonObject o) => new(S(o, "name"))
    { Store = S(o, "store"), Backend = S(o, "backend"), Retrieval = S(o, "retrieval"), Decay = S(o, "decay"), Position = Pos(o) };

    private static PersonaDefinition Persona(JsonObject o) => new(S(o, "name"))
    {
        Domain = L(o, "domain"), Tone = S(o, "tone"), ConfidenceThreshold = D(o, "confidence_threshold"), CiteSources = B(o, "cite_sources"),
        RefuseIf = L(o, "refuse_if"), Language = S(o, "language"), Description = S(o, "description"), Position = Pos(o),
    };

    private static ContextDefinition Context(JsonObject o) => new(S(o, "name"))
    {
        MemoryScope = S(o, "memory_scope"), Language = S(o, "language"), Depth = S(o, "depth"), MaxTokens = I(o, "max_tokens"),
        Temperature = D(o, "temperature"), CiteSources = B(o, "cite_sources"), Position = Pos(o),
    };

    private static AnchorDefinition Anchor(JsonObject o) => new(S(o, "name"))
    {
        Require = S(o, "require"), Reject = L(o, "reject"), Enforce = S(o, "enforce"), ConfidenceFloor = D(o, "confidence_floor"),
        UnknownResponse = S(o, "unknown_response"), OnViolation = S(o, "on_violation"), OnViolationTarget = S(o, "on_violation_target"), Position = Pos(o),
    };

    private static FlowDefinition Flow(JsonObject o, List<TypeDefinition> types, List<ToolDefinition> tools, List<MemoryDefinition> memories) =>
        new(S(o, "name"), WithListResult(Arr(o, "steps").Select(s => Node(s!.AsObject())).ToList(),
            S(o, "return_type_name"), S(o, "return_type_generic")))
        {
            Parameters = Arr(o, "parameters").Select(p => new ParameterDefinition(S(p!.AsObject(), "name"),
                new TypeReference(S(p.AsObject(), "type_name"), S(p.AsObject(), "generic_param"), B(p.AsObject(), "optional") ?? false)) { Position = Pos(p.AsObject()) }).ToList(),
            ReturnType = new TypeReference(S(o, "return_type_name"), S(o, "return_type_generic"), B(o, "return_type_optional") ?? false),
            ExecutionLevels = Arr(o, "execution_levels").Select(l => (IReadOnlyList<string>)l!.AsArray().Select(n => n!.GetValue<string>()).ToList()).ToList(),
            Types = types, Tools = tools, Memories = memories, Position = Pos(o),
        };

    /// <summary>
    /// A flow declared <c>-&gt; List&lt;T&gt;</c> whose final step outputs <c>T</c> (or <c>List</c>) returns a list: the final
    /// step's output contract becomes <c>List&lt;T&gt;</c>, an object whose <c>items</c> array holds values of <c>T</c>.
    /// (A step's <c>output:</c> is a bare name in AXON v0.7, so the flow's return type says it is a list.)
    /// </summary>
    internal static List<FlowNode> WithListResult(List<FlowNode> steps, string returnType, string generic)
    {
        if (returnType != "List" || steps.Count == 0) return steps;
        var element = generic.Length > 0 ? generic : "String";
        int last = 0;
        for (var i = 1; i < steps.Count; i++)
        {
            var (a, b) = (steps[i].Position, steps[last].Position);
            if (a.Line > b.Line || (a.Line == b.Line && a.Column > b.Column)) last = i;
        }
        bool fits(string output) => output == element || output == "List" || output == element.TrimEnd('?');
        steps[last] = steps[last] switch
        {
            StepNode s when fits(s.OutputType) => s with { OutputType = "List<" + element + ">" },
            ReasonNode r when fits(r.OutputType) => r with { OutputType = "List<" + element + ">" },
            var n => n,
        };
        return steps;
    }

    /// <summary>Reads one IR flow node (step, probe, reason, …).</summary>
    public static FlowNode Node(JsonObject o)
    {
        FlowNode node = S(o, "node_type") switch
        {
            "step" => new StepNode(S(o, "name"))
            {
                Given = S(o, "given"), Ask = S(o, "ask"), OutputType = S(o, "output_type"), ConfidenceFloor = D(o, "confidence_floor"),
                UseTool = o["use_tool"] is JsonObject u ? (UseToolNode)Node(u) : null,
                Probe = o["probe"] is JsonObject p ? (ProbeNode)Node(p) : null,
                Reason = o["reason"] is JsonObject r ? (ReasonNode)Node(r) : null,
                Weave = o["weave"] is JsonObject w ? (WeaveNode)Node(w) : null,
            },
            "probe" => new ProbeNode(S(o, "target"), L(o, "fields")),
            "reason" => new ReasonNode
            {
                Name = S(o, "name"), About = S(o, "about"), Given = L(o, "given"), Depth = I(o, "depth") ?? 1, ShowWork = B(o, "show_work") ?? false,
                ChainOfThought = B(o, "chain_of_thought") ?? false, Ask = S(o, "ask"), OutputType = S(o, "output_type"),
            },
            "weave" => new WeaveNode(L(o, "sources"), S(o, "target")) { FormatType = S(o, "format_type"), Priority = L(o, "priority"), Style = S(o, "style") },
            "validate" => new ValidateNode(S(o, "target"), S(o, "schema"), Arr(o, "rules").Select(r => (ValidateRule)Node(r!.AsObject())).ToList()),
            "validate_rule" => new ValidateRule(S(o, "condition"), S(o, "comparison_op"), S(o, "comparison_value"), S(o, "action"))
            { ActionTarget = S(o, "action_target"), ActionParams = Pairs(o["action_params"]) },
            "refine" => new RefineNode
            {
                MaxAttempts = I(o, "max_attempts") ?? 3, PassFailureContext = B(o, "pass_failure_context") ?? true,
                Backoff = S(o, "backoff") switch { "linear" => BackoffStrategy.Linear, "exponential" => BackoffStrategy.Exponential, _ => BackoffStrategy.None },
                OnExhaustion = S(o, "on_exhaustion"), OnExhaustionTarget = S(o, "on_exhaustion_target"),
            },
            "use_tool" => new UseToolNode(S(o, "tool_name"), S(o, "argument")),
            "remember" => new RememberNode(S(o, "expression"), S(o, "memory_target")),
            "recall" => new RecallNode(S(o, "query"), S(o, "memory_source")),
            "conditional" => new ConditionalNode(S(o, "condition"), S(o, "comparison_op"), S(o, "comparison_value"),
                o["then_branch"] is JsonObject t ? Node(t) : null, o["else_branch"] is JsonObject e ? Node(e) : null),
            "parallel_block" => new ParallelNode(Arr(o, "branches").Select(b => Node(b!.AsObject())).ToList()),
            "hibernate" => new HibernateNode(S(o, "event_name")) { Timeout = S(o, "timeout"), ContinuationId = S(o, "continuation_id") },
            var k => throw new FormatException("Unknown IR node kind '" + k + "'."),
        };
        return node with { Position = Pos(o) };
    }
}
