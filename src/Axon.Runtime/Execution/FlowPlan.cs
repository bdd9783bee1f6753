using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Axon.Runtime.Model;

namespace Axon.Runtime.Execution;

/// <summary>
/// The executor's view of a flow: the names each node produces, the names it uses, and a schedule
/// that respects dependencies and otherwise keeps source order (a <c>hibernate</c> waits for
/// everything written before it). Built once per <see cref="FlowDefinition"/> and cached.
/// </summary>
public sealed partial class FlowPlan
{
    private static readonly ConditionalWeakTable<FlowDefinition, FlowPlan> Cache = new();

    private FlowPlan(FlowDefinition flow, IReadOnlyList<FlowNode> order, IReadOnlyDictionary<FlowNode, string> keys, RefineNode? refine)
    {
        Flow = flow;
        Order = order;
        _keys = keys;
        Refine = refine;
    }

    private readonly IReadOnlyDictionary<FlowNode, string> _keys;

    /// <summary>The flow.</summary>
    public FlowDefinition Flow { get; }

    /// <summary>Top-level nodes in execution order.</summary>
    public IReadOnlyList<FlowNode> Order { get; }

    /// <summary>The flow's refine block, if any (it sets the retry policy of every model step).</summary>
    public RefineNode? Refine { get; }

    /// <summary>The name a node's output is stored under.</summary>
    public string KeyOf(FlowNode node) => _keys.TryGetValue(node, out var k) ? k : node.NodeType;

    /// <summary>Gets (or builds and checks) the plan of a flow. Throws <see cref="AxonFlowDefinitionException"/> for cycles and dependent par branches.</summary>
    public static FlowPlan For(FlowDefinition flow) => Cache.GetValue(flow, Build);

    private static FlowPlan Build(FlowDefinition flow)
    {
        var keys = new Dictionary<FlowNode, string>(ReferenceEqualityComparer.Instance);
        var nodes = flow.Steps;
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < nodes.Count; i++) AssignKeys(nodes[i], keys, counts);
        var produced = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < nodes.Count; i++)
            foreach (var name in Produces(nodes[i], keys)) produced.TryAdd(name, i);

        var paramNames = flow.Parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var par in AllNodes(nodes).OfType<ParallelNode>()) CheckIndependence(par, keys);

        // Source order: positions when known, else list order.
        var sourceKey = new long[nodes.Count];
        var positioned = nodes.All(n => n.Position.IsKnown);
        for (var i = 0; i < nodes.Count; i++)
            sourceKey[i] = positioned ? (long)nodes[i].Position.Line * 100_000 + nodes[i].Position.Column : i;

        var deps = new HashSet<int>[nodes.Count];
        for (var i = 0; i < nodes.Count; i++)
        {
            deps[i] = [];
            foreach (var r in References(nodes[i]))
                if (!paramNames.Contains(r) && produced.TryGetValue(r, out var j) && j != i) deps[i].Add(j);
            if (nodes[i] is HibernateNode || (nodes[i] is ConditionalNode c && Contains<HibernateNode>(c)))
                for (var j = 0; j < nodes.Count; j++)
                    if (sourceKey[j] < sourceKey[i]) deps[i].Add(j);
        }

        var done = new bool[nodes.Count];
        var order = new List<FlowNode>(nodes.Count);
        while (order.Count < nodes.Count)
        {
            var next = -1;
            for (var i = 0; i < nodes.Count; i++)
            {
                if (done[i] || deps[i].Any(d => !done[d])) continue;
                if (next < 0 || sourceKey[i] < sourceKey[next]) next = i;
            }
            if (next < 0) throw new AxonFlowDefinitionException($"Cycle detected in flow step dependencies of flow '{flow.Name}'.");
            done[next] = true;
            order.Add(nodes[next]);
        }
        var refine = nodes.OfType<RefineNode>().LastOrDefault();
        if (refine is { MaxAttempts: < 1 }) throw new AxonFlowDefinitionException($"Refine max_attempts must be >= 1, got {refine.MaxAttempts}");
        return new FlowPlan(flow, order, keys, refine);
    }

    private static bool Contains<T>(FlowNode node) where T : FlowNode => AllNodes([node]).OfType<T>().Any();

    private HashSet<FlowNode>? _sharedContracts;

    /// <summary>
    /// Whether another model call of the flow states the same output contract (output type, confidence floor, probe
    /// fields) as <paramref name="node"/>: then system prompt plus contract is a prefix several calls send byte for
    /// byte, worth an explicit cache breakpoint. A contract stated once is not marked: writing it to a cache costs
    /// more than sending it (Anthropic bills cache writes at 1.25×) and nothing would read it.
    /// </summary>
    public bool SharesOutputContract(FlowNode node)
    {
        var shared = Volatile.Read(ref _sharedContracts);
        if (shared is null)
        {
            shared = new HashSet<FlowNode>(ReferenceEqualityComparer.Instance);
            foreach (var group in AllNodes(Flow.Steps).Select(n => (Node: n, Key: ContractKey(n))).Where(x => x.Key is not null).GroupBy(x => x.Key, StringComparer.Ordinal))
                if (group.Skip(1).Any())
                    foreach (var x in group) shared.Add(x.Node);
            Volatile.Write(ref _sharedContracts, shared);
        }
        return shared.Contains(node);
    }

    // The parts of a model call that make its output contract text (see PromptCompiler); null when it states none.
    private static string? ContractKey(FlowNode node) => node switch
    {
        StepNode { OutputType.Length: > 0 } s => $"T:{s.OutputType}|{s.ConfidenceFloor}",
        StepNode { Probe: { } p } s => $"P:{string.Join(",", p.Fields)}|{s.ConfidenceFloor}",
        StepNode { ConfidenceFloor: { } f } => $"F:{f}",
        ProbeNode p => $"P:{string.Join(",", p.Fields)}|",
        ReasonNode { OutputType.Length: > 0 } r => $"T:{r.OutputType}|",
        WeaveNode w when (w.FormatType.Length > 0 ? w.FormatType : w.Target) is { Length: > 0 } t => $"T:{t}|",
        _ => null,
    };

    /// <summary>Every node, recursively (branches of if and par).</summary>
    public static IEnumerable<FlowNode> AllNodes(IEnumerable<FlowNode> nodes)
    {
        foreach (var n in nodes)
        {
            yield return n;
            switch (n)
            {
                case ConditionalNode c:
                    foreach (var x in AllNodes(new[] { c.Then, c.Else }.OfType<FlowNode>())) yield return x;
                    break;
                case ParallelNode p:
                    foreach (var x in AllNodes(p.Branches)) yield return x;
                    break;
            }
        }
    }

    // A construct without a name of its own is named by its kind and its place among the flow's constructs of that
    // kind, in source order (if#1, par#2, validate#1): readable in results and traces, and stable when other kinds of
    // nodes are added or removed. '#' cannot occur in an AXON name, so these never collide with declared ones.
    private static void AssignKeys(FlowNode node, Dictionary<FlowNode, string> keys, Dictionary<string, int> counts)
    {
        keys[node] = node switch
        {
            StepNode s => s.Name,
            ReasonNode { Name.Length: > 0 } r => r.Name,
            ReasonNode { About.Length: > 0 } r when IsIdentifier(r.About) => r.About,
            ProbeNode p => "probe_" + p.Target,
            WeaveNode w when w.Target.Length > 0 => w.Target,
            UseToolNode u => "use_" + u.ToolName,
            RecallNode rc => "recall_" + rc.MemorySource,
            HibernateNode h when h.EventName.Length > 0 => h.EventName,
            _ => Numbered(node, counts),
        };
        switch (node)
        {
            case ConditionalNode c:
                if (c.Then is not null) AssignKeys(c.Then, keys, counts);
                if (c.Else is not null) AssignKeys(c.Else, keys, counts);
                break;
            case ParallelNode p:
                for (var i = 0; i < p.Branches.Count; i++) AssignKeys(p.Branches[i], keys, counts);
                break;
        }
    }

    private static string Numbered(FlowNode node, Dictionary<string, int> counts)
    {
        var kind = node.NodeType switch { "conditional" => "if", "parallel_block" => "par", var k => k };
        var n = counts.GetValueOrDefault(kind) + 1;
        counts[kind] = n;
        return kind + "#" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static bool IsIdentifier(string s) => s.Length > 0 && (char.IsLetter(s[0]) || s[0] == '_') && s.All(c => char.IsLetterOrDigit(c) || c == '_');

    /// <summary>Names a node makes available (its key, plus aliases, plus those of nested nodes).</summary>
    private static IEnumerable<string> Produces(FlowNode node, IReadOnlyDictionary<FlowNode, string> keys)
    {
        foreach (var n in AllNodes([node]))
        {
            yield return keys[n];
            if (n is WeaveNode w && w.Target.Length > 0) yield return "weave_" + w.Target;
            if (n is ReasonNode r && r.About.Length > 0) yield return "reason_" + r.About;
        }
    }

    /// <summary>Names a node uses: <c>X.output</c>, <c>{{X}}</c>, and bare names in reference positions.</summary>
    public static IEnumerable<string> References(FlowNode node)
    {
        foreach (var n in AllNodes([node]))
        {
            switch (n)
            {
                case StepNode s:
                    foreach (var r in RefsIn(s.Given, true)) yield return r;
                    foreach (var r in RefsIn(s.Ask, false)) yield return r;
                    if (s.UseTool is { } su) foreach (var r in RefsIn(su.Argument, false)) yield return r;
                    if (s.Probe is { } sp) foreach (var r in RefsIn(sp.Target, true)) yield return r;
                    if (s.Reason is { } sr) foreach (var r in ReasonRefs(sr)) yield return r;
                    if (s.Weave is { } sw) foreach (var src in sw.Sources) foreach (var r in RefsIn(src, true)) yield return r;
                    break;
                case ProbeNode p: foreach (var r in RefsIn(p.Target, true)) yield return r; break;
                case ReasonNode rs: foreach (var r in ReasonRefs(rs)) yield return r; break;
                case WeaveNode w: foreach (var src in w.Sources) foreach (var r in RefsIn(src, true)) yield return r; break;
                case ValidateNode v:
                    foreach (var r in RefsIn(v.Target, true)) yield return r;
                    foreach (var rule in v.Rules) foreach (var r in RefsIn(rule.Condition + " " + rule.ComparisonValue, false)) yield return r;
                    break;
                case UseToolNode u: foreach (var r in RefsIn(u.Argument, false)) yield return r; break;
                case RememberNode m: foreach (var r in RefsIn(m.Expression, true)) yield return r; break;
                case RecallNode rc: foreach (var r in RefsIn(rc.Query, false)) yield return r; break;
                case ConditionalNode c: foreach (var r in RefsIn(c.Condition + " " + c.ComparisonValue, false)) yield return r; break;
            }
        }
    }

    private static IEnumerable<string> ReasonRefs(ReasonNode r)
    {
        foreach (var g in r.Given) foreach (var x in RefsIn(g, true)) yield return x;
        foreach (var x in RefsIn(r.Ask, false)) yield return x;
    }

    /// <summary>References in a string; when <paramref name="bareNames"/>, plain dotted names count too.</summary>
    public static IEnumerable<string> RefsIn(string text, bool bareNames)
    {
        if (string.IsNullOrEmpty(text)) yield break;
        foreach (Match m in OutputRef().Matches(text)) yield return m.Groups[1].Value;
        foreach (Match m in Placeholder().Matches(text)) yield return m.Groups[1].Value;
        if (bareNames)
            foreach (Match m in BareName().Matches(text)) yield return m.Groups[1].Value;
    }

    private static void CheckIndependence(ParallelNode par, IReadOnlyDictionary<FlowNode, string> keys)
    {
        var producedBy = new List<HashSet<string>>();
        foreach (var b in par.Branches) producedBy.Add(Produces(b, keys).ToHashSet(StringComparer.Ordinal));
        for (var i = 0; i < par.Branches.Count; i++)
        {
            foreach (var r in References(par.Branches[i]))
            {
                for (var j = 0; j < par.Branches.Count; j++)
                {
                    if (j != i && producedBy[j].Contains(r) && !producedBy[i].Contains(r))
                        throw new AxonFlowDefinitionException(
                            $"par branches must be independent: branch {i + 1} ('{keys[par.Branches[i]]}') uses '{r}', which branch {j + 1} ('{keys[par.Branches[j]]}') produces.");
                }
            }
        }
    }

    [GeneratedRegex(@"\b([A-Za-z_][A-Za-z0-9_]*)\.output\b")] private static partial Regex OutputRef();
    [GeneratedRegex(@"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)(?:\.output)?(?:\.[A-Za-z_][A-Za-z0-9_]*)*\s*\}\}")] private static partial Regex Placeholder();
    [GeneratedRegex(@"(?:^|[\[,\s])([A-Za-z_][A-Za-z0-9_]*)(?=$|[\],\s.])")] private static partial Regex BareName();
}
