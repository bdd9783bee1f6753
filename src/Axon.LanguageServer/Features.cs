using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Axon.Language;
using Axon.Language.Semantics;
using Axon.Language.Syntax;
using Axon.LanguageServer.Protocol;
using Range = Axon.LanguageServer.Protocol.Range;

namespace Axon.LanguageServer;

/// <summary>Diagnostics, hover, navigation, rename, outline and folding over analyses.</summary>
internal static class Features
{
    private const int MaxDiagnostics = 1000;
    private static readonly Regex QuotedName = new(@"'([\p{L}_][\p{L}\p{N}_]*)'", RegexOptions.CultureInvariant);
    private static readonly Regex NamePattern = new(@"^[\p{L}_][\p{L}\p{N}_]*$", RegexOptions.CultureInvariant);

    // ───────────── diagnostics ─────────────

    public static PublishDiagnosticsParams Diagnostics(Analysis a)
    {
        var list = new List<LspDiagnostic>();
        if (a.Diagnostics.Count == 0) return new PublishDiagnosticsParams(a.Uri, a.Version, []); // no need to wait for the symbol table
        foreach (var d in a.Diagnostics)
        {
            if (list.Count >= MaxDiagnostics) break;
            var span = d.Span;
            // Where the front end still reports a whole declaration, underline its name instead of the whole block.
            foreach (var def in a.Symbols.Definitions)
                if (def.Span == span) { span = def.NameSpan; break; }
            var related = new List<DiagnosticRelatedInformation>();
            foreach (Match m in QuotedName.Matches(d.Message))
            {
                string name = m.Groups[1].Value;
                var def = a.Symbols.FindGlobal(name);
                if (def == null || def.NameSpan == span || related.Count >= 5) continue;
                if (related.Exists(r => r.Message.Contains("'" + name + "'", StringComparison.Ordinal))) continue;
                string what = d.Message.Contains("Duplicate", StringComparison.Ordinal) ? "first declared here" : "declared here";
                related.Add(new DiagnosticRelatedInformation(new Location(a.Uri, a.Lines.ToLsp(def.NameSpan)), $"'{name}' is {what}"));
            }
            list.Add(new LspDiagnostic(a.Lines.ToLsp(span), Severity(d.Severity), d.Code, "axon", d.Message,
                related.Count > 0 ? related.ToArray() : null));
        }
        return new PublishDiagnosticsParams(a.Uri, a.Version, list.ToArray());
    }

    private static int Severity(DiagnosticSeverity s) => s switch
    {
        DiagnosticSeverity.Error => DiagnosticSeverityCode.Error,
        DiagnosticSeverity.Warning => DiagnosticSeverityCode.Warning,
        _ => DiagnosticSeverityCode.Information,
    };

    // ───────────── navigation ─────────────

    /// <summary>The declaration a position names (a declaration's own name, or a use resolved here or in another file).</summary>
    public static (SymbolDefinition Definition, Analysis Where)? Resolve(Workspace ws, Analysis a, Position p)
    {
        var (line, col) = a.Lines.ToSource(p);
        var (def, reference) = a.Symbols.At(line, col);
        if (def != null) return (def, a);
        if (reference == null) return null;
        if (reference.Target != null) return (reference.Target, a);
        foreach (var other in ws.All())
        {
            if (other.Uri == a.Uri) continue;
            if (other.Symbols.FindGlobal(reference.Name) is { } found) return (found, other);
        }
        return null;
    }

    public static Location[] Definition(Workspace ws, Analysis a, Position p)
    {
        var r = Resolve(ws, a, p);
        return r is { } x ? [new Location(x.Where.Uri, x.Where.Lines.ToLsp(x.Definition.NameSpan))] : [];
    }

    /// <summary>Every use of a declaration, in its file and (for global names) in every other file that does not declare the name itself.</summary>
    public static List<(Analysis Where, TextSpan Span)> Uses(Workspace ws, SymbolDefinition def, Analysis home, bool includeDeclaration)
    {
        var uses = new List<(Analysis, TextSpan)>();
        if (includeDeclaration) uses.Add((home, def.NameSpan));
        IEnumerable<Analysis> scope = def.IsGlobal ? ws.All() : [home];
        foreach (var a in scope)
        {
            bool isHome = a.Uri == home.Uri;
            foreach (var r in a.Symbols.References)
            {
                if (r.Name != def.Name) continue;
                bool match = isHome ? r.Target != null && r.Target.NameSpan == def.NameSpan : def.IsGlobal && r.Target == null;
                if (match) uses.Add((a, r.Span));
            }
        }
        return uses;
    }

    public static Location[] References(Workspace ws, Analysis a, Position p, bool includeDeclaration)
    {
        if (Resolve(ws, a, p) is not { } x) return [];
        return Uses(ws, x.Definition, x.Where, includeDeclaration).Select(u => new Location(u.Where.Uri, u.Where.Lines.ToLsp(u.Span))).ToArray();
    }

    public static PrepareRenameResult? PrepareRename(Workspace ws, Analysis a, Position p)
    {
        if (Resolve(ws, a, p) is not { } x) return null;
        var (line, col) = a.Lines.ToSource(p);
        var (def, reference) = a.Symbols.At(line, col);
        var span = def?.NameSpan ?? reference!.Span;
        return new PrepareRenameResult(a.Lines.ToLsp(span), x.Definition.Name);
    }

    public static WorkspaceEdit? Rename(Workspace ws, Analysis a, Position p, string newName)
    {
        if (Resolve(ws, a, p) is not { } x) return null;
        var changes = new Dictionary<string, TextEdit[]>();
        foreach (var group in Uses(ws, x.Definition, x.Where, includeDeclaration: true).GroupBy(u => u.Where.Uri))
        {
            var lines = group.First().Where.Lines;
            changes[group.Key] = group.Select(u => u.Span).Distinct().Select(s => new TextEdit(lines.ToLsp(s), newName)).ToArray();
        }
        return new WorkspaceEdit(changes);
    }

    /// <summary>True for a name the language accepts as a declaration name.</summary>
    public static bool IsValidName(string? name)
    {
        if (name == null || !NamePattern.IsMatch(name)) return false;
        var tokens = SourceTokens.Lex(name);
        return tokens.Count == 1 && tokens[0].Kind == SourceTokenKind.Identifier;
    }

    // ───────────── hover ─────────────

    public static Hover? Hover(Workspace ws, Analysis a, Position p)
    {
        var (line, col) = a.Lines.ToSource(p);
        if (Resolve(ws, a, p) is { } x)
        {
            var (def, reference) = a.Symbols.At(line, col);
            var span = def?.NameSpan ?? reference!.Span;
            return new Hover(new MarkupContent("markdown", Describe(x.Definition)), a.Lines.ToLsp(span));
        }
        var token = TokenAt(a.Symbols.Tokens, line, col);
        if (token is not { } t) return null;
        string? text = null;
        if (t.Kind == SourceTokenKind.Identifier && Catalog.BuiltinTypes.TryGetValue(t.Text, out var meaning))
            text = $"```axon\n{t.Text}\n```\nBuilt-in semantic type. {meaning}";
        else if (t.IsName || t.Kind == SourceTokenKind.Keyword)
        {
            if (Catalog.AnyField(t.Text) is { } field)
                text = $"**{field.Name}:** {field.Doc}" + (field.Values != null ? "\n\nValues: " + string.Join(", ", field.Values.Select(v => "`" + v + "`")) : "");
            else if (Catalog.FlowStatements.FirstOrDefault(s => s.Keyword == t.Text) is { Keyword: not null } st)
                text = $"**{st.Keyword}** — {st.Doc}";
            else if (Catalog.Declarations.FirstOrDefault(s => s.Keyword == t.Text) is { Keyword: not null } decl)
                text = $"**{decl.Keyword}** — {decl.Doc}";
        }
        return text == null ? null : new Hover(new MarkupContent("markdown", text), a.Lines.ToLsp(t.Span));
    }

    private static SourceToken? TokenAt(IReadOnlyList<SourceToken> tokens, int line, int col)
    {
        int lo = 0, hi = tokens.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) / 2;
            var s = tokens[mid].Span;
            if (SymbolTable.Touches(s, line, col)) return tokens[mid];
            if (s.StartLine < line || (s.StartLine == line && s.StartColumn < col)) lo = mid + 1;
            else hi = mid - 1;
        }
        return null;
    }

    /// <summary>Markdown describing a declaration: its signature in a code block, then its settings.</summary>
    public static string Describe(SymbolDefinition d)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        void Code(string s) => sb.Append("```axon\n").Append(s).Append("\n```\n");
        void Row(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value)) sb.Append("- `").Append(key).Append("`: ").Append(value).Append('\n');
        }
        static string Num(double? v) => v?.ToString("0.0##", CultureInfo.InvariantCulture) ?? "";
        static string Bool(bool? v) => v == null ? "" : v.Value ? "true" : "false";
        static string Quote(string s) => s.Length == 0 ? "" : "\"" + s + "\"";
        static string List(IReadOnlyList<string> items) => items.Count == 0 ? "" : "[" + string.Join(", ", items) + "]";
        switch (d.Node)
        {
            case FlowDecl f:
                Code($"flow {f.Name}({string.Join(", ", f.Parameters.Select(x => x.Name + ": " + TypeText(x.Type)))})" + (f.ReturnType != null ? " -> " + TypeText(f.ReturnType) : ""));
                var steps = d.Children.Where(c => c.Kind == SymbolKind.Step).Select(c => c.Name).ToList();
                sb.Append(steps.Count == 0 ? "A flow with no named steps." : $"{steps.Count} step(s): {string.Join(" → ", steps)}").Append('\n');
                break;
            case StepNode s:
                Code($"step {s.Name}");
                sb.Append($"Step of flow `{d.Container?.Name}`.\n\n");
                Row("given", s.Given);
                Row("ask", Quote(s.Ask));
                if (s.UseTool != null) Row("use", $"{s.UseTool.ToolName}({s.UseTool.Argument})");
                Row("output", s.OutputType);
                Row("confidence_floor", Num(s.ConfidenceFloor));
                break;
            case ReasonNode r:
                Code($"reason {r.Name}");
                sb.Append($"Reasoning step of flow `{d.Container?.Name}`.\n\n");
                Row("given", r.Given);
                Row("ask", Quote(r.Ask));
                Row("depth", r.Depth.ToString(inv));
                Row("output", r.OutputType);
                break;
            case Parameter prm:
                Code($"{prm.Name}: {TypeText(prm.Type)}");
                sb.Append($"Parameter of flow `{d.Container?.Name}`.");
                if (Catalog.BuiltinTypes.TryGetValue(prm.Type.Name, out var pm)) sb.Append(' ').Append(pm);
                sb.Append('\n');
                break;
            case TypeField field:
                Code($"{field.Name}: {TypeText(field.Type)}");
                sb.Append($"Field of type `{d.Container?.Name}`.");
                if (Catalog.BuiltinTypes.TryGetValue(field.Type.Name, out var fm)) sb.Append(' ').Append(fm);
                sb.Append('\n');
                break;
            case TypeDecl t:
                if (t.RangeMin != null && t.RangeMax != null) Code($"type {t.Name}({Num(t.RangeMin)}..{Num(t.RangeMax)})");
                else if (t.Fields.Count > 0) Code($"type {t.Name} {{\n{string.Join("\n", t.Fields.Select(x => "  " + x.Name + ": " + TypeText(x.Type)))}\n}}");
                else Code($"type {t.Name}");
                if (t.WhereExpression.Length > 0) Row("where", t.WhereExpression);
                if (t.RangeMin != null && t.RangeMax != null) sb.Append("A number from ").Append(Num(t.RangeMin)).Append(" to ").Append(Num(t.RangeMax)).Append(".\n");
                break;
            case PersonaDecl p:
                Code($"persona {p.Name}");
                Row("domain", List(p.Domain.Select(Quote).ToList()));
                Row("tone", p.Tone);
                Row("confidence_threshold", Num(p.ConfidenceThreshold));
                Row("cite_sources", Bool(p.CiteSources));
                Row("refuse_if", List(p.RefuseIf));
                Row("language", Quote(p.Language));
                Row("description", Quote(p.Description));
                break;
            case ContextDecl c:
                Code($"context {c.Name}");
                Row("memory", c.MemoryScope);
                Row("language", Quote(c.Language));
                Row("depth", c.Depth);
                Row("max_tokens", c.MaxTokens?.ToString(inv));
                Row("temperature", Num(c.Temperature));
                Row("cite_sources", Bool(c.CiteSources));
                break;
            case AnchorDecl an:
                Code($"anchor {an.Name}");
                Row("require", an.Require);
                Row("reject", List(an.Reject));
                Row("enforce", an.Enforce);
                Row("confidence_floor", Num(an.ConfidenceFloor));
                Row("unknown_response", Quote(an.UnknownResponse));
                Row("on_violation", (an.OnViolation + " " + an.OnViolationTarget).Trim());
                break;
            case MemoryDecl m:
                Code($"memory {m.Name}");
                Row("store", m.Store);
                Row("backend", m.Backend);
                Row("retrieval", m.Retrieval);
                Row("decay", m.Decay);
                break;
            case ToolDecl tool:
                Code($"tool {tool.Name}");
                Row("provider", tool.Provider);
                Row("max_results", tool.MaxResults?.ToString(inv));
                Row("filter", tool.Filter);
                Row("timeout", tool.Timeout);
                Row("runtime", tool.Runtime);
                Row("sandbox", Bool(tool.Sandbox));
                break;
            case IntentDecl i:
                Code($"intent {i.Name}");
                Row("given", i.Given);
                Row("ask", Quote(i.Ask));
                if (i.Output != null) Row("output", TypeText(i.Output));
                Row("confidence_floor", Num(i.ConfidenceFloor));
                break;
            default:
                Code(d.Name);
                break;
        }
        return sb.ToString().TrimEnd('\n');
    }

    private static string TypeText(TypeExpr t) => t.Name + (t.Generic.Length > 0 ? "<" + t.Generic + ">" : "") + (t.Optional ? "?" : "");

    // ───────────── outline and folding ─────────────

    public static DocumentSymbol[] DocumentSymbols(Analysis a) => a.Symbols.Declarations.Select(d => Symbol(a, d)).ToArray();

    private static DocumentSymbol Symbol(Analysis a, SymbolDefinition d) =>
        new(d.Name, d.Kind.ToString().ToLowerInvariant(), SymbolKindCodeOf(d.Kind), a.Lines.ToLsp(d.Span), a.Lines.ToLsp(d.NameSpan),
            d.Children.Count > 0 ? d.Children.Select(c => Symbol(a, c)).ToArray() : null);

    public static int SymbolKindCodeOf(SymbolKind k) => k switch
    {
        SymbolKind.Flow => SymbolKindCode.Function,
        SymbolKind.Step => SymbolKindCode.Method,
        SymbolKind.Parameter => SymbolKindCode.Variable,
        SymbolKind.Type => SymbolKindCode.Struct,
        SymbolKind.Field => SymbolKindCode.Field,
        SymbolKind.Persona => SymbolKindCode.Object,
        SymbolKind.Context => SymbolKindCode.Namespace,
        SymbolKind.Anchor => SymbolKindCode.Constant,
        SymbolKind.Memory => SymbolKindCode.Module,
        SymbolKind.Tool => SymbolKindCode.Interface,
        _ => SymbolKindCode.Event,
    };

    /// <summary>Folds every bracketed block that spans lines (from the tokens, so a half-typed file folds too).</summary>
    public static FoldingRange[] FoldingRanges(Analysis a)
    {
        var result = new List<FoldingRange>();
        var open = new Stack<SourceToken>();
        foreach (var t in a.Symbols.Tokens)
        {
            if (t.Kind != SourceTokenKind.Punctuation) continue;
            if (t.Text is "{" or "[") open.Push(t);
            else if (t.Text is "}" or "]" && open.Count > 0)
            {
                var start = open.Pop();
                int startLine = a.Lines.ToLsp(start.Span).Start.Line, endLine = a.Lines.ToLsp(t.Span).Start.Line;
                if (endLine > startLine) result.Add(new FoldingRange(startLine, endLine, null));
            }
        }
        result.Sort((x, y) => x.StartLine.CompareTo(y.StartLine));
        return result.ToArray();
    }

    public static object[] WorkspaceSymbols(Workspace ws, string query)
    {
        var result = new List<object>();
        foreach (var a in ws.All())
            foreach (var d in a.Symbols.Declarations)
                if (query.Length == 0 || d.Name.Contains(query, StringComparison.OrdinalIgnoreCase))
                    result.Add(new { name = d.Name, kind = SymbolKindCodeOf(d.Kind), location = new Location(a.Uri, a.Lines.ToLsp(d.NameSpan)) });
        return result.Take(500).ToArray();
    }
}
