using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Axon.Language.Syntax;
using Axon.Language.Text;

namespace Axon.Language.Semantics;

/// <summary>
/// The reference type checker (reference §3.3–§3.4): the same checks, messages, positions and order,
/// plus the warnings the reference does not give and the epistemic error of product.md §3.
/// </summary>
public static partial class Checker
{
    private static readonly string[] Tones = { "analytical", "assertive", "casual", "diplomatic", "empathetic", "formal", "friendly", "precise" };
    private static readonly string[] MemoryScopes = { "ephemeral", "none", "persistent", "session" };
    private static readonly string[] Depths = { "deep", "exhaustive", "shallow", "standard" };
    private static readonly string[] ViolationActions = { "escalate", "fallback", "log", "raise", "warn" };
    private static readonly string[] Retrievals = { "exact", "hybrid", "semantic" };
    private static readonly string[] Backoffs = { "exponential", "linear", "none" };
    private static readonly string[] Efforts = { "high", "low", "max", "medium" };
    private static readonly string[] Modes = { "believe", "doubt", "know", "speculate" };

    /// <summary>Checks <paramref name="program"/> and returns its diagnostics (errors in the reference's order, then warnings).</summary>
    public static IReadOnlyList<Diagnostic> Check(ProgramNode program)
    {
        // Checking recurses per nesting level: a hand-built AST deeper than the limit is refused before it starts.
        var tooDeep = Nesting.Check(program);
        if (tooDeep.Count > 0) return tooDeep;
        var state = new State();
        Register(program.Declarations, state, topLevel: true);
        foreach (var d in program.Declarations) Validate(d, state);
        WarnUnknownTypes(program, state);
        var result = new List<Diagnostic>(state.Errors);
        result.AddRange(state.Warnings);
        return result;
    }

    private sealed class State
    {
        public readonly Dictionary<string, NamedDeclaration> Symbols = new(StringComparer.Ordinal);
        public readonly HashSet<string> DeclaredTypes = new(StringComparer.Ordinal);
        public readonly List<Diagnostic> Errors = new();
        public readonly List<Diagnostic> Warnings = new();

        // Suggestions scan every declared name; on a huge file with many mistakes only the first ones get one,
        // so checking stays linear (the printers show the first 200 diagnostics anyway).
        public int SuggestionBudget = MaxSuggestions;

        // Also bounded in name comparisons: 200 suggestions over 300k declared names was most of a 50 MB check.
        private long _comparisonsLeft = MaxSuggestionComparisons;

        public string? Closest(string name, IReadOnlyCollection<string> candidates)
        {
            if (SuggestionBudget-- <= 0 || _comparisonsLeft < candidates.Count) return null;
            _comparisonsLeft -= candidates.Count;
            return NameSuggestions.Closest(name, candidates);
        }

        public void Error(int check, string message, TextSpan span) =>
            Errors.Add(new Diagnostic(DiagnosticCodes.Check(check), DiagnosticSeverity.Error, DiagnosticPhase.Type, message, span));

        /// <summary>An error on <paramref name="primary"/> (the offending token) that the reference reports at <paramref name="reference"/>.</summary>
        public void Error(int check, string message, TextSpan? primary, TextSpan reference, params RelatedLocation[] more) =>
            Errors.Add(At(new Diagnostic(DiagnosticCodes.Check(check), DiagnosticSeverity.Error, DiagnosticPhase.Type, message, primary ?? reference), reference, more));

        public void Warn(string code, string message, TextSpan span) =>
            Warnings.Add(new Diagnostic(code, DiagnosticSeverity.Warning, DiagnosticPhase.Type, message, span));

        public void Warn(string code, string message, TextSpan span, params RelatedLocation[] related) =>
            Warnings.Add(new Diagnostic(code, DiagnosticSeverity.Warning, DiagnosticPhase.Type, message, span) { Related = related });
    }

    /// <summary>Adds the reference's position as a related location when the primary span differs from it.</summary>
    internal static Diagnostic At(Diagnostic d, TextSpan reference, params RelatedLocation[] more)
    {
        if (d.Span == reference && more.Length == 0) return d;
        var related = new List<RelatedLocation>(more);
        if (d.Span != reference) related.Add(RelatedLocation.Reference(reference));
        return d with { Related = related };
    }

    private static TextSpan? Value(AstNode node, string field) => node.ValueSpans.TryGetValue(field, out var s) ? s : null;

    private static TextSpan? RefSpan(AstNode node, ReferenceKind kind, string name)
    {
        foreach (var r in node.References) if (r.Kind == kind && r.Name == name) return r.Span;
        return null;
    }

    // Phase 1: one global namespace. Inside epistemic blocks only directly nested flows and intents count.
    private static void Register(IReadOnlyList<Declaration> declarations, State state, bool topLevel)
    {
        foreach (var d in declarations)
        {
            if (d is EpistemicBlock block)
            {
                if (topLevel) Register(block.Declarations.Where(x => x is FlowDecl or IntentDecl).ToList(), state, topLevel: false);
                continue;
            }
            if (d is not NamedDeclaration named) continue;
            if (named is TypeDecl) state.DeclaredTypes.Add(named.Name);
            if (state.Symbols.TryGetValue(named.Name, out var first))
            {
                state.Error(1, $"Duplicate declaration: '{named.Name}' already defined as {first.Kind} (first defined at line {first.Span.StartLine})",
                    named.NameSpan, named.Span, new RelatedLocation(first.NameSpan ?? first.Span, "first defined here"));
                continue;
            }
            state.Symbols[named.Name] = named;
        }
    }

    // Phase 2, in declaration order.
    /// <summary>Diagnostics per file that get a "did you mean" over the file's declarations.</summary>
    internal const int MaxSuggestions = 200;

    /// <summary>Name comparisons per file spent on suggestions over the file's declarations.</summary>
    internal const long MaxSuggestionComparisons = 200_000;

    private static void Validate(Declaration d, State state)
    {
        switch (d)
        {
            case PersonaDecl p:
                if (p.Tone.Length > 0 && Array.IndexOf(Tones, p.Tone) < 0)
                    state.Error(2, $"Unknown tone '{p.Tone}' for persona '{p.Name}'. Valid tones: {string.Join(", ", Tones)}{Suffix(p.Tone, Tones)}", Value(p, "tone"), p.Span);
                if (p.ConfidenceThreshold is double t && (t < 0 || t > 1))
                    state.Error(3, $"confidence_threshold must be between 0.0 and 1.0, got {PyFormat.FloatRepr(t)}", Value(p, "confidence_threshold"), p.Span);
                break;
            case ContextDecl c:
                if (c.MemoryScope.Length > 0 && Array.IndexOf(MemoryScopes, c.MemoryScope) < 0)
                    state.Error(4, $"Unknown memory scope '{c.MemoryScope}' in context '{c.Name}'. Valid: {string.Join(", ", MemoryScopes)}{Suffix(c.MemoryScope, MemoryScopes)}", Value(c, "memory"), c.Span);
                if (c.Depth.Length > 0 && Array.IndexOf(Depths, c.Depth) < 0)
                    state.Error(5, $"Unknown depth '{c.Depth}' in context '{c.Name}'. Valid: {string.Join(", ", Depths)}{Suffix(c.Depth, Depths)}", Value(c, "depth"), c.Span);
                if (c.Temperature is double temp && (temp < 0 || temp > 2))
                    state.Error(6, $"temperature must be between 0.0 and 2.0, got {PyFormat.FloatRepr(temp)}", Value(c, "temperature"), c.Span);
                if (c.MaxTokens is long big && big > int.MaxValue)
                    state.Errors.Add(OutOfRange($"max_tokens {big.ToString(CultureInfo.InvariantCulture)} in context '{c.Name}' is larger than the runtime supports ({int.MaxValue.ToString(CultureInfo.InvariantCulture)})", Value(c, "max_tokens") ?? c.Span));
                if (c.MaxTokens is long mt && mt <= 0)
                    state.Error(7, $"max_tokens must be positive, got {mt.ToString(CultureInfo.InvariantCulture)} in context '{c.Name}'", Value(c, "max_tokens"), c.Span);
                break;
            case AnchorDecl a:
                if (a.ConfidenceFloor is double f && (f < 0 || f > 1))
                    state.Error(8, $"confidence_floor must be between 0.0 and 1.0, got {PyFormat.FloatRepr(f)}", Value(a, "confidence_floor"), a.Span);
                if (a.OnViolation.Length > 0 && Array.IndexOf(ViolationActions, a.OnViolation) < 0)
                    state.Error(9, $"Unknown on_violation action '{a.OnViolation}' in anchor '{a.Name}'. Valid: {string.Join(", ", ViolationActions)}{Suffix(a.OnViolation, ViolationActions)}", Value(a, "on_violation"), a.Span);
                if (a.OnViolation == "raise" && a.OnViolationTarget.Length == 0)
                    state.Error(10, $"Anchor '{a.Name}' uses 'raise' but no error type specified", Value(a, "on_violation"), a.Span);
                break;
            case MemoryDecl m:
                if (m.Store.Length > 0 && Array.IndexOf(MemoryScopes, m.Store) < 0)
                    state.Error(11, $"Unknown store type '{m.Store}' in memory '{m.Name}'. Valid: {string.Join(", ", MemoryScopes)}{Suffix(m.Store, MemoryScopes)}", Value(m, "store"), m.Span);
                if (m.Retrieval.Length > 0 && Array.IndexOf(Retrievals, m.Retrieval) < 0)
                    state.Error(12, $"Unknown retrieval strategy '{m.Retrieval}' in memory '{m.Name}'. Valid: {string.Join(", ", Retrievals)}{Suffix(m.Retrieval, Retrievals)}", Value(m, "retrieval"), m.Span);
                break;
            case ToolDecl tool:
                if (tool.MaxResults is long bigResults && bigResults > int.MaxValue)
                    state.Errors.Add(OutOfRange($"max_results {bigResults.ToString(CultureInfo.InvariantCulture)} in tool '{tool.Name}' is larger than the runtime supports ({int.MaxValue.ToString(CultureInfo.InvariantCulture)})", Value(tool, "max_results") ?? tool.Span));
                if (tool.MaxResults is long mr && mr <= 0)
                    state.Error(13, $"max_results must be positive, got {mr.ToString(CultureInfo.InvariantCulture)} in tool '{tool.Name}'", Value(tool, "max_results"), tool.Span);
                break;
            case TypeDecl type:
                if (type.RangeMin is double rmin && !IsFinite(rmin))
                    state.Errors.Add(OutOfRange($"Range bound of type '{type.Name}' is too large to be a number (not a finite double)", Value(type, "range_min") ?? type.Span));
                if (type.RangeMax is double rmax && !IsFinite(rmax))
                    state.Errors.Add(OutOfRange($"Range bound of type '{type.Name}' is too large to be a number (not a finite double)", Value(type, "range_max") ?? type.Span));
                if (type.RangeMin is double lo && type.RangeMax is double hi && lo >= hi)
                    state.Error(14, $"Invalid range constraint in type '{type.Name}': min ({PyFormat.FloatRepr(lo)}) must be less than max ({PyFormat.FloatRepr(hi)})", Value(type, "range_min"), type.Span);
                break;
            case IntentDecl intent:
                if (intent.Ask.Length == 0)
                    state.Error(15, $"Intent '{intent.Name}' is missing required 'ask' field \u2014 every intent must express a question", intent.NameSpan, intent.Span);
                if (intent.ConfidenceFloor is double iff && (iff < 0 || iff > 1))
                    state.Error(16, $"confidence_floor must be between 0.0 and 1.0, got {PyFormat.FloatRepr(iff)}", Value(intent, "confidence_floor"), intent.Span);
                break;
            case FlowDecl flow:
                var stepNames = new HashSet<string>(StringComparer.Ordinal);
                foreach (var s in flow.Body) ValidateFlowStep(s, flow, stepNames, state);
                CheckFlowResult(flow, state);
                FlowReferences.Check(flow, state.Symbols, state.Warnings);
                break;
            case RunStmt run:
                ValidateRun(run, state);
                break;
            case EpistemicBlock block:
                if (Array.IndexOf(Modes, block.Mode) < 0)
                    state.Error(34, $"Invalid epistemic mode '{block.Mode}', expected one of: {string.Join(", ", Modes)}", block.Span);
                foreach (var inner in block.Declarations) Validate(inner, state);
                break;
        }
    }

    // The reference re-dispatches par branches as declarations: only nested par and hibernate are checked there.
    private static void ValidateParallel(ParallelNode par, State state)
    {
        if (par.Branches.Count < 2)
            state.Error(35, "Parallel block requires at least 2 branches for concurrent dispatch", par.Span);
        foreach (var branch in par.Branches)
        {
            if (branch is ParallelNode nested) ValidateParallel(nested, state);
            else if (branch is HibernateNode h) ValidateHibernate(h, state);
        }
    }

    private static void ValidateHibernate(HibernateNode h, State state)
    {
        if (h.EventName.Length == 0)
            state.Error(36, "hibernate requires an event name: hibernate until \"event_name\"", h.Span);
    }

    private static void ValidateFlowStep(FlowStep s, FlowDecl flow, HashSet<string> stepNames, State state)
    {
        switch (s)
        {
            case StepNode step:
                if (!stepNames.Add(step.Name))
                    state.Error(17, $"Duplicate step name '{step.Name}' in flow '{flow.Name}'", step.NameSpan, step.Span);
                if (step.ConfidenceFloor is double f && (f < 0 || f > 1))
                    state.Error(18, $"confidence_floor must be between 0.0 and 1.0, got {PyFormat.FloatRepr(f)}", Value(step, "confidence_floor"), step.Span);
                if (step.Probe != null) ValidateProbe(step.Probe, state);
                if (step.Reason != null) ValidateReason(step.Reason, state);
                if (step.Weave != null) ValidateWeave(step.Weave, state);
                if (step.UseTool is { } use && state.Symbols.TryGetValue(use.ToolName, out var target) && target is not ToolDecl)
                    state.Error(25, $"'{use.ToolName}' is a {target.Kind}, not a tool", RefSpan(use, ReferenceKind.Tool, use.ToolName), use.Span);
                CheckEpistemicStep(step, state);
                break;
            case ProbeNode probe: ValidateProbe(probe, state); break;
            case ReasonNode reason: ValidateReason(reason, state); break;
            case ValidateNode validate:
                if (validate.Rules.Count == 0)
                    state.Error(21, "Validate gate has no rules \u2014 at least one rule is required", validate.Span);
                break;
            case RefineNode refine:
                if (refine.MaxAttempts > int.MaxValue)
                    state.Errors.Add(OutOfRange($"max_attempts {refine.MaxAttempts.ToString(CultureInfo.InvariantCulture)} is larger than the runtime supports ({int.MaxValue.ToString(CultureInfo.InvariantCulture)})", Value(refine, "max_attempts") ?? refine.Span));
                if (refine.MaxAttempts < 1)
                    state.Error(22, $"Refine max_attempts must be >= 1, got {refine.MaxAttempts.ToString(CultureInfo.InvariantCulture)}", Value(refine, "max_attempts"), refine.Span);
                if (Array.IndexOf(Backoffs, refine.Backoff) < 0)
                    state.Error(23, $"Unknown backoff strategy '{refine.Backoff}'. Valid: {string.Join(", ", Backoffs)}{Suffix(refine.Backoff, Backoffs)}", Value(refine, "backoff"), refine.Span);
                break;
            case WeaveNode weave: ValidateWeave(weave, state); break;
            case RememberNode remember:
                if (state.Symbols.TryGetValue(remember.MemoryTarget, out var rt) && rt is not MemoryDecl)
                    state.Error(26, $"'remember' target '{remember.MemoryTarget}' is a {rt.Kind}, not a memory store", RefSpan(remember, ReferenceKind.Memory, remember.MemoryTarget), remember.Span);
                break;
            case RecallNode recall:
                if (state.Symbols.TryGetValue(recall.MemorySource, out var rs) && rs is not MemoryDecl)
                    state.Error(27, $"'recall' source '{recall.MemorySource}' is a {rs.Kind}, not a memory store", RefSpan(recall, ReferenceKind.Memory, recall.MemorySource), recall.Span);
                break;
            case ConditionalNode cond:
                if (cond.Then != null) ValidateFlowStep(cond.Then, flow, stepNames, state);
                if (cond.Else != null) ValidateFlowStep(cond.Else, flow, stepNames, state);
                break;
            case ParallelNode par: ValidateParallel(par, state); break;
            case HibernateNode h: ValidateHibernate(h, state); break;
            // A flow-level `use` is not checked by the reference.
        }
    }

    private static void ValidateProbe(ProbeNode probe, State state)
    {
        if (probe.Fields.Count == 0) state.Error(19, "Probe directive is missing extraction fields", probe.Span);
    }

    private static void ValidateReason(ReasonNode reason, State state)
    {
        if (reason.Depth > int.MaxValue)
            state.Errors.Add(OutOfRange($"Reasoning depth {reason.Depth.ToString(CultureInfo.InvariantCulture)} is larger than the runtime supports ({int.MaxValue.ToString(CultureInfo.InvariantCulture)})", Value(reason, "depth") ?? reason.Span));
        if (reason.Depth < 1)
            state.Error(20, $"Reasoning depth must be >= 1, got {reason.Depth.ToString(CultureInfo.InvariantCulture)}", Value(reason, "depth"), reason.Span);
    }

    private static void ValidateWeave(WeaveNode weave, State state)
    {
        if (weave.Sources.Count < 2)
            state.Error(24, $"Weave requires at least 2 sources to synthesize \u2014 got {weave.Sources.Count}", weave.Span);
    }

    private static void ValidateRun(RunStmt run, State state)
    {
        var flowSpan = RefSpan(run, ReferenceKind.Flow, run.FlowName);
        if (!state.Symbols.TryGetValue(run.FlowName, out var flow))
            state.Error(28, $"Undefined flow '{run.FlowName}' in run statement{Suggest(run.FlowName, state, x => x is FlowDecl)}", flowSpan, run.Span);
        else if (flow is not FlowDecl)
            state.Error(29, $"'{run.FlowName}' is a {flow.Kind}, not a flow \u2014 only flows can be run", flowSpan, run.Span);
        else
            CheckRunArguments(run, (FlowDecl)flow, state);
        CheckReference(run, run.Persona, "persona", x => x is PersonaDecl, 30, state);
        CheckReference(run, run.Context, "context", x => x is ContextDecl, 31, state);
        foreach (var anchor in run.Anchors) CheckReference(run, anchor, "anchor", x => x is AnchorDecl, 32, state);
        if (run.Effort.Length > 0 && Array.IndexOf(Efforts, run.Effort) < 0)
            state.Error(33, $"Unknown effort level '{run.Effort}'. Valid: {string.Join(", ", Efforts)}{Suffix(run.Effort, Efforts)}", Value(run, "effort"), run.Span);
    }

    private static void CheckReference(RunStmt run, string name, string kind, Func<NamedDeclaration, bool> isKind, int check, State state)
    {
        if (name.Length == 0) return;
        string article = kind == "anchor" ? "an" : "a";
        var refKind = kind switch { "persona" => ReferenceKind.Persona, "context" => ReferenceKind.Context, _ => ReferenceKind.Anchor };
        var span = RefSpan(run, refKind, name);
        if (!state.Symbols.TryGetValue(name, out var decl))
            state.Error(check, $"Undefined {kind} '{name}'{Suggest(name, state, isKind)}", span, run.Span);
        else if (!isKind(decl))
            state.Error(check, $"'{name}' is a {decl.Kind}, not {article} {kind}{Suggest(name, state, isKind)}", span, run.Span);
    }

    // ". Did you mean 'x'?" among the declarations of the wanted kind, or nothing.
    private static string Suggest(string name, State state, Func<NamedDeclaration, bool> isKind)
    {
        if (state.SuggestionBudget <= 0) return "";
        var candidates = new List<string>();
        foreach (var kv in state.Symbols) if (isKind(kv.Value)) candidates.Add(kv.Key);
        return state.Closest(name, candidates) is { } s ? $". Did you mean '{s}'?" : "";
    }

    private static string Suffix(string value, IEnumerable<string> valid) =>
        NameSuggestions.Closest(value, valid) is { } s ? $". Did you mean '{s}'?" : "";

    // Extra positional arguments are ignored at run time (the reference's run arguments are lenient): a warning on the first.
    private static void CheckRunArguments(RunStmt run, FlowDecl flow, State state)
    {
        int positional = RunArguments.PositionalCount(run.Arguments);
        if (positional <= flow.Parameters.Count) return;
        int first = RunArguments.IndexOfPositional(run.Arguments, flow.Parameters.Count);
        var span = first >= 0 && first < run.ArgumentSpans.Count ? run.ArgumentSpans[first] : run.Span;
        state.Warn(DiagnosticCodes.ExtraRunArguments,
            $"Run of flow '{flow.Name}' passes {positional} positional argument(s) but the flow takes {flow.Parameters.Count}; the extra ones are ignored",
            span, new RelatedLocation(flow.NameSpan ?? flow.Span, $"flow '{flow.Name}' is declared here"));
    }

    // product.md §3: an Opinion/Speculation/Uncertainty where a fact type is declared is an error.
    private static void CheckEpistemicStep(StepNode step, State state)
    {
        if (step.Reason is { OutputType.Length: > 0 } reason && BuiltinTypes.IsFactType(step.OutputType) && BuiltinTypes.IsHedgedType(reason.OutputType))
            state.Errors.Add(Epistemic($"Step '{step.Name}' declares output {step.OutputType}, but its reasoning produces {reason.OutputType}", reason.Span));
    }

    private static void CheckFlowResult(FlowDecl flow, State state)
    {
        if (flow.ReturnType is not { } ret || flow.Body.Count == 0) return;
        var (output, span) = FinalOutput(flow.Body[flow.Body.Count - 1]);
        if (output.Length == 0) return;
        string declared = ret.Name;
        // `-> List<T>` with a final `output: T` (or `output: List`) is a list of T: the runtime asks the final step for an array.
        if (declared == "List" && (output == "List" || output == ret.Generic || (ret.Generic.Length == 0 && output == "String"))) return;
        if (BuiltinTypes.IsFactType(declared) && BuiltinTypes.IsHedgedType(output))
        {
            state.Errors.Add(Epistemic($"Flow '{flow.Name}' returns {declared}, but its final step produces {output}", span));
            return;
        }
        bool known(string t) => BuiltinTypes.All.Contains(t) || state.DeclaredTypes.Contains(t);
        if (output == declared || !known(output) || !known(declared)) return;
        bool compatible = BuiltinTypes.All.Contains(output) && BuiltinTypes.All.Contains(declared)
            ? BuiltinTypes.IsCompatible(output, declared)
            : declared == "Any" || output == "StructuredReport";
        if (!compatible)
            state.Warn(DiagnosticCodes.ReturnTypeMismatch,
                $"Flow '{flow.Name}' returns {declared}, but its final step produces {output}", span);
    }

    private static (string Output, TextSpan Span) FinalOutput(FlowStep last) => last switch
    {
        StepNode s => (s.OutputType, s.Span),
        ReasonNode r => (r.OutputType, r.Span),
        _ => ("", last.Span),
    };

    private static bool IsFinite(double d) => !double.IsNaN(d) && !double.IsInfinity(d);

    // Values the reference accepts (Python has big ints and inf) but the runtime cannot hold: an error with the position,
    // so `check` never accepts what `run` would refuse, and `compile` never writes invalid JSON (inf).
    private static Diagnostic OutOfRange(string message, TextSpan span) =>
        new(DiagnosticCodes.NumberOutOfRange, DiagnosticSeverity.Error, DiagnosticPhase.Type, message, span);

    private static Diagnostic Epistemic(string message, TextSpan span) =>
        new(DiagnosticCodes.EpistemicMismatch, DiagnosticSeverity.Error, DiagnosticPhase.Type, message, span);

    private static void WarnUnknownTypes(ProgramNode program, State state)
    {
        var candidates = new List<string>(BuiltinTypes.All);
        candidates.AddRange(state.DeclaredTypes);
        void check(string name, AstNode node, TextSpan fallback)
        {
            if (name.Length == 0 || BuiltinTypes.All.Contains(name) || state.DeclaredTypes.Contains(name)) return;
            var span = RefSpan(node, ReferenceKind.Type, name) ?? fallback;
            var related = span == fallback ? Array.Empty<RelatedLocation>() : new[] { RelatedLocation.Reference(fallback) };
            state.Warn(DiagnosticCodes.UnknownType, $"Unknown type '{name}': it is neither built in nor declared{(state.Closest(name, candidates) is { } s ? $". Did you mean '{s}'?" : "")}", span, related);
        }
        void expr(TypeExpr? t)
        {
            if (t == null) return;
            check(t.Name, t, t.Span);
            check(t.Generic, t, t.Span);
        }
        void step(FlowStep s)
        {
            switch (s)
            {
                case StepNode st:
                    check(st.OutputType, st, st.Span);
                    if (st.Reason != null) check(st.Reason.OutputType, st.Reason, st.Reason.Span);
                    break;
                case ReasonNode r: check(r.OutputType, r, r.Span); break;
                case ConditionalNode c:
                    if (c.Then != null) step(c.Then);
                    if (c.Else != null) step(c.Else);
                    break;
                case ParallelNode p: foreach (var b in p.Branches) step(b); break;
            }
        }
        void decl(Declaration d)
        {
            switch (d)
            {
                case TypeDecl t: foreach (var f in t.Fields) expr(f.Type); break;
                case IntentDecl i: expr(i.Output); break;
                case FlowDecl f:
                    foreach (var p in f.Parameters) expr(p.Type);
                    expr(f.ReturnType);
                    foreach (var s in f.Body) step(s);
                    break;
                case EpistemicBlock b: foreach (var x in b.Declarations) decl(x); break;
            }
        }
        foreach (var d in program.Declarations) decl(d);
    }
}
