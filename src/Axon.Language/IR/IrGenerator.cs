using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Axon.Language.Syntax;

namespace Axon.Language.IR;

/// <summary>The result of lowering a checked program.</summary>
public sealed class IrResult
{
    internal IrResult(IrProgram? program, IReadOnlyList<Diagnostic> diagnostics)
    {
        Program = program;
        Diagnostics = diagnostics;
    }

    /// <summary>The IR, or null when lowering failed (cycle, undefined reference or tool).</summary>
    public IrProgram? Program { get; }

    /// <summary>IR errors, in the order the reference would meet them.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }
}

/// <summary>Lowers the AST to the reference's IR (reference §4.2–§4.3).</summary>
public static class IrGenerator
{
    private static readonly Regex OutputRef = new(@"\b(\w+)\.output\b", RegexOptions.CultureInvariant);
    private static readonly Regex Placeholder = new(@"\{\{\s*(\w+)(?:\.output)?\s*\}\}", RegexOptions.CultureInvariant);

    /// <summary>Lowers <paramref name="program"/>. Call it only on a program without errors.</summary>
    public static IrResult Generate(ProgramNode program)
    {
        // Lowering recurses per nesting level: a hand-built AST deeper than the limit is refused before it starts.
        var tooDeep = Nesting.Check(program);
        if (tooDeep.Count > 0) return new IrResult(null, tooDeep);
        var g = new Lowering();
        foreach (var d in program.Declarations) g.Lower(d, "");
        g.ResolveRuns();
        if (g.Errors.Count > 0) return new IrResult(null, g.Errors);
        var ir = new IrProgram(g.Personas.Values(), g.Contexts.Values(), g.Anchors.Values(), g.Tools.Values(), g.Memories.Values(),
            g.Types.Values(), g.Flows.Values(), g.Runs, g.Imports);
        return new IrResult(ir, g.Errors);
    }

    /// <summary>A name-keyed table with Python dict semantics: first position, last content.</summary>
    private sealed class Table<T>
    {
        private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
        private readonly List<T> _items = new();

        public void Set(string name, T item)
        {
            if (_index.TryGetValue(name, out int i)) _items[i] = item;
            else { _index[name] = _items.Count; _items.Add(item); }
        }

        public bool TryGet(string name, out T item)
        {
            if (_index.TryGetValue(name, out int i)) { item = _items[i]; return true; }
            item = default!;
            return false;
        }

        public IEnumerable<string> Names => _index.Keys;

        public IReadOnlyList<T> Values() => _items;
    }

    private sealed class Lowering
    {
        public readonly Table<IrPersona> Personas = new();
        public readonly Table<IrContext> Contexts = new();
        public readonly Table<IrAnchor> Anchors = new();
        public readonly Table<IrToolSpec> Tools = new();
        public readonly Table<IrMemory> Memories = new();
        public readonly Table<IrType> Types = new();
        public readonly Table<IrFlow> Flows = new();
        public readonly List<IrRun> Runs = new();
        public readonly List<IrImport> Imports = new();
        public readonly List<Diagnostic> Errors = new();
        private readonly List<RunStmt> _runStatements = new();
        // Flows left out of the IR because of their own error (a cycle): runs of them report nothing more (no cascade).
        private readonly Dictionary<string, List<IrNode>> _brokenFlows = new(StringComparer.Ordinal);
        private List<IrNode>? _lastNodes;
        // The tool-name span of each step that uses a tool, by the step's position (IR nodes keep only positions).
        private readonly Dictionary<(int, int), TextSpan> _toolSpans = new();

        public void Lower(Declaration d, string mode)
        {
            var (line, col) = (d.Span.StartLine, d.Span.StartColumn);
            switch (d)
            {
                case ImportDecl i: Imports.Add(new IrImport(line, col, i.ModulePath, i.Names)); break;
                case PersonaDecl p:
                    Personas.Set(p.Name, new IrPersona(line, col, p.Name, p.Domain, p.Tone, p.ConfidenceThreshold, p.CiteSources, p.RefuseIf, p.Language, p.Description));
                    break;
                case ContextDecl c:
                    Contexts.Set(c.Name, new IrContext(line, col, c.Name, c.MemoryScope, c.Language, c.Depth, c.MaxTokens, c.Temperature, c.CiteSources));
                    break;
                case AnchorDecl a:
                    Anchors.Set(a.Name, new IrAnchor(line, col, a.Name, a.Require, a.Reject, a.Enforce, a.ConfidenceFloor, a.UnknownResponse, a.OnViolation, a.OnViolationTarget));
                    break;
                case ToolDecl t:
                    Tools.Set(t.Name, new IrToolSpec(line, col, t.Name, t.Provider, t.MaxResults, t.Filter, t.Timeout, t.Runtime, t.Sandbox));
                    break;
                case MemoryDecl m:
                    Memories.Set(m.Name, new IrMemory(line, col, m.Name, m.Store, m.Backend, m.Retrieval, m.Decay));
                    break;
                case TypeDecl t:
                    var fields = t.Fields.Select(f => new IrTypeField(f.Span.StartLine, f.Span.StartColumn, f.Name, f.Type.Name, f.Type.Generic, f.Type.Optional)).ToList();
                    Types.Set(t.Name, new IrType(line, col, t.Name, fields, t.RangeMin, t.RangeMax, t.WhereExpression));
                    break;
                case FlowDecl f:
                    var flow = LowerFlow(f, mode);
                    if (flow != null)
                    {
                        Flows.Set(f.Name, flow);
                        _brokenFlows.Remove(f.Name);
                    }
                    else _brokenFlows[f.Name] = _lastNodes!;
                    break;
                case RunStmt r: _runStatements.Add(r); break;
                case EpistemicBlock b:
                    foreach (var inner in b.Declarations) Lower(inner, b.Mode);
                    break;
                // Intents are checked but have no place in the program IR (as in the reference).
            }
        }

        private IrFlow? LowerFlow(FlowDecl f, string mode)
        {
            var nodes = f.Body.Select(LowerStep).ToList();
            _lastNodes = nodes;
            foreach (var s in f.Body)
            {
                if (s is StepNode { UseTool: { } use } step)
                {
                    var span = use.NameSpan ?? use.References.FirstOrDefault(r => r.Kind == ReferenceKind.Tool)?.Span ?? use.Span;
                    _toolSpans[(step.Span.StartLine, step.Span.StartColumn)] = span;
                }
            }
            var parameters = f.Parameters.Select(p => new IrParameter(p.Span.StartLine, p.Span.StartColumn, p.Name, p.Type.Name, p.Type.Generic, p.Type.Optional)).ToList();
            var dag = ExecutionDag.Build(nodes, out var cycle);
            if (dag == null)
            {
                // The reference reports the flow; we point at the first step on the cycle and name them all.
                var names = cycle.Select(i => ExecutionDag.NameOf(nodes[i], i)).ToList();
                var first = f.Body[cycle[0]];
                var primary = first.NameSpan ?? first.Span;
                var d = new Diagnostic(DiagnosticCodes.DependencyCycle, DiagnosticSeverity.Error, DiagnosticPhase.Ir,
                    $"Cycle detected in flow step dependencies: {string.Join(" -> ", names)} -> {names[0]} (in flow '{f.Name}')", primary);
                Errors.Add(Semantics.Checker.At(d, f.Span));
                return null;
            }
            return new IrFlow(f.Span.StartLine, f.Span.StartColumn, f.Name, parameters, f.ReturnType?.Name ?? "", f.ReturnType?.Generic ?? "",
                f.ReturnType?.Optional ?? false, dag.Value.Steps, dag.Value.Edges, dag.Value.Levels)
            { EpistemicMode = mode };
        }

        public void ResolveRuns()
        {
            foreach (var r in _runStatements)
            {
                var (line, col) = (r.Span.StartLine, r.Span.StartColumn);
                if (_brokenFlows.ContainsKey(r.FlowName)) continue; // already reported (e.g. its cycle)
                if (!Flows.TryGet(r.FlowName, out var flow)) { Undefined("flow", r.FlowName, Flows.Names, r); continue; }
                IrPersona? persona = null;
                IrContext? context = null;
                if (r.Persona.Length > 0 && !Personas.TryGet(r.Persona, out persona!)) { Undefined("persona", r.Persona, Personas.Names, r); continue; }
                if (r.Context.Length > 0 && !Contexts.TryGet(r.Context, out context!)) { Undefined("context", r.Context, Contexts.Names, r); continue; }
                var anchors = new List<IrAnchor>();
                bool failed = false;
                foreach (var a in r.Anchors)
                {
                    if (Anchors.TryGet(a, out var anchor)) anchors.Add(anchor);
                    else { Undefined("anchor", a, Anchors.Names, r); failed = true; break; }
                }
                if (failed) continue;
                Runs.Add(new IrRun(line, col, r.FlowName, r.Arguments, r.Persona, r.Context, r.Anchors, r.OnFailure, r.OnFailureParams,
                    r.OutputTo, r.Effort, flow, persona, context, anchors));
            }
            // Tool verification: top-level steps of the flows that are actually run.
            // Each step is reported once, even when several runs run its flow.
            var reported = new HashSet<(int, int)>();
            int suggestions = Semantics.Checker.MaxSuggestions; // bounded work on files with many mistakes
            var checkedFlows = new List<IReadOnlyList<IrNode>>();
            foreach (var run in Runs) checkedFlows.Add(run.ResolvedFlow!.Steps);
            // A run of a flow with its own IR error (a cycle) still gets its tools checked: every IR error in one pass.
            foreach (var r in _runStatements)
                if (_brokenFlows.TryGetValue(r.FlowName, out var broken)) checkedFlows.Add(broken);
            foreach (var steps in checkedFlows)
            {
                foreach (var node in steps)
                {
                    if (node is IrStep { UseTool: { } use } step && !Tools.TryGet(use.ToolName, out _) && reported.Add((step.SourceLine, step.SourceColumn)))
                    {
                        var reference = new TextSpan(step.SourceLine, step.SourceColumn, step.SourceLine, step.SourceColumn);
                        var primary = _toolSpans.TryGetValue((step.SourceLine, step.SourceColumn), out var ts) ? ts : reference;
                        string suggestion = suggestions-- > 0 && Semantics.NameSuggestions.Closest(use.ToolName, Tools.Names) is { } s ? $" Did you mean '{s}'?" : "";
                        Errors.Add(Semantics.Checker.At(new Diagnostic(DiagnosticCodes.UndefinedTool, DiagnosticSeverity.Error, DiagnosticPhase.Ir,
                            $"Step '{step.Name}' uses undefined tool '{use.ToolName}'. Available tools: {Available(Tools.Names)}.{suggestion}".TrimEnd('.'),
                            primary), reference));
                    }
                }
            }
        }

        private void Undefined(string kind, string name, IEnumerable<string> available, RunStmt r) =>
            Errors.Add(new Diagnostic(DiagnosticCodes.UndefinedRunReference, DiagnosticSeverity.Error, DiagnosticPhase.Ir,
                $"Run statement references undefined {kind} '{name}'. Available {kind}s: {Available(available)}", r.Span));

        private static string Available(IEnumerable<string> names)
        {
            var sorted = names.OrderBy(n => n, StringComparer.Ordinal).ToList();
            return sorted.Count == 0 ? "(none)" : string.Join(", ", sorted);
        }
    }

    internal static IrNode LowerStep(FlowStep s)
    {
        var (line, col) = (s.Span.StartLine, s.Span.StartColumn);
        switch (s)
        {
            case StepNode st:
                return new IrStep(line, col, st.Name, st.Given, st.Ask,
                    st.UseTool != null ? (IrUseTool)LowerStep(st.UseTool) : null,
                    st.Probe != null ? (IrProbe)LowerStep(st.Probe) : null,
                    st.Reason != null ? (IrReason)LowerStep(st.Reason) : null,
                    st.Weave != null ? (IrWeave)LowerStep(st.Weave) : null,
                    st.OutputType, st.ConfidenceFloor);
            case ProbeNode p: return new IrProbe(line, col, p.Target, p.Fields);
            case ReasonNode r:
                return new IrReason(line, col, r.Name, r.About, r.Given.Length > 0 ? new[] { r.Given } : Array.Empty<string>(),
                    r.Depth, r.ShowWork, r.ChainOfThought, r.Ask, r.OutputType);
            case WeaveNode w: return new IrWeave(line, col, w.Sources, w.Target, w.Format, w.Priority, w.Style);
            case ValidateNode v:
                return new IrValidate(line, col, v.Target, v.Schema, v.Rules.Select(r => new IrValidateRule(r.Span.StartLine, r.Span.StartColumn,
                    r.Condition, r.ComparisonOp, r.ComparisonValue, r.Action, r.ActionTarget, r.ActionParams)).ToList());
            case RefineNode r: return new IrRefine(line, col, r.MaxAttempts, r.PassFailureContext, r.Backoff, r.OnExhaustion, r.OnExhaustionTarget);
            case UseToolNode u: return new IrUseTool(line, col, u.ToolName, u.Argument);
            case RememberNode r: return new IrRemember(line, col, r.Expression, r.MemoryTarget);
            case RecallNode r: return new IrRecall(line, col, r.Query, r.MemorySource);
            case ConditionalNode c:
                return new IrConditional(line, col, c.Condition, c.ComparisonOp, c.ComparisonValue,
                    c.Then != null ? LowerStep(c.Then) : null, c.Else != null ? LowerStep(c.Else) : null);
            case ParallelNode p: return new IrParallelBlock(line, col, p.Branches.Select(LowerStep).ToList(), "");
            case HibernateNode h: return new IrHibernate(line, col, h.EventName, h.Timeout, ContinuationId(h.EventName, line, col));
            default: throw new InvalidOperationException("Unknown flow step " + s.GetType().Name);
        }
    }

    /// <summary>The reference's continuation id: the first 16 hex digits of SHA-256 of <c>hibernate:{event}:{line}:{column}</c>.</summary>
    public static string ContinuationId(string eventName, int line, int column)
    {
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(Encoding.UTF8.GetBytes($"hibernate:{eventName}:{line}:{column}"));
        var sb = new StringBuilder(16);
        for (int i = 0; i < 8; i++) sb.Append(hash[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    /// <summary>The execution DAG of reference §4.3: dependencies by regex, then Kahn levels.</summary>
    internal static class ExecutionDag
    {
        /// <summary>The name of node <paramref name="i"/> in the DAG (the reference's, <c>__anonymous_i__</c> when it has none).</summary>
        public static string NameOf(IrNode node, int i) => node switch
        {
            IrStep s => s.Name,
            IrReason r => r.Name,
            _ => $"__anonymous_{i}__",
        };

        public static (IReadOnlyList<IrNode> Steps, IReadOnlyList<IrDataEdge> Edges, IReadOnlyList<IReadOnlyList<string>> Levels)? Build(List<IrNode> nodes) =>
            Build(nodes, out _);

        /// <summary>As <see cref="Build(List{IrNode})"/>; on a cycle returns null and the node indexes of one cycle in <paramref name="cycle"/>.</summary>
        public static (IReadOnlyList<IrNode> Steps, IReadOnlyList<IrDataEdge> Edges, IReadOnlyList<IReadOnlyList<string>> Levels)? Build(List<IrNode> nodes, out List<int> cycle)
        {
            cycle = new List<int>();
            int n = nodes.Count;
            var names = new string[n];
            var index = new Dictionary<string, int>(n, StringComparer.Ordinal);
            for (int i = 0; i < n; i++)
            {
                names[i] = NameOf(nodes[i], i);
                if (names[i].Length > 0) index[names[i]] = i;
            }

            // Allocation matters here (the IR of a 1 MB program was 7.7 MB of garbage, half of it this loop's
            // iterators, regex groups and sorted-set nodes): adjacency lists only where a node has successors, and
            // one dependency list, sorted and deduplicated per node (the reference orders edges by source position).
            var edges = new List<IrDataEdge>();
            var outgoing = new List<int>?[n];
            var inDegree = new int[n];
            var deps = new List<int>();
            for (int i = 0; i < n; i++)
            {
                deps.Clear();
                ScanStrings(nodes[i], index, i, deps);
                if (deps.Count > 1) deps.Sort();
                for (int k = 0; k < deps.Count; k++)
                {
                    int d = deps[k];
                    if (k > 0 && deps[k - 1] == d) continue;
                    (outgoing[d] ??= new List<int>()).Add(i);
                    inDegree[i]++;
                    edges.Add(new IrDataEdge(nodes[i].SourceLine, nodes[i].SourceColumn, names[d], names[i], "Any"));
                }
            }

            var levels = new List<IReadOnlyList<string>>();
            var steps = new List<IrNode>(n);
            var current = new List<int>();
            for (int i = 0; i < n; i++) if (inDegree[i] == 0) current.Add(i);
            while (current.Count > 0)
            {
                var level = new string[current.Count];
                for (int k = 0; k < level.Length; k++) level[k] = names[current[k]];
                levels.Add(level);
                var next = new List<int>();
                foreach (int u in current)
                {
                    steps.Add(nodes[u]);
                    if (outgoing[u] is { } successors)
                        foreach (int v in successors) if (--inDegree[v] == 0) next.Add(v);
                }
                current = next;
            }
            if (steps.Count < n)
            {
                cycle = FindCycle(outgoing, inDegree);
                return null;
            }
            return (steps, edges, levels);
        }

        // Among the nodes Kahn's algorithm could not order (each has a remaining predecessor), walking predecessors
        // backwards must revisit a node: the walk's loop is a cycle. Iterative, so any flow size is safe.
        private static List<int> FindCycle(List<int>?[] outgoing, int[] inDegree)
        {
            int n = inDegree.Length;
            var preds = new List<int>[n];
            for (int i = 0; i < n; i++) preds[i] = new List<int>();
            for (int u = 0; u < n; u++)
                if (inDegree[u] > 0 && outgoing[u] is { } successors)
                    foreach (int v in successors) if (inDegree[v] > 0) preds[v].Add(u);
            int start = -1;
            for (int i = 0; i < n && start < 0; i++) if (inDegree[i] > 0) start = i;
            var seenAt = new Dictionary<int, int>();
            var path = new List<int>();
            int cur = start;
            while (cur >= 0 && !seenAt.ContainsKey(cur))
            {
                seenAt[cur] = path.Count;
                path.Add(cur);
                cur = preds[cur].Count > 0 ? preds[cur][0] : -1;
            }
            if (cur < 0) return new List<int> { start };
            var loop = path.GetRange(seenAt[cur], path.Count - seenAt[cur]);
            loop.Reverse(); // predecessors were followed: reverse into dependency order
            // Start at the step that comes first in the source.
            int min = loop.IndexOf(loop.Min());
            var ordered = new List<int>(loop.Count);
            for (int i = 0; i < loop.Count; i++) ordered.Add(loop[(min + i) % loop.Count]);
            return ordered;
        }

        // Match by match rather than MatchCollection and Groups: the name is the match minus its fixed parts.
        private static void Collect(string? text, Dictionary<string, int> index, int self, List<int> deps)
        {
            if (string.IsNullOrEmpty(text)) return;
            if (text!.IndexOf(".output", StringComparison.Ordinal) >= 0)
                for (var m = OutputRef.Match(text); m.Success; m = m.NextMatch())
                    Add(text.Substring(m.Index, m.Length - ".output".Length)); // \b(\w+)\.output\b
            if (text.IndexOf("{{", StringComparison.Ordinal) >= 0)
                for (var m = Placeholder.Match(text); m.Success; m = m.NextMatch())
                {
                    // {{ \s* (\w+) (.output)? \s* }}: the name is the run after the spaces, up to '.', a space or '}'.
                    int start = m.Index + 2;
                    while (char.IsWhiteSpace(text[start])) start++;
                    int end = start;
                    while (text[end] != '.' && text[end] != '}' && !char.IsWhiteSpace(text[end])) end++;
                    Add(text.Substring(start, end - start));
                }

            void Add(string name)
            {
                if (index.TryGetValue(name, out int d) && d != self) deps.Add(d);
            }
        }

        // The strings of a node that can name another step (reference §4.3), each handed to Collect.
        private static void ScanStrings(IrNode node, Dictionary<string, int> index, int self, List<int> deps)
        {
            switch (node)
            {
                case IrStep s: Collect(s.Given, index, self, deps); Collect(s.Ask, index, self, deps); break;
                case IrProbe p: Collect(p.Target, index, self, deps); break;
                case IrReason r:
                    foreach (var g in r.Given) Collect(g, index, self, deps);
                    Collect(r.Ask, index, self, deps);
                    break;
                case IrWeave w: foreach (var src in w.Sources) Collect(src, index, self, deps); break;
                case IrValidate v:
                    Collect(v.Target, index, self, deps);
                    foreach (var rule in v.Rules) { Collect(rule.Condition, index, self, deps); Collect(rule.ComparisonValue, index, self, deps); }
                    break;
                case IrUseTool u: Collect(u.Argument, index, self, deps); break;
                case IrRemember r: Collect(r.Expression, index, self, deps); break;
                case IrRecall r: Collect(r.Query, index, self, deps); break;
                case IrConditional c:
                    // Branches are walked with a stack, not recursion: nesting depth is bounded elsewhere, but
                    // the reference's order of the scanned strings is kept (then before else).
                    var pending = new Stack<IrNode>();
                    pending.Push(c);
                    while (pending.Count > 0)
                    {
                        var n = pending.Pop();
                        if (n is IrConditional nc)
                        {
                            Collect(nc.Condition, index, self, deps);
                            Collect(nc.ComparisonValue, index, self, deps);
                            if (nc.ElseBranch != null) pending.Push(nc.ElseBranch);
                            if (nc.ThenBranch != null) pending.Push(nc.ThenBranch);
                        }
                        else
                        {
                            ScanStrings(n, index, self, deps);
                        }
                    }
                    break;
                // par, hibernate and refine contribute nothing.
            }
        }
    }
}
