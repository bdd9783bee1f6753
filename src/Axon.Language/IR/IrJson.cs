using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Axon.Language.Syntax;
using Axon.Language.Text;

namespace Axon.Language.IR;

/// <summary>
/// Writes IR as the reference's <c>axon compile</c> JSON: <c>json.dumps(indent=2, ensure_ascii=False)</c> layout,
/// keys in IR field order, Python float reprs, non-ASCII kept as is.
/// </summary>
public static class IrJson
{
    /// <summary>The JSON of <paramref name="program"/> with a <c>_meta</c> object; no trailing newline.</summary>
    public static string Write(IrProgram program, string source, string backend, string axonVersion = "0.7.0") =>
        Write(program, source, backend, axonVersion, indented: true);

    /// <summary>
    /// As <see cref="Write(IrProgram, string, string, string)"/>; without <paramref name="indented"/> the JSON has no line breaks
    /// or indentation (its size is then linear in the nesting depth; the reference's indented layout grows with depth squared).
    /// </summary>
    public static string Write(IrProgram program, string source, string backend, string axonVersion, bool indented) =>
        WriteProgram(new Writer(indented), program, source, backend, axonVersion);

    /// <summary>
    /// The compact IR the generator embeds: no whitespace; properties whose value is <c>null</c>, <c>""</c> or <c>[]</c>
    /// left out (a reader takes a missing property as that default); a run's resolved copies of its flow, persona, context
    /// and anchors, the flows' data edges, and <c>node_type</c> outside flow bodies left out (they repeat what the IR says
    /// elsewhere: a reader resolves a run by name). Measured over the valid corpus programs: 42% of the bytes of the
    /// unindented layout.
    /// </summary>
    public static string WriteCompact(IrProgram program, string source, string backend, string axonVersion) =>
        WriteProgram(new Writer(indented: false, compact: true), program, source, backend, axonVersion);

    private static string WriteProgram(Writer w, IrProgram program, string source, string backend, string axonVersion)
    {
        w.BeginObject();
        Fields(w, program);
        w.Key("_meta");
        w.BeginObject();
        w.Key("source"); w.String(source);
        w.Key("backend"); w.String(backend);
        w.Key("axon_version"); w.String(axonVersion);
        w.EndObject();
        w.EndObject();
        return w.ToString();
    }

    /// <summary>The JSON of one IR node (no <c>_meta</c>).</summary>
    public static string Write(IrNode node)
    {
        var w = new Writer(true);
        Node(w, node);
        return w.ToString();
    }

    private static void Node(Writer w, IrNode? node)
    {
        if (node == null) { w.Null(); return; }
        w.BeginObject();
        Fields(w, node);
        w.EndObject();
    }

    private static void Fields(Writer w, IrNode node)
    {
        // Only flow-body nodes need their kind to be read back; the other kinds follow from where they are.
        if (!w.Compact || node is not (IrProgram or IrPersona or IrContext or IrAnchor or IrToolSpec or IrMemory or IrType
                or IrTypeField or IrParameter or IrFlow or IrDataEdge or IrRun or IrImport))
        {
            w.Key("node_type"); w.String(node.NodeType);
        }
        w.Key("source_line"); w.Int(node.SourceLine);
        w.Key("source_column"); w.Int(node.SourceColumn);
        switch (node)
        {
            case IrProgram p:
                w.Key("personas"); Nodes(w, p.Personas);
                w.Key("contexts"); Nodes(w, p.Contexts);
                w.Key("anchors"); Nodes(w, p.Anchors);
                w.Key("tools"); Nodes(w, p.Tools);
                w.Key("memories"); Nodes(w, p.Memories);
                w.Key("types"); Nodes(w, p.Types);
                w.Key("flows"); Nodes(w, p.Flows);
                w.Key("runs"); Nodes(w, p.Runs);
                w.Key("imports"); Nodes(w, p.Imports);
                break;
            case IrImport i:
                w.Key("module_path"); Strings(w, i.ModulePath);
                w.Key("names"); Strings(w, i.Names);
                break;
            case IrPersona p:
                w.Key("name"); w.String(p.Name);
                w.Key("domain"); Strings(w, p.Domain);
                w.Key("tone"); w.String(p.Tone);
                w.Key("confidence_threshold"); w.Float(p.ConfidenceThreshold);
                w.Key("cite_sources"); w.Bool(p.CiteSources);
                w.Key("refuse_if"); Strings(w, p.RefuseIf);
                w.Key("language"); w.String(p.Language);
                w.Key("description"); w.String(p.Description);
                break;
            case IrContext c:
                w.Key("name"); w.String(c.Name);
                w.Key("memory_scope"); w.String(c.MemoryScope);
                w.Key("language"); w.String(c.Language);
                w.Key("depth"); w.String(c.Depth);
                w.Key("max_tokens"); w.Long(c.MaxTokens);
                w.Key("temperature"); w.Float(c.Temperature);
                w.Key("cite_sources"); w.Bool(c.CiteSources);
                break;
            case IrAnchor a:
                w.Key("name"); w.String(a.Name);
                w.Key("require"); w.String(a.Require);
                w.Key("reject"); Strings(w, a.Reject);
                w.Key("enforce"); w.String(a.Enforce);
                w.Key("confidence_floor"); w.Float(a.ConfidenceFloor);
                w.Key("unknown_response"); w.String(a.UnknownResponse);
                w.Key("on_violation"); w.String(a.OnViolation);
                w.Key("on_violation_target"); w.String(a.OnViolationTarget);
                break;
            case IrToolSpec t:
                w.Key("name"); w.String(t.Name);
                w.Key("provider"); w.String(t.Provider);
                w.Key("max_results"); w.Long(t.MaxResults);
                w.Key("filter_expr"); w.String(t.FilterExpr);
                w.Key("timeout"); w.String(t.Timeout);
                w.Key("runtime"); w.String(t.Runtime);
                w.Key("sandbox"); w.Bool(t.Sandbox);
                break;
            case IrMemory m:
                w.Key("name"); w.String(m.Name);
                w.Key("store"); w.String(m.Store);
                w.Key("backend"); w.String(m.Backend);
                w.Key("retrieval"); w.String(m.Retrieval);
                w.Key("decay"); w.String(m.Decay);
                break;
            case IrType t:
                w.Key("name"); w.String(t.Name);
                w.Key("fields"); Nodes(w, t.Fields);
                w.Key("range_min"); w.Float(t.RangeMin);
                w.Key("range_max"); w.Float(t.RangeMax);
                w.Key("where_expression"); w.String(t.WhereExpression);
                break;
            case IrTypeField f:
                w.Key("name"); w.String(f.Name);
                w.Key("type_name"); w.String(f.TypeName);
                w.Key("generic_param"); w.String(f.GenericParam);
                w.Key("optional"); w.Bool(f.Optional);
                break;
            case IrParameter p:
                w.Key("name"); w.String(p.Name);
                w.Key("type_name"); w.String(p.TypeName);
                w.Key("generic_param"); w.String(p.GenericParam);
                w.Key("optional"); w.Bool(p.Optional);
                break;
            case IrFlow f:
                w.Key("name"); w.String(f.Name);
                w.Key("parameters"); Nodes(w, f.Parameters);
                w.Key("return_type_name"); w.String(f.ReturnTypeName);
                w.Key("return_type_generic"); w.String(f.ReturnTypeGeneric);
                w.Key("return_type_optional"); w.Bool(f.ReturnTypeOptional);
                w.Key("steps"); Nodes(w, f.Steps);
                if (!w.Compact) { w.Key("edges"); Nodes(w, f.Edges); }
                w.Key("execution_levels");
                w.BeginArray(f.ExecutionLevels.Count);
                foreach (var level in f.ExecutionLevels) { w.Item(); Strings(w, level); }
                w.EndArray(f.ExecutionLevels.Count);
                break;
            case IrDataEdge e:
                w.Key("source_step"); w.String(e.SourceStep);
                w.Key("target_step"); w.String(e.TargetStep);
                w.Key("type_name"); w.String(e.TypeName);
                break;
            case IrStep s:
                w.Key("name"); w.String(s.Name);
                w.Key("given"); w.String(s.Given);
                w.Key("ask"); w.String(s.Ask);
                w.Key("use_tool"); Node(w, s.UseTool);
                w.Key("probe"); Node(w, s.Probe);
                w.Key("reason"); Node(w, s.Reason);
                w.Key("weave"); Node(w, s.Weave);
                w.Key("output_type"); w.String(s.OutputType);
                w.Key("confidence_floor"); w.Float(s.ConfidenceFloor);
                w.Key("body"); w.BeginArray(0); w.EndArray(0);
                break;
            case IrProbe p:
                w.Key("target"); w.String(p.Target);
                w.Key("fields"); Strings(w, p.Fields);
                break;
            case IrReason r:
                w.Key("name"); w.String(r.Name);
                w.Key("about"); w.String(r.About);
                w.Key("given"); Strings(w, r.Given);
                w.Key("depth"); w.Long(r.Depth);
                w.Key("show_work"); w.Bool(r.ShowWork);
                w.Key("chain_of_thought"); w.Bool(r.ChainOfThought);
                w.Key("ask"); w.String(r.Ask);
                w.Key("output_type"); w.String(r.OutputType);
                break;
            case IrWeave v:
                w.Key("sources"); Strings(w, v.Sources);
                w.Key("target"); w.String(v.Target);
                w.Key("format_type"); w.String(v.FormatType);
                w.Key("priority"); Strings(w, v.Priority);
                w.Key("style"); w.String(v.Style);
                break;
            case IrValidate v:
                w.Key("target"); w.String(v.Target);
                w.Key("schema"); w.String(v.Schema);
                w.Key("rules"); Nodes(w, v.Rules);
                break;
            case IrValidateRule r:
                w.Key("condition"); w.String(r.Condition);
                w.Key("comparison_op"); w.String(r.ComparisonOp);
                w.Key("comparison_value"); w.String(r.ComparisonValue);
                w.Key("action"); w.String(r.Action);
                w.Key("action_target"); w.String(r.ActionTarget);
                w.Key("action_params"); Pairs(w, r.ActionParams);
                break;
            case IrRefine r:
                w.Key("max_attempts"); w.Long(r.MaxAttempts);
                w.Key("pass_failure_context"); w.Bool(r.PassFailureContext);
                w.Key("backoff"); w.String(r.Backoff);
                w.Key("on_exhaustion"); w.String(r.OnExhaustion);
                w.Key("on_exhaustion_target"); w.String(r.OnExhaustionTarget);
                break;
            case IrUseTool u:
                w.Key("tool_name"); w.String(u.ToolName);
                w.Key("argument"); w.String(u.Argument);
                break;
            case IrRemember r:
                w.Key("expression"); w.String(r.Expression);
                w.Key("memory_target"); w.String(r.MemoryTarget);
                break;
            case IrRecall r:
                w.Key("query"); w.String(r.Query);
                w.Key("memory_source"); w.String(r.MemorySource);
                break;
            case IrConditional c:
                w.Key("condition"); w.String(c.Condition);
                w.Key("comparison_op"); w.String(c.ComparisonOp);
                w.Key("comparison_value"); w.String(c.ComparisonValue);
                w.Key("then_branch"); Node(w, c.ThenBranch);
                w.Key("else_branch"); Node(w, c.ElseBranch);
                break;
            case IrParallelBlock p:
                w.Key("branches"); Nodes(w, p.Branches);
                w.Key("consolidation"); w.String(p.Consolidation);
                break;
            case IrHibernate h:
                w.Key("event_name"); w.String(h.EventName);
                w.Key("timeout"); w.String(h.Timeout);
                w.Key("continuation_id"); w.String(h.ContinuationId);
                break;
            case IrRun r:
                w.Key("flow_name"); w.String(r.FlowName);
                w.Key("arguments"); Strings(w, r.Arguments);
                w.Key("persona_name"); w.String(r.PersonaName);
                w.Key("context_name"); w.String(r.ContextName);
                w.Key("anchor_names"); Strings(w, r.AnchorNames);
                w.Key("on_failure"); w.String(r.OnFailure);
                w.Key("on_failure_params"); Pairs(w, r.OnFailureParams);
                w.Key("output_to"); w.String(r.OutputTo);
                w.Key("effort"); w.String(r.Effort);
                if (w.Compact) break;
                w.Key("resolved_flow"); Node(w, r.ResolvedFlow);
                w.Key("resolved_persona"); Node(w, r.ResolvedPersona);
                w.Key("resolved_context"); Node(w, r.ResolvedContext);
                w.Key("resolved_anchors"); Nodes(w, r.ResolvedAnchors);
                break;
        }
    }

    private static void Nodes<T>(Writer w, IReadOnlyList<T> nodes) where T : IrNode
    {
        w.BeginArray(nodes.Count);
        foreach (var n in nodes) { w.Item(); Node(w, n); }
        w.EndArray(nodes.Count);
    }

    private static void Strings(Writer w, IReadOnlyList<string> items)
    {
        w.BeginArray(items.Count);
        foreach (var s in items) { w.Item(); w.String(s); }
        w.EndArray(items.Count);
    }

    private static void Pairs(Writer w, IReadOnlyList<KeyValue> pairs)
    {
        w.BeginArray(pairs.Count);
        foreach (var p in pairs)
        {
            w.Item();
            w.BeginArray(2);
            w.Item(); w.String(p.Key);
            w.Item(); w.String(p.Value);
            w.EndArray(2);
        }
        w.EndArray(pairs.Count);
    }

    // A minimal writer producing exactly Python's indent=2 layout: one key or element per line,
    // ", " never used, "[]" for empty arrays.
    private sealed class Writer
    {
        // Each AXON nesting level is at most two JSON levels (an object in an array); beyond this the IR was not built
        // by the front end (which stops at Nesting.MaxDepth), and writing on would only recurse deeper.
        private const int MaxJsonDepth = 2 * Nesting.MaxDepth + 32;

        private readonly StringBuilder _sb = new(4096);
        private readonly Stack<bool> _first = new();
        private readonly bool _indented;
        private int _depth;
        // Compact mode: a key is written only with a value that is not null, "" or [] (see WriteCompact).
        private string? _pendingKey;
        private bool _skippedArray;

        public Writer(bool indented, bool compact = false)
        {
            _indented = indented;
            Compact = compact;
        }

        public bool Compact { get; }

        private void FlushKey()
        {
            if (_pendingKey == null) return;
            string key = _pendingKey;
            _pendingKey = null;
            Separator();
            String(key);
            _sb.Append(':');
        }

        private void Deeper()
        {
            if (++_depth > MaxJsonDepth)
                throw new System.InvalidOperationException($"IR nested deeper than {Nesting.MaxDepth} levels cannot be written");
        }

        public void BeginObject()
        {
            FlushKey();
            _sb.Append('{');
            Deeper();
            _first.Push(true);
        }

        public void EndObject()
        {
            _depth--;
            bool empty = _first.Pop();
            if (!empty) NewLine();
            _sb.Append('}');
        }

        public void Key(string key)
        {
            if (Compact)
            {
                _pendingKey = key;
                return;
            }
            Separator();
            String(key);
            _sb.Append(": ");
        }

        public void BeginArray(int count)
        {
            if (count == 0 && _pendingKey != null)
            {
                _pendingKey = null;
                _skippedArray = true;
                return;
            }
            FlushKey();
            _sb.Append('[');
            if (count == 0) return;
            Deeper();
            _first.Push(true);
        }

        public void Item() => Separator();

        public void EndArray(int count)
        {
            if (count == 0 && _skippedArray) { _skippedArray = false; return; }
            if (count == 0) { _sb.Append(']'); return; }
            _depth--;
            _first.Pop();
            NewLine();
            _sb.Append(']');
        }

        private void Separator()
        {
            if (_first.Peek()) { _first.Pop(); _first.Push(false); }
            else _sb.Append(',');
            NewLine();
        }

        private void NewLine()
        {
            if (!_indented) return;
            _sb.Append('\n');
            _sb.Append(' ', _depth * 2);
        }

        public void Null()
        {
            if (_pendingKey != null) { _pendingKey = null; return; }
            _sb.Append("null");
        }

        public void Int(int v)
        {
            FlushKey();
            _sb.Append(v.ToString(CultureInfo.InvariantCulture));
        }

        public void Long(long? v)
        {
            if (v is long x) { FlushKey(); _sb.Append(x.ToString(CultureInfo.InvariantCulture)); }
            else Null();
        }

        public void Float(double? v)
        {
            if (v is double x) { FlushKey(); _sb.Append(PyFormat.FloatRepr(x)); }
            else Null();
        }

        public void Bool(bool? v)
        {
            if (v is bool x) { FlushKey(); _sb.Append(x ? "true" : "false"); }
            else Null();
        }

        public void String(string s)
        {
            if (_pendingKey != null)
            {
                if (s.Length == 0) { _pendingKey = null; return; }
                FlushKey();
            }
            _sb.Append('"');
            foreach (char c in s)
            {
                switch (c)
                {
                    case '"': _sb.Append("\\\""); break;
                    case '\\': _sb.Append("\\\\"); break;
                    case '\n': _sb.Append("\\n"); break;
                    case '\r': _sb.Append("\\r"); break;
                    case '\t': _sb.Append("\\t"); break;
                    case '\b': _sb.Append("\\b"); break;
                    case '\f': _sb.Append("\\f"); break;
                    default:
                        if (c < 0x20) _sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else _sb.Append(c);
                        break;
                }
            }
            _sb.Append('"');
        }

        public override string ToString() => _sb.ToString();
    }
}
