using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Antlr4.Runtime;
using Antlr4.Runtime.Tree;
using Axon.Language.Parsing;
using static Axon.Language.Parsing.AxonParser;

namespace Axon.Language.Syntax;

/// <summary>
/// Turns a parse tree into the immutable AST. This is the only place that sees ANTLR's parse-tree
/// types; everything after it works on <see cref="AstNode"/>s. Repeated fields overwrite, as in the reference.
/// </summary>
internal sealed class AstBuilder
{
    private readonly List<Diagnostic> _diagnostics;

    public AstBuilder(List<Diagnostic> diagnostics) => _diagnostics = diagnostics;

    /// <summary>The program made of declarations built one by one (see <see cref="BuildWhileParsing"/>).</summary>
    public static ProgramNode Program(List<Declaration> declarations) => new(declarations, new TextSpan(1, 1, 1, 1));

    /// <summary>
    /// Builds each top-level declaration as the parser leaves it and detaches its parse tree. On a large file the
    /// trees then die young; kept until the end they survived every collection of the parse and were copied by
    /// each one, which cost as much as the parse itself. Only for parses that stop at the first syntax error
    /// (a declaration that completes has none).
    /// </summary>
    public void BuildWhileParsing(AxonParser parser, List<Declaration> into) =>
        parser.DeclarationParsed = d =>
        {
            into.Add(Declaration(d));
            ((ProgramContext)d.Parent).RemoveLastChild();
            // Each token is its own leaf and points at the rule that consumed it, and the token stream keeps every
            // token to the end: without this the detached tree stayed reachable through its tokens.
            if (parser.InputStream is BufferedTokenStream tokens)
                for (int i = d.Start.TokenIndex, stop = d.Stop.TokenIndex; i <= stop; i++)
                    if (tokens.Get(i) is AxonToken token) token.Owner = null;
        };

    /// <summary>Builds one declaration parsed without error (used for the declarations recovered around syntax errors).</summary>
    public Declaration Build(DeclarationContext ctx) => Declaration(ctx);

    private Declaration Declaration(DeclarationContext ctx)
    {
        var child = (ParserRuleContext)ctx.GetChild(0);
        return child switch
        {
            ImportDeclContext c => Import(c),
            PersonaDeclContext c => Persona(c),
            ContextDeclContext c => Context(c),
            AnchorDeclContext c => Anchor(c),
            MemoryDeclContext c => Memory(c),
            ToolDeclContext c => Tool(c),
            TypeDeclContext c => Type(c),
            FlowDeclContext c => Flow(c),
            IntentDeclContext c => Intent(c),
            RunStmtContext c => Run(c),
            EpistemicBlockContext c => Epistemic(c),
            _ => throw new InvalidOperationException("Unknown declaration " + child.GetType().Name),
        };
    }

    private static ImportDecl Import(ImportDeclContext c)
    {
        var path = new List<string>();
        var names = new List<string>();
        bool inNames = false;
        for (int i = 0; i < c.ChildCount; i++)
        {
            var child = c.GetChild(i);
            if (child is ITerminalNode t && t.Symbol.Type == AxonLexer.LBRACE) inNames = true;
            if (child is IdentContext id) (inNames ? names : path).Add(id.Start.Text);
        }
        return new ImportDecl(path, names, Span(c));
    }

    private PersonaDecl Persona(PersonaDeclContext c)
    {
        string name = One<IdentContext>(c).Start.Text;
        IReadOnlyList<string> domain = Array.Empty<string>(), refuse = Array.Empty<string>();
        string tone = "", language = "", description = "";
        double? threshold = null;
        bool? cite = null;
        foreach (var f in All<PersonaFieldContext>(c))
        {
            switch (f)
            {
                case PersonaDomainContext x: domain = Strings(x); break;
                case PersonaToneContext x: tone = Word(One<WordContext>(x)); break;
                case PersonaConfidenceContext x: threshold = Float(Tok(x, AxonLexer.FLOAT)!); break;
                case PersonaCiteContext x: cite = Bool(Tok(x, AxonLexer.BOOL)!); break;
                case PersonaRefuseContext x: refuse = Words(All<WordContext>(x)); break;
                case PersonaLanguageContext x: language = Str(Tok(x, AxonLexer.STRING)!); break;
                case PersonaDescriptionContext x: description = Str(Tok(x, AxonLexer.STRING)!); break;
                default: UnknownField(f, "persona", name); break;
            }
        }
        return new PersonaDecl(name, domain, tone, threshold, cite, refuse, language, description, Span(c))
        { NameSpan = NameSpanOf(c), ValueSpans = FieldValueSpans(All<PersonaFieldContext>(c)) };
    }

    private ContextDecl Context(ContextDeclContext c)
    {
        string name = One<IdentContext>(c).Start.Text;
        string memory = "", language = "", depth = "";
        long? maxTokens = null;
        double? temperature = null;
        bool? cite = null;
        foreach (var f in All<ContextFieldContext>(c))
        {
            switch (f)
            {
                case ContextMemoryContext x: memory = Word(One<WordContext>(x)); break;
                case ContextLanguageContext x: language = Str(Tok(x, AxonLexer.STRING)!); break;
                case ContextDepthContext x: depth = Word(One<WordContext>(x)); break;
                case ContextMaxTokensContext x: maxTokens = Int(Tok(x, AxonLexer.INTEGER)!); break;
                case ContextTemperatureContext x: temperature = Float(Tok(x, AxonLexer.FLOAT)!); break;
                case ContextCiteContext x: cite = Bool(Tok(x, AxonLexer.BOOL)!); break;
                default: UnknownField(f, "context", name); break;
            }
        }
        return new ContextDecl(name, memory, language, depth, maxTokens, temperature, cite, Span(c))
        { NameSpan = NameSpanOf(c), ValueSpans = FieldValueSpans(All<ContextFieldContext>(c)) };
    }

    private AnchorDecl Anchor(AnchorDeclContext c)
    {
        string name = One<IdentContext>(c).Start.Text;
        string require = "", enforce = "", unknown = "", action = "", target = "";
        IReadOnlyList<string> reject = Array.Empty<string>();
        double? floor = null;
        foreach (var f in All<AnchorFieldContext>(c))
        {
            switch (f)
            {
                case AnchorRequireContext x: require = Word(One<WordContext>(x)); break;
                case AnchorRejectContext x: reject = Words(All<WordContext>(x)); break;
                case AnchorEnforceContext x: enforce = Word(One<WordContext>(x)); break;
                case AnchorFloorContext x: floor = Float(Tok(x, AxonLexer.FLOAT)!); break;
                case AnchorUnknownResponseContext x: unknown = Str(Tok(x, AxonLexer.STRING)!); break;
                case AnchorOnViolationContext x: (action, target) = Violation(One<ViolationActionContext>(x)); break;
                default: UnknownField(f, "anchor", name); break;
            }
        }
        return new AnchorDecl(name, require, reject, enforce, floor, unknown, action, target, Span(c))
        { NameSpan = NameSpanOf(c), ValueSpans = FieldValueSpans(All<AnchorFieldContext>(c)) };
    }

    private static (string Action, string Target) Violation(ViolationActionContext v) => v switch
    {
        ViolationRaiseContext x => ("raise", One<IdentContext>(x).Start.Text),
        ViolationFallbackContext x => ("fallback", Str(Tok(x, AxonLexer.STRING)!)),
        _ => (TokenText.Value(v.Start), ""),
    };

    private MemoryDecl Memory(MemoryDeclContext c)
    {
        string name = One<IdentContext>(c).Start.Text;
        string store = "", backend = "", retrieval = "", decay = "";
        foreach (var f in All<MemoryFieldContext>(c))
        {
            switch (f)
            {
                case MemoryStoreContext x: store = Word(One<WordContext>(x)); break;
                case MemoryBackendContext x: backend = Word(One<WordContext>(x)); break;
                case MemoryRetrievalContext x: retrieval = Word(One<WordContext>(x)); break;
                case MemoryDecayContext x: decay = Tok(x, AxonLexer.DURATION) != null ? Tok(x, AxonLexer.DURATION)!.Text : Word(One<WordContext>(x)); break;
                default: UnknownField(f, "memory", name); break;
            }
        }
        return new MemoryDecl(name, store, backend, retrieval, decay, Span(c))
        { NameSpan = NameSpanOf(c), ValueSpans = FieldValueSpans(All<MemoryFieldContext>(c)) };
    }

    private ToolDecl Tool(ToolDeclContext c)
    {
        string name = One<IdentContext>(c).Start.Text;
        string provider = "", filter = "", timeout = "", runtime = "";
        long? maxResults = null;
        bool? sandbox = null;
        foreach (var f in All<ToolFieldContext>(c))
        {
            switch (f)
            {
                case ToolProviderContext x: provider = Word(One<WordContext>(x)); break;
                case ToolMaxResultsContext x: maxResults = Int(Tok(x, AxonLexer.INTEGER)!); break;
                case ToolFilterContext x: filter = Filter(x); break;
                case ToolTimeoutContext x: timeout = Tok(x, AxonLexer.DURATION)!.Text; break;
                case ToolRuntimeContext x: runtime = Word(One<WordContext>(x)); break;
                case ToolSandboxContext x: sandbox = Bool(Tok(x, AxonLexer.BOOL)!); break;
                default: UnknownField(f, "tool", name); break;
            }
        }
        return new ToolDecl(name, provider, maxResults, filter, timeout, runtime, sandbox, Span(c))
        { NameSpan = NameSpanOf(c), ValueSpans = FieldValueSpans(All<ToolFieldContext>(c)) };
    }

    // `filter: recent(days: 30)` is kept as "recent(days:30)": token values joined with no separator.
    private static string Filter(ToolFilterContext x)
    {
        var sb = new StringBuilder(Word(One<WordContext>(x)));
        if (Tok(x, AxonLexer.LPAREN) == null) return sb.ToString();
        sb.Append('(');
        int from = Tok(x, AxonLexer.LPAREN)!.TokenIndex + 1, to = x.RPAREN(0).Symbol.TokenIndex;
        for (int i = 2; i < x.ChildCount; i++)
        {
            if (x.GetChild(i) is ITerminalNode t && t.Symbol.TokenIndex >= from && t.Symbol.TokenIndex < to)
                sb.Append(TokenText.Value(t.Symbol));
        }
        return sb.Append(')').ToString();
    }

    private static TypeDecl Type(TypeDeclContext c)
    {
        string name = One<IdentContext>(c).Start.Text;
        double? min = null, max = null;
        var numbers = All<NumberContext>(c);
        if (numbers.Length == 2)
        {
            min = Float(numbers[0].Start);
            max = Float(numbers[1].Start);
        }
        string where = "";
        if (Tok(c, AxonLexer.WHERE) != null)
        {
            var parts = new List<string>();
            foreach (var w in All<WhereTokenContext>(c)) parts.Add(TokenText.Value(w.Start));
            where = string.Join(" ", parts);
        }
        var fields = new List<TypeField>();
        foreach (var f in All<TypeFieldContext>(c))
        {
            var fieldSpan = TokenText.Span(One<IdentContext>(f).Start);
            fields.Add(new TypeField(One<IdentContext>(f).Start.Text, TypeExpression(One<TypeExprContext>(f)), fieldSpan) { NameSpan = fieldSpan });
        }
        var values = new SpanMap();
        if (numbers.Length == 2)
        {
            values["range_min"] = Span(numbers[0]);
            values["range_max"] = Span(numbers[1]);
        }
        return new TypeDecl(name, fields, min, max, where, Span(c)) { NameSpan = NameSpanOf(c), ValueSpans = values };
    }

    private static TypeExpr TypeExpression(TypeExprContext t)
    {
        var ids = All<IdentContext>(t);
        var refs = new NameReference[ids.Length];
        for (int i = 0; i < ids.Length; i++) refs[i] = Reference(ids[i], ReferenceKind.Type);
        return new TypeExpr(ids[0].Start.Text, ids.Length > 1 ? ids[1].Start.Text : "", Tok(t, AxonLexer.QUESTION) != null, Span(t)) { References = refs };
    }

    private IntentDecl Intent(IntentDeclContext c)
    {
        string name = One<IdentContext>(c).Start.Text;
        string given = "", ask = "";
        TypeExpr? output = null;
        double? floor = null;
        foreach (var f in All<IntentFieldContext>(c))
        {
            switch (f)
            {
                case IntentGivenContext x: given = One<IdentContext>(x).Start.Text; break;
                case IntentAskContext x: ask = Str(Tok(x, AxonLexer.STRING)!); break;
                case IntentOutputContext x: output = TypeExpression(One<TypeExprContext>(x)); break;
                case IntentFloorContext x: floor = Float(Tok(x, AxonLexer.FLOAT)!); break;
                default: UnknownField(f, "intent", name); break;
            }
        }
        return new IntentDecl(name, given, ask, output, floor, Span(c))
        { NameSpan = NameSpanOf(c), ValueSpans = FieldValueSpans(All<IntentFieldContext>(c)) };
    }

    private FlowDecl Flow(FlowDeclContext c)
    {
        var parameters = new List<Parameter>();
        foreach (var p in All<ParamContext>(c))
        {
            var paramSpan = TokenText.Span(One<IdentContext>(p).Start);
            parameters.Add(new Parameter(One<IdentContext>(p).Start.Text, TypeExpression(One<TypeExprContext>(p)), paramSpan) { NameSpan = paramSpan });
        }
        var body = new List<FlowStep>();
        foreach (var s in All<FlowStepContext>(c)) body.Add(FlowStep(s));
        var ret = One<TypeExprContext>(c) is { } t ? TypeExpression(t) : null;
        return new FlowDecl(One<IdentContext>(c).Start.Text, parameters, ret, body, Span(c)) { NameSpan = NameSpanOf(c) };
    }

    private FlowStep FlowStep(FlowStepContext ctx)
    {
        var child = (ParserRuleContext)ctx.GetChild(0);
        return child switch
        {
            StepDeclContext c => Step(c),
            ProbeContext c => Probe(c),
            ReasonContext c => Reason(c),
            ValidateContext c => Validate(c),
            RefineContext c => Refine(c),
            WeaveContext c => Weave(c),
            UseToolContext c => Use(c),
            RememberContext c => new RememberNode(c.ident(0).Start.Text, c.ident(1).Start.Text, Span(c))
            {
                References = new[] { Reference(c.ident(0), ReferenceKind.Value), Reference(c.ident(1), ReferenceKind.Memory) },
            },
            RecallContext c => Recall(c),
            IfStepContext c => Conditional(c),
            ParBlockContext c => Parallel(c),
            HibernateContext c => new HibernateNode(Tok(c, AxonLexer.STRING) != null ? Str(Tok(c, AxonLexer.STRING)!) : "",
                Tok(c, AxonLexer.DURATION)?.Text ?? "", Span(c)),
            _ => throw new InvalidOperationException("Unknown flow step " + child.GetType().Name),
        };
    }

    private static RecallNode Recall(RecallContext c)
    {
        var ids = All<IdentContext>(c);
        var refs = new List<NameReference>();
        if (Tok(c, AxonLexer.STRING) is { } q) Placeholders(q, refs);
        refs.Add(Reference(ids[ids.Length - 1], ReferenceKind.Memory));
        return new RecallNode(Tok(c, AxonLexer.STRING) != null ? Str(Tok(c, AxonLexer.STRING)!) : c.ident(0).Start.Text,
            ids[ids.Length - 1].Start.Text, Span(c)) { References = refs };
    }

    private StepNode Step(StepDeclContext c)
    {
        var refs = new List<NameReference>();
        var values = new SpanMap();
        string given = "", ask = "", output = "";
        UseToolNode? use = null;
        ProbeNode? probe = null;
        ReasonNode? reason = null;
        WeaveNode? weave = null;
        double? floor = null;
        foreach (var item in All<StepItemContext>(c))
        {
            switch (item)
            {
                case StepGivenContext x:
                    given = Ref(One<RefExprContext>(x));
                    refs.RemoveAll(r => r.Kind == ReferenceKind.Value); // a repeated field overwrites
                    RefExprReferences(One<RefExprContext>(x), refs);
                    values["given"] = Span(One<RefExprContext>(x));
                    break;
                case StepAskContext x:
                    ask = Str(Tok(x, AxonLexer.STRING)!);
                    refs.RemoveAll(r => r.Kind == ReferenceKind.Placeholder);
                    Placeholders(Tok(x, AxonLexer.STRING)!, refs);
                    values["ask"] = TokenText.Span(Tok(x, AxonLexer.STRING)!);
                    break;
                case StepUseContext x: use = Use(One<UseToolContext>(x)); break;
                case StepProbeContext x: probe = Probe(One<ProbeContext>(x)); break;
                case StepReasonContext x: reason = Reason(One<ReasonContext>(x)); break;
                case StepWeaveContext x: weave = Weave(One<WeaveContext>(x)); break;
                case StepOutputContext x:
                    output = One<IdentContext>(x).Start.Text;
                    refs.RemoveAll(r => r.Kind == ReferenceKind.Type);
                    refs.Add(Reference(One<IdentContext>(x), ReferenceKind.Type));
                    values["output"] = Span(One<IdentContext>(x));
                    break;
                case StepFloorContext x:
                    floor = Float(Tok(x, AxonLexer.FLOAT)!);
                    values["confidence_floor"] = TokenText.Span(Tok(x, AxonLexer.FLOAT)!);
                    break;
            }
        }
        return new StepNode(One<IdentContext>(c).Start.Text, given, ask, use, probe, reason, weave, output, floor, Span(c))
        {
            NameSpan = NameSpanOf(c),
            References = refs,
            ValueSpans = values,
        };
    }

    // `given: A.output` → "A.output"; `given: [A.output, B.output]` → "[A.output, B.output]".
    private static string Ref(RefExprContext r)
    {
        var items = All<DottedContext>(r);
        if (Tok(r, AxonLexer.LBRACKET) == null) return Dotted(items[0]);
        var parts = new List<string>();
        foreach (var d in items) parts.Add(Dotted(d));
        return "[" + string.Join(", ", parts) + "]";
    }

    private static string Dotted(DottedContext d)
    {
        var sb = new StringBuilder(One<IdentContext>(d).Start.Text);
        foreach (var w in All<WordContext>(d)) sb.Append('.').Append(Word(w));
        return sb.ToString();
    }

    private static ProbeNode Probe(ProbeContext c) => new(One<IdentContext>(c).Start.Text, Words(All<WordContext>(c)), Span(c))
    {
        References = new[] { Reference(One<IdentContext>(c), ReferenceKind.Value) },
    };

    private static NameReference Reference(DottedContext d, ReferenceKind kind)
    {
        var id = One<IdentContext>(d);
        return new NameReference(id.Start.Text, Dotted(d), kind, TokenText.Span(id.Start));
    }

    private static NameReference Reference(IdentContext id, ReferenceKind kind) =>
        new(id.Start.Text, id.Start.Text, kind, TokenText.Span(id.Start));

    private static void RefExprReferences(RefExprContext r, List<NameReference> into)
    {
        foreach (var d in All<DottedContext>(r)) into.Add(Reference(d, ReferenceKind.Value));
    }

    // The runtime's placeholder syntax: {{name}}, {{ name.output }}, {{name.output.field}}.
    private static readonly System.Text.RegularExpressions.Regex PlaceholderPattern =
        new(@"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>Adds the <c>{{name}}</c> placeholders of a string token, each with the span of its name inside the literal.</summary>
    private static void Placeholders(IToken literal, List<NameReference> into)
    {
        string raw = literal.Text ?? "";
        if (raw.IndexOf("{{", StringComparison.Ordinal) < 0) return;
        foreach (System.Text.RegularExpressions.Match m in PlaceholderPattern.Matches(raw))
        {
            var g = m.Groups[1];
            string text = g.Value;
            int dot = text.IndexOf('.');
            string name = dot < 0 ? text : text.Substring(0, dot);
            // Walk the raw literal to the name (an escaped newline can make a literal span lines).
            int line = literal.Line, col = literal.Column + 1;
            for (int i = 0; i < g.Index; i++)
            {
                char ch = raw[i];
                if (ch == '\n') { line++; col = 1; }
                else if (!char.IsLowSurrogate(ch)) col++;
            }
            into.Add(new NameReference(name, text, ReferenceKind.Placeholder, new TextSpan(line, col, line, col + name.Length)));
        }
    }

    private ReasonNode Reason(ReasonContext c)
    {
        string name = "", about = "";
        TextSpan? nameSpan = null;
        var refs = new List<NameReference>();
        var values = new SpanMap();
        if (One<IdentContext>(c) != null)
        {
            if (Tok(c, AxonLexer.ABOUT) != null) about = One<IdentContext>(c).Start.Text;
            else name = One<IdentContext>(c).Start.Text;
            nameSpan = TokenText.Span(One<IdentContext>(c).Start);
        }
        string given = "", ask = "", output = "";
        long depth = 1;
        bool showWork = false, chain = false;
        foreach (var f in All<ReasonFieldContext>(c))
        {
            switch (f)
            {
                case ReasonGivenContext x:
                    given = Ref(One<RefExprContext>(x));
                    refs.RemoveAll(r => r.Kind == ReferenceKind.Value);
                    RefExprReferences(One<RefExprContext>(x), refs);
                    break;
                case ReasonAboutContext x:
                    about = Str(Tok(x, AxonLexer.STRING)!);
                    Placeholders(Tok(x, AxonLexer.STRING)!, refs);
                    break;
                case ReasonAskContext x:
                    ask = Str(Tok(x, AxonLexer.STRING)!);
                    Placeholders(Tok(x, AxonLexer.STRING)!, refs);
                    break;
                case ReasonDepthContext x:
                    depth = Int(Tok(x, AxonLexer.INTEGER)!);
                    values["depth"] = TokenText.Span(Tok(x, AxonLexer.INTEGER)!);
                    break;
                case ReasonShowWorkContext x: showWork = Bool(Tok(x, AxonLexer.BOOL)!); break;
                case ReasonChainContext x: chain = Bool(Tok(x, AxonLexer.BOOL)!); break;
                case ReasonOutputContext x:
                    output = One<IdentContext>(x).Start.Text;
                    refs.RemoveAll(r => r.Kind == ReferenceKind.Type);
                    refs.Add(Reference(One<IdentContext>(x), ReferenceKind.Type));
                    break;
                default: UnknownField(f, "reason", name.Length > 0 ? name : about); break;
            }
        }
        return new ReasonNode(name, about, given, depth, showWork, chain, ask, output, Span(c)) { NameSpan = nameSpan, References = refs, ValueSpans = values };
    }

    private static ValidateNode Validate(ValidateContext c)
    {
        var rules = new List<ValidateRule>();
        foreach (var r in All<ValidateRuleContext>(c))
        {
            string op = One<CmpOpContext>(r)?.GetText() ?? "";
            string value = One<AnyTokenContext>(r) != null ? TokenText.Value(One<AnyTokenContext>(r).Start) : "";
            string action, target = "";
            var parameters = new List<KeyValue>();
            switch (One<RuleActionContext>(r))
            {
                case RuleRefineContext x:
                    action = "refine";
                    var keys = All<WordContext>(x);
                    var values = All<AnyTokenContext>(x);
                    for (int i = 0; i < keys.Length && i < values.Length; i++)
                        parameters.Add(new KeyValue(Word(keys[i]), TokenText.Value(values[i].Start)));
                    break;
                case RuleRaiseContext x: action = "raise"; target = One<IdentContext>(x).Start.Text; break;
                case RuleWarnContext x: action = "warn"; target = Str(Tok(x, AxonLexer.STRING)!); break;
                default: action = TokenText.Value(One<RuleActionContext>(r).Start); break;
            }
            rules.Add(new ValidateRule(Word(One<WordContext>(r)), op, value, action, target, parameters, Span(r)));
        }
        return new ValidateNode(Dotted(One<DottedContext>(c)), One<IdentContext>(c).Start.Text, rules, Span(c))
        {
            References = new[] { Reference(One<DottedContext>(c), ReferenceKind.Value) },
        };
    }

    private RefineNode Refine(RefineContext c)
    {
        long max = 3;
        bool pass = true;
        string backoff = "none", exhaustion = "", target = "";
        foreach (var f in All<RefineFieldContext>(c))
        {
            switch (f)
            {
                case RefineMaxAttemptsContext x: max = Int(Tok(x, AxonLexer.INTEGER)!); break;
                case RefinePassContextContext x: pass = Bool(Tok(x, AxonLexer.BOOL)!); break;
                case RefineBackoffContext x: backoff = Word(One<WordContext>(x)); break;
                case RefineOnExhaustionContext x: (exhaustion, target) = Violation(One<ViolationActionContext>(x)); break;
                default: UnknownField(f, "refine", ""); break;
            }
        }
        return new RefineNode(max, pass, backoff, exhaustion, target, Span(c)) { ValueSpans = FieldValueSpans(All<RefineFieldContext>(c)) };
    }

    private WeaveNode Weave(WeaveContext c)
    {
        var sources = new List<string>();
        var refs = new List<NameReference>();
        foreach (var d in All<DottedContext>(c))
        {
            sources.Add(Dotted(d));
            refs.Add(Reference(d, ReferenceKind.Value));
        }
        string format = "", style = "";
        IReadOnlyList<string> priority = Array.Empty<string>();
        string target = One<IdentContext>(c).Start.Text;
        foreach (var f in All<WeaveFieldContext>(c))
        {
            switch (f)
            {
                case WeaveFormatContext x: format = One<IdentContext>(x).Start.Text; break;
                case WeavePriorityContext x: priority = Words(All<WordContext>(x)); break;
                case WeaveStyleContext x:
                    style = Str(Tok(x, AxonLexer.STRING)!);
                    Placeholders(Tok(x, AxonLexer.STRING)!, refs);
                    break;
                default: UnknownField(f, "weave", target); break;
            }
        }
        return new WeaveNode(sources, target, format, priority, style, Span(c)) { References = refs };
    }

    private static UseToolNode Use(UseToolContext c)
    {
        var refs = new List<NameReference> { Reference(One<IdentContext>(c), ReferenceKind.Tool) };
        if (One<WordContext>(c) is { } arg && arg.Start.Type == AxonLexer.STRING) Placeholders(arg.Start, refs);
        return new(One<IdentContext>(c).Start.Text, One<WordContext>(c) != null ? Word(One<WordContext>(c)) : "", Span(c)) { References = refs };
    }

    private ConditionalNode Conditional(IfStepContext c)
    {
        var steps = All<FlowStepContext>(c);
        return new ConditionalNode(Word(One<WordContext>(c)), One<CmpOpContext>(c)?.GetText() ?? "",
            One<AnyTokenContext>(c) != null ? TokenText.Value(One<AnyTokenContext>(c).Start) : "",
            steps.Length > 0 ? FlowStep(steps[0]) : null,
            steps.Length > 1 ? FlowStep(steps[1]) : null, Span(c));
    }

    private ParallelNode Parallel(ParBlockContext c)
    {
        var branches = new List<FlowStep>();
        foreach (var s in All<FlowStepContext>(c)) branches.Add(FlowStep(s));
        return new ParallelNode(branches, Span(c));
    }

    private static RunStmt Run(RunStmtContext c)
    {
        var args = new List<string>();
        var argSpans = new List<TextSpan>();
        var refs = new List<NameReference> { Reference(One<IdentContext>(c), ReferenceKind.Flow) };
        var values = new SpanMap();
        foreach (var a in All<RunArgContext>(c))
        {
            argSpans.Add(Span(One<RunArgValueContext>(a)));
            switch (One<RunArgValueContext>(a))
            {
                case ArgNameContext x:
                    args.Add(One<WordContext>(x) != null ? One<IdentContext>(x).Start.Text + "." + Word(One<WordContext>(x)) : One<IdentContext>(x).Start.Text);
                    break;
                case ArgOtherContext x:
                    args.Add(One<AnyTokenContext>(x) != null ? x.Start.Text + ":" + TokenText.Value(One<AnyTokenContext>(x).Start) : x.Start.Text);
                    break;
                case var x:
                    args.Add(TokenText.Value(x.Start));
                    break;
            }
        }
        string persona = "", context = "", onFailure = "", outputTo = "", effort = "";
        IReadOnlyList<string> anchors = Array.Empty<string>();
        var failureParams = new List<KeyValue>();
        var spans = new SpanMap();
        foreach (var m in All<RunModifierContext>(c))
        {
            spans[m.Start.Text] = Span(m);
            switch (m)
            {
                case RunAsContext x:
                    persona = One<IdentContext>(x).Start.Text;
                    refs.RemoveAll(r => r.Kind == ReferenceKind.Persona);
                    refs.Add(Reference(One<IdentContext>(x), ReferenceKind.Persona));
                    break;
                case RunWithinContext x:
                    context = One<IdentContext>(x).Start.Text;
                    refs.RemoveAll(r => r.Kind == ReferenceKind.Context);
                    refs.Add(Reference(One<IdentContext>(x), ReferenceKind.Context));
                    break;
                case RunConstrainedContext x:
                    anchors = Words(All<WordContext>(x));
                    refs.RemoveAll(r => r.Kind == ReferenceKind.Anchor);
                    foreach (var w in All<WordContext>(x)) refs.Add(new NameReference(Word(w), Word(w), ReferenceKind.Anchor, TokenText.Span(w.Start)));
                    break;
                case RunOutputToContext x: outputTo = Str(Tok(x, AxonLexer.STRING)!); break;
                case RunEffortContext x:
                    effort = Word(One<WordContext>(x));
                    values["effort"] = TokenText.Span(One<WordContext>(x).Start);
                    break;
                case RunOnFailureContext x:
                    failureParams = new List<KeyValue>();
                    switch (One<FailureStrategyContext>(x))
                    {
                        case FailureRetryContext r:
                            onFailure = "retry";
                            var w = All<WordContext>(r);
                            for (int i = 0; i + 1 < w.Length; i += 2) failureParams.Add(new KeyValue(Word(w[i]), Word(w[i + 1])));
                            break;
                        case FailureRaiseContext r:
                            onFailure = "raise";
                            failureParams.Add(new KeyValue("target", One<IdentContext>(r).Start.Text));
                            break;
                        case var r:
                            onFailure = TokenText.Value(r.Start);
                            break;
                    }
                    break;
            }
        }
        return new RunStmt(One<IdentContext>(c).Start.Text, args, persona, context, anchors, onFailure, failureParams, outputTo, effort, Span(c))
        {
            ModifierSpans = spans,
            ArgumentSpans = argSpans,
            NameSpan = TokenText.Span(One<IdentContext>(c).Start),
            References = refs,
            ValueSpans = values,
        };
    }

    private EpistemicBlock Epistemic(EpistemicBlockContext c)
    {
        var decls = new List<Declaration>();
        foreach (var d in All<DeclarationContext>(c)) decls.Add(Declaration(d));
        return new EpistemicBlock(c.Start.Text, decls, Span(c));
    }

    private void UnknownField(ParserRuleContext field, string kind, string owner)
    {
        string key = field.Start.Text;
        string where = owner.Length > 0 ? $"{kind} '{owner}'" : kind;
        _diagnostics.Add(new Diagnostic(DiagnosticCodes.UnknownField, DiagnosticSeverity.Warning, DiagnosticPhase.Type,
            $"Unknown field '{key}' in {where} is ignored", TokenText.Span(field.Start)));
    }

    private static TextSpan? NameSpanOf(ParserRuleContext c) => One<IdentContext>(c) is { } id ? TokenText.Span(id.Start) : null;

    // `key: value` fields: the span of everything after the colon, keyed by the field name (the last one wins, as values do).
    private static IReadOnlyDictionary<string, TextSpan> FieldValueSpans(ParserRuleContext[] fields)
    {
        if (fields.Length == 0) return SpanMap.Empty;
        var spans = new SpanMap();
        foreach (var f in fields)
        {
            if (f.ChildCount < 3 || f.Stop == null) continue;
            IToken? first = null;
            for (int i = 0; i < f.ChildCount && first == null; i++)
                if (f.GetChild(i) is ITerminalNode t && t.Symbol.Type == AxonLexer.COLON && i + 1 < f.ChildCount)
                    first = f.GetChild(i + 1) is ParserRuleContext pc ? pc.Start : ((ITerminalNode)f.GetChild(i + 1)).Symbol;
            if (first == null) continue;
            spans[f.Start.Text] = TextSpan.Cover(TokenText.Span(first), TokenText.Span(f.Stop));
        }
        return spans;
    }

    private static TextSpan Span(ParserRuleContext c)
    {
        var start = TokenText.Span(c.Start);
        var stop = c.Stop != null && c.Stop.TokenIndex >= c.Start.TokenIndex ? TokenText.Span(c.Stop) : start;
        return TextSpan.Cover(start, stop);
    }

    // The generated singular accessors enumerate children through a boxed enumerator (an allocation
    // per call); these index loops do not allocate.
    // Returns null only for an optional child that is absent (the builder runs on error-free trees).
    private static T One<T>(ParserRuleContext c) where T : class, IParseTree
    {
        int n = c.ChildCount;
        for (int i = 0; i < n; i++) if (c.GetChild(i) is T t) return t;
        return null!;
    }

    private static IToken? Tok(ParserRuleContext c, int type)
    {
        int n = c.ChildCount;
        for (int i = 0; i < n; i++) if (c.GetChild(i) is ITerminalNode t && t.Symbol.Type == type) return t.Symbol;
        return null;
    }

    // One pass over the children; the generated plural accessors were a fifth of the front end's time.
    private static T[] All<T>(ParserRuleContext c) where T : class, IParseTree
    {
        int n = c.ChildCount, count = 0;
        for (int i = 0; i < n; i++) if (c.GetChild(i) is T) count++;
        if (count == 0) return Array.Empty<T>();
        var result = new T[count];
        for (int i = 0, j = 0; i < n; i++) if (c.GetChild(i) is T t) result[j++] = t;
        return result;
    }

    private static string Word(WordContext w) => TokenText.Value(w.Start);

    private static IReadOnlyList<string> Words(WordContext[] words)
    {
        var list = new string[words.Length];
        for (int i = 0; i < words.Length; i++) list[i] = Word(words[i]);
        return list;
    }

    private static IReadOnlyList<string> Strings(ParserRuleContext c)
    {
        var list = new List<string>();
        for (int i = 0; i < c.ChildCount; i++)
            if (c.GetChild(i) is ITerminalNode t && t.Symbol.Type == AxonLexer.STRING) list.Add(Str(t.Symbol));
        return list;
    }

    private static string Str(IToken t) => TokenText.Unescape(t.Text);

    private static bool Bool(IToken t) => t.Text == "true";

    // Numbers may use any Unicode decimal digits, as Python's int()/float() accept them.
    private static double Float(IToken t)
    {
        string s = AsciiDigits(t.Text);
        return double.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v)
            ? v : 0;
    }

    private static long Int(IToken t)
    {
        string s = AsciiDigits(t.Text);
        if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)) return v;
        return s.StartsWith("-", StringComparison.Ordinal) ? long.MinValue : long.MaxValue;
    }

    private static string AsciiDigits(string text)
    {
        bool ascii = true;
        foreach (char c in text) if (c > 127) { ascii = false; break; }
        if (ascii) return text;
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '-' || c == '.') { sb.Append(c); continue; }
            double n = char.IsSurrogatePair(text, i) ? CharUnicodeInfo.GetNumericValue(text, i) : char.GetNumericValue(c);
            if (char.IsSurrogatePair(text, i)) i++;
            sb.Append(n >= 0 && n <= 9 ? (char)('0' + (int)n) : '0');
        }
        return sb.ToString();
    }
}
