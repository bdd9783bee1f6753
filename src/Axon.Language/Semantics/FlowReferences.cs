using System;
using System.Collections.Generic;
using Axon.Language.Syntax;

namespace Axon.Language.Semantics;

/// <summary>
/// The names a flow can bind at run time, and the warnings for references that bind nothing (AXN2104–AXN2106).
/// The names follow the runtime's: parameters, every construct's output key (a step's or reason's name, a weave
/// target, <c>probe_X</c>, <c>use_T</c>, <c>recall_M</c>, a hibernate event) and its aliases, and recalled memories.
/// </summary>
public static class FlowReferences
{
    /// <summary>Every name a reference inside <paramref name="flow"/> can bind to at run time.</summary>
    public static HashSet<string> BindableNames(FlowDecl flow) => BindableNames(flow, Steps(flow.Body));

    private static HashSet<string> BindableNames(FlowDecl flow, List<FlowStep> steps)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < flow.Parameters.Count; i++) names.Add(flow.Parameters[i].Name);
        foreach (var node in steps) AddProduced(node, names);
        return names;
    }

    // As Produces, into a set, without an iterator per step (the checker asks for every step of every flow).
    private static void AddProduced(FlowStep node, HashSet<string> names)
    {
        switch (node)
        {
            case StepNode s: names.Add(s.Name); break;
            case ReasonNode r:
                if (r.Name.Length > 0) names.Add(r.Name);
                if (r.About.Length > 0) { names.Add(r.About); names.Add("reason_" + r.About); }
                break;
            case ProbeNode p: names.Add("probe_" + p.Target); break;
            case WeaveNode w:
                if (w.Target.Length > 0) { names.Add(w.Target); names.Add("weave_" + w.Target); }
                break;
            case UseToolNode u: names.Add("use_" + u.ToolName); break;
            case RecallNode rc: names.Add("recall_" + rc.MemorySource); names.Add(rc.MemorySource); break;
            case HibernateNode h: if (h.EventName.Length > 0) names.Add(h.EventName); break;
        }
    }

    // Walk's steps as one list, for callers that go over them more than once.
    private static List<FlowStep> Steps(IReadOnlyList<FlowStep> body)
    {
        var steps = new List<FlowStep>(body.Count);
        foreach (var s in Walk(body)) steps.Add(s);
        return steps;
    }

    /// <summary>The names <paramref name="node"/> itself produces (its output key and aliases).</summary>
    public static IEnumerable<string> Produces(FlowStep node)
    {
        switch (node)
        {
            case StepNode s: yield return s.Name; break;
            case ReasonNode r:
                if (r.Name.Length > 0) yield return r.Name;
                if (r.About.Length > 0) { yield return r.About; yield return "reason_" + r.About; }
                break;
            case ProbeNode p: yield return "probe_" + p.Target; break;
            case WeaveNode w:
                if (w.Target.Length > 0) { yield return w.Target; yield return "weave_" + w.Target; }
                break;
            case UseToolNode u: yield return "use_" + u.ToolName; break;
            case RecallNode rc: yield return "recall_" + rc.MemorySource; yield return rc.MemorySource; break;
            case HibernateNode h: if (h.EventName.Length > 0) yield return h.EventName; break;
        }
    }

    /// <summary>Every step of a body, nested ones (if/else branches, par branches) included, without recursion.</summary>
    public static IEnumerable<FlowStep> Walk(IReadOnlyList<FlowStep> body)
    {
        var stack = new Stack<FlowStep>();
        for (int i = body.Count - 1; i >= 0; i--) stack.Push(body[i]);
        while (stack.Count > 0)
        {
            var s = stack.Pop();
            yield return s;
            switch (s)
            {
                case StepNode st:
                    if (st.Weave != null) stack.Push(st.Weave);
                    if (st.Reason != null) stack.Push(st.Reason);
                    if (st.Probe != null) stack.Push(st.Probe);
                    if (st.UseTool != null) stack.Push(st.UseTool);
                    break;
                case ConditionalNode c:
                    if (c.Else != null) stack.Push(c.Else);
                    if (c.Then != null) stack.Push(c.Then);
                    break;
                case ParallelNode p:
                    for (int i = p.Branches.Count - 1; i >= 0; i--) stack.Push(p.Branches[i]);
                    break;
            }
        }
    }

    internal static void Check(FlowDecl flow, IReadOnlyDictionary<string, NamedDeclaration> symbols, List<Diagnostic> warnings)
    {
        var walked = Steps(flow.Body);
        var bindable = BindableNames(flow, walked);
        // Suggestions come from the names a user writes (not the runtime's internal aliases such as weave_X).
        var suggestions = new List<string>();
        foreach (var p in flow.Parameters) suggestions.Add(p.Name);
        var steps = new List<string>();
        foreach (var node in walked)
        {
            switch (node)
            {
                case StepNode s: steps.Add(s.Name); suggestions.Add(s.Name); break;
                case ReasonNode r when r.Name.Length > 0: steps.Add(r.Name); suggestions.Add(r.Name); break;
                case WeaveNode w when w.Target.Length > 0: suggestions.Add(w.Target); break;
                case HibernateNode h when h.EventName.Length > 0: suggestions.Add(h.EventName); break;
            }
        }
        foreach (var node in walked)
        {
            var references = node.References;
            for (int k = 0; k < references.Count; k++) // indexed: a foreach boxed an enumerator per step
            {
                var r = references[k];
                if (r.Kind != ReferenceKind.Value && r.Kind != ReferenceKind.Placeholder) continue;
                if (bindable.Contains(r.Name)) continue;
                bool output = r.Text.StartsWith(r.Name + ".output", StringComparison.Ordinal);
                if (output)
                {
                    warnings.Add(Warn(DiagnosticCodes.OutputOfNonStep,
                        $"'{r.Text}' refers to the output of '{r.Name}', but flow '{flow.Name}' has no step '{r.Name}'; the step would fail at run time{Suggest(r.Name, steps.Count > 0 ? steps : suggestions)}", r.Span));
                    continue;
                }
                string what = r.Kind == ReferenceKind.Placeholder ? $"Placeholder '{{{{{r.Text}}}}}'" : $"'{r.Text}'";
                string kind = symbols.TryGetValue(r.Name, out var decl) ? $" ('{r.Name}' is a {decl.Kind}, which is not a value)" : "";
                warnings.Add(Warn(r.Kind == ReferenceKind.Placeholder ? DiagnosticCodes.UnresolvedPlaceholder : DiagnosticCodes.UnresolvedReference,
                    $"{what} names nothing flow '{flow.Name}' can bind (a parameter, a step's output or a recalled memory){kind}; the step would fail at run time{Suggest(r.Name, suggestions)}",
                    r.Span));
            }
        }
    }

    private static string Suggest(string name, IEnumerable<string> candidates) =>
        NameSuggestions.Closest(name, candidates) is { } s ? $". Did you mean '{s}'?" : "";

    private static Diagnostic Warn(string code, string message, TextSpan span) =>
        new(code, DiagnosticSeverity.Warning, DiagnosticPhase.Type, message, span);
}

/// <summary>How a <c>run</c> statement's arguments split into positional and <c>name: value</c> ones.</summary>
public static class RunArguments
{
    /// <summary>True when argument <paramref name="index"/> is part of a <c>name: value</c> pair (the name, the colon or the value).</summary>
    public static bool IsNamed(IReadOnlyList<string> arguments, int index)
    {
        if (arguments[index] == ":") return true;
        if (index + 1 < arguments.Count && arguments[index + 1] == ":") return true;
        return index >= 1 && arguments[index - 1] == ":";
    }

    /// <summary>The number of positional arguments.</summary>
    public static int PositionalCount(IReadOnlyList<string> arguments)
    {
        int n = 0;
        for (int i = 0; i < arguments.Count; i++) if (!IsNamed(arguments, i)) n++;
        return n;
    }

    /// <summary>The index in <paramref name="arguments"/> of the positional argument number <paramref name="ordinal"/> (0-based), or -1.</summary>
    public static int IndexOfPositional(IReadOnlyList<string> arguments, int ordinal)
    {
        for (int i = 0, n = 0; i < arguments.Count; i++)
        {
            if (IsNamed(arguments, i)) continue;
            if (n++ == ordinal) return i;
        }
        return -1;
    }
}
