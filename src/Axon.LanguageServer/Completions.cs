using System.Text.RegularExpressions;
using Axon.Language.Semantics;
using Axon.Language.Syntax;
using Axon.LanguageServer.Protocol;
using Range = Axon.LanguageServer.Protocol.Range;

namespace Axon.LanguageServer;

/// <summary>
/// Completion at a cursor: the front end's lexer reads the text of the enclosing top-level declaration up to the
/// cursor (so a half-typed declaration works), the open blocks tell which fields or statements are valid, and the
/// last tokens tell whether a value or a declared name is expected.
/// </summary>
internal static class Completions
{
    private const int MaxWindow = 64 * 1024;
    private const int Snippet = 2;
    private static readonly Regex TopLevelLine = new(@"^(persona|context|anchor|memory|tool|type|flow|intent|run|import|know|believe|speculate|doubt)\b(?!\s*:)",
        RegexOptions.CultureInvariant | RegexOptions.Multiline);

    public static CompletionList Complete(Workspace ws, string text, int offset, Analysis? latest)
    {
        int start = WindowStart(text, offset);
        var tokens = SourceTokens.Lex(text.Substring(start, offset - start)).ToList();
        var items = new List<CompletionItem>();

        // Inside a string: only {{placeholders}} complete.
        if (tokens.Count > 0 && tokens[^1].Kind == SourceTokenKind.String && tokens[^1].End == offset - start && !IsClosedString(tokens[^1].Text))
        {
            string s = tokens[^1].Text;
            int open = s.LastIndexOf("{{", StringComparison.Ordinal);
            if (open >= 0 && s.IndexOf("}}", open, StringComparison.Ordinal) < 0)
                AddLocals(items, tokens, latest, placeholder: true);
            return new CompletionList(false, items.ToArray());
        }
        // The word being typed is not context.
        if (tokens.Count > 0 && tokens[^1].End == offset - start && (tokens[^1].IsName || tokens[^1].Kind is SourceTokenKind.Keyword or SourceTokenKind.Boolean))
            tokens.RemoveAt(tokens.Count - 1);

        var blocks = Blocks(tokens);
        var block = blocks.Count > 0 ? blocks.Peek() : BlockKind.TopLevel;
        var last = tokens.Count > 0 ? tokens[^1] : default;
        var before = tokens.Count > 1 ? tokens[^2] : default;
        string lastText = tokens.Count > 0 ? last.Text : "";

        switch (lastText)
        {
            case "as": AddGlobals(items, ws, latest, SymbolKind.Persona); return Done(items);
            case "within": AddGlobals(items, ws, latest, SymbolKind.Context); return Done(items);
            case "use": AddGlobals(items, ws, latest, SymbolKind.Tool); return Done(items);
            case "run" when block == BlockKind.TopLevel: AddGlobals(items, ws, latest, SymbolKind.Flow); return Done(items);
            case "from": AddGlobals(items, ws, latest, SymbolKind.Memory); return Done(items);
            case "against": AddTypes(items, ws, latest); return Done(items);
            case "probe" or "validate": AddLocals(items, tokens, latest, placeholder: false); return Done(items);
        }
        if (InConstrainedBy(tokens)) { AddGlobals(items, ws, latest, SymbolKind.Anchor); return Done(items); }
        if (lastText == "->")
        {
            if (block == BlockKind.Validate) AddWords(items, ["pass", "raise", "warn", "refine"], CompletionItemKindCode.Keyword, "rule action");
            else if (IsRememberArrow(tokens)) AddGlobals(items, ws, latest, SymbolKind.Memory);
            else if (block == BlockKind.TopLevel) AddTypes(items, ws, latest);
            else AddStatements(items);
            return Done(items);
        }
        if (lastText == ":" && tokens.Count > 1)
        {
            string key = before.Text;
            if (block is BlockKind.TopLevel or BlockKind.Type)
            {
                if (key == "effort") AddWords(items, Checker.ValidEfforts, CompletionItemKindCode.EnumMember, "effort");
                else if (key == "on_failure") AddWords(items, ["retry", "raise", "escalate", "log"], CompletionItemKindCode.Keyword, "on_failure");
                else if (key != "output_to") AddTypes(items, ws, latest); // a parameter or a type field
                return Done(items);
            }
            if (Catalog.Field(block, key) is { } field)
            {
                switch (field.Value)
                {
                    case ValueKind.Enum: AddWords(items, field.Values!, CompletionItemKindCode.EnumMember, key); break;
                    case ValueKind.Action:
                        foreach (var v in field.Values!)
                            items.Add(Item(v, CompletionItemKindCode.EnumMember, key, null, v switch
                            {
                                "raise" => "raise ${1:ErrorName}",
                                "fallback" => "fallback(\"${1:answer}\")",
                                _ => null,
                            }));
                        break;
                    case ValueKind.Boolean: AddWords(items, ["true", "false"], CompletionItemKindCode.Value, key); break;
                    case ValueKind.TypeName: AddTypes(items, ws, latest); break;
                    case ValueKind.Reference: AddLocals(items, tokens, latest, placeholder: false); break;
                }
            }
            return Done(items);
        }
        if (lastText is "," or "[" && block == BlockKind.Step && InGiven(tokens)) { AddLocals(items, tokens, latest, placeholder: false); return Done(items); }

        // The start of a field or statement.
        switch (block)
        {
            case BlockKind.TopLevel:
                AddDeclarations(items);
                if (InRunStatement(tokens))
                    foreach (var (kw, doc) in Catalog.RunModifiers)
                        items.Add(Item(kw.TrimEnd(':'), CompletionItemKindCode.Keyword, "run modifier", doc, kw.EndsWith(':') ? kw + " " : null, sort: "0"));
                break;
            case BlockKind.FlowBody:
                AddStatements(items);
                break;
            case BlockKind.Step:
                AddFields(items, BlockKind.Step);
                foreach (var kw in new[] { "use", "probe", "reason", "weave" })
                {
                    var st = Catalog.FlowStatements.First(s => s.Keyword == kw);
                    items.Add(Item(kw, CompletionItemKindCode.Keyword, "step item", st.Doc, st.Snippet));
                }
                break;
            case BlockKind.Validate:
                items.Add(Item("if", CompletionItemKindCode.Keyword, "rule", "A rule: if condition [op value] -> action", "if ${1:condition} -> ${2:pass}"));
                break;
            case BlockKind.Type:
                break;
            default:
                AddFields(items, block);
                break;
        }
        return Done(items);
    }

    private static CompletionList Done(List<CompletionItem> items) => new(false, items.ToArray());

    private static bool IsClosedString(string literal) => literal.Length >= 2 && literal[^1] == '"' && (literal.Length - 2 - CountTrailingBackslashes(literal)) >= 0 && CountTrailingBackslashes(literal) % 2 == 0;

    private static int CountTrailingBackslashes(string literal)
    {
        int n = 0;
        for (int i = literal.Length - 2; i >= 1 && literal[i] == '\\'; i--) n++;
        return n;
    }

    // The start of the top-level declaration around the cursor: the whole text when it is small, else the last
    // line that begins with a declaration keyword (top-level declarations start at column 0 in practice).
    private static int WindowStart(string text, int offset)
    {
        if (offset <= MaxWindow) return 0;
        int from = offset - MaxWindow;
        int found = from;
        foreach (Match m in TopLevelLine.Matches(text.Substring(from, offset - from))) found = from + m.Index;
        return found;
    }

    // The open blocks at the end of the tokens, innermost on top.
    private static Stack<BlockKind> Blocks(List<SourceToken> tokens)
    {
        var stack = new Stack<BlockKind>();
        for (int i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (t.Kind != SourceTokenKind.Punctuation) continue;
            if (t.Text == "{") stack.Push(KindOfBrace(tokens, i));
            else if (t.Text == "}" && stack.Count > 0) stack.Pop();
        }
        return stack;
    }

    private static BlockKind KindOfBrace(List<SourceToken> tokens, int brace)
    {
        for (int j = brace - 1; j >= 0 && j >= brace - 40; j--)
        {
            var t = tokens[j];
            if (t.Kind == SourceTokenKind.Punctuation && t.Text is "{" or "}") break;
            if (t.Kind == SourceTokenKind.Punctuation && t.Text == ":") return BlockKind.Unknown; // an unknown field's { … } value
            if (t.Kind != SourceTokenKind.Keyword) continue;
            // `memory` is also a context field (`memory: session`); as a keyword it is followed by a name.
            switch (t.Text)
            {
                case "persona": return BlockKind.Persona;
                case "context": return BlockKind.Context;
                case "anchor": return BlockKind.Anchor;
                case "memory": return BlockKind.Memory;
                case "tool": return BlockKind.Tool;
                case "type": return BlockKind.Type;
                case "intent": return BlockKind.Intent;
                case "flow" or "par": return BlockKind.FlowBody;
                case "step": return BlockKind.Step;
                case "reason": return BlockKind.Reason;
                case "validate": return BlockKind.Validate;
                case "refine": return BlockKind.Refine;
                case "weave": return BlockKind.Weave;
                case "know" or "believe" or "speculate" or "doubt": return BlockKind.TopLevel;
            }
        }
        return BlockKind.Unknown;
    }

    private static bool InConstrainedBy(List<SourceToken> tokens)
    {
        for (int i = tokens.Count - 1; i >= 0; i--)
        {
            var t = tokens[i];
            if (t.Text == "constrained_by") return i == tokens.Count - 1 || tokens[i + 1].Text == "[";
            if (t.Kind == SourceTokenKind.Punctuation && t.Text is "]" or "{" or "}" or "(" or ")") return false;
            if (t.Kind == SourceTokenKind.Keyword) return false;
        }
        return false;
    }

    private static bool InGiven(List<SourceToken> tokens)
    {
        for (int i = tokens.Count - 1; i >= 1; i--)
        {
            var t = tokens[i];
            if (t.Text == "[" && tokens[i - 1].Text == ":" && i >= 2 && tokens[i - 2].Text == "given") return true;
            if (t.Kind == SourceTokenKind.Punctuation && t.Text is "]" or "{" or "}") return false;
        }
        return false;
    }

    private static bool IsRememberArrow(List<SourceToken> tokens)
    {
        // remember ( x ) ->
        int n = tokens.Count;
        return n >= 5 && tokens[n - 2].Text == ")" && tokens[n - 5].Text == "remember";
    }

    private static bool InRunStatement(List<SourceToken> tokens)
    {
        for (int i = tokens.Count - 1; i >= 0; i--)
        {
            var t = tokens[i];
            if (t.Kind == SourceTokenKind.Punctuation && t.Text == "}") return false;
            if (t.Kind == SourceTokenKind.Keyword && t.Text == "run") return tokens.Skip(i).Any(x => x.Text == ")");
            if (t.Kind == SourceTokenKind.Keyword && t.Text is "persona" or "context" or "anchor" or "memory" or "tool" or "type" or "flow" or "intent" or "import") return false;
        }
        return false;
    }

    private static void AddDeclarations(List<CompletionItem> items)
    {
        foreach (var (kw, snippet, doc) in Catalog.Declarations)
            items.Add(Item(kw, CompletionItemKindCode.Keyword, "declaration", doc, snippet, sort: "1"));
    }

    private static void AddStatements(List<CompletionItem> items)
    {
        foreach (var (kw, snippet, doc) in Catalog.FlowStatements)
            items.Add(Item(kw, CompletionItemKindCode.Keyword, "statement", doc, snippet));
    }

    private static void AddFields(List<CompletionItem> items, BlockKind block)
    {
        if (!Catalog.Fields.TryGetValue(block, out var fields)) return;
        foreach (var f in fields)
        {
            string doc = f.Doc + (f.Values != null ? "\n\nValues: " + string.Join(", ", f.Values) : "");
            items.Add(Item(f.Name, CompletionItemKindCode.Property, block.ToString().ToLowerInvariant() + " field", doc, f.Name + ": "));
        }
    }

    private static void AddWords(List<CompletionItem> items, IEnumerable<string> words, int kind, string detail)
    {
        foreach (var w in words) items.Add(Item(w, kind, detail, null, null));
    }

    private static void AddTypes(List<CompletionItem> items, Workspace ws, Analysis? latest)
    {
        AddGlobals(items, ws, latest, SymbolKind.Type);
        foreach (var (name, meaning) in Catalog.BuiltinTypes)
            if (name is not ("Any" or "Never" or "CitedFact" or "HighConfidenceFact"))
                items.Add(Item(name, CompletionItemKindCode.Class, "built-in type", meaning, null, sort: "2"));
    }

    // Declared names of one kind: from the document's latest analysis and every other known file.
    private static void AddGlobals(List<CompletionItem> items, Workspace ws, Analysis? latest, SymbolKind kind)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        IEnumerable<Analysis> sources = latest != null ? new[] { latest }.Concat(ws.AllLatest().Where(a => a.Uri != latest.Uri)) : ws.AllLatest();
        foreach (var a in sources)
            foreach (var d in a.Symbols.Declarations)
                if (d.Kind == kind && seen.Add(d.Name))
                    items.Add(Item(d.Name, KindCode(kind), kind.ToString().ToLowerInvariant(), Features.Describe(d), null, sort: "0"));
    }

    // Parameters and steps of the flow around the cursor, read from the tokens (the flow may be half-typed),
    // completed by the latest analysis of the same flow.
    private static void AddLocals(List<CompletionItem> items, List<SourceToken> tokens, Analysis? latest, bool placeholder)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int flow = tokens.FindLastIndex(t => t.Kind == SourceTokenKind.Keyword && t.Text == "flow");
        if (flow < 0) return;
        string flowName = flow + 1 < tokens.Count ? tokens[flow + 1].Text : "";
        int i = flow + 2;
        if (i < tokens.Count && tokens[i].Text == "(")
        {
            for (i++; i + 1 < tokens.Count && tokens[i].Text != ")"; i++)
            {
                if (tokens[i].IsName && tokens[i + 1].Text == ":" && (tokens[i - 1].Text is "(" or ",") && seen.Add(tokens[i].Text))
                    items.Add(Item(tokens[i].Text, CompletionItemKindCode.Variable, "parameter", null, null, sort: "0"));
            }
        }
        for (; i + 1 < tokens.Count; i++)
        {
            if (tokens[i].Kind == SourceTokenKind.Keyword && tokens[i].Text is "step" or "reason" && tokens[i + 1].IsName && seen.Add(tokens[i + 1].Text))
                AddStep(items, tokens[i + 1].Text);
        }
        var known = latest?.Symbols.Declarations.FirstOrDefault(d => d.Kind == SymbolKind.Flow && d.Name == flowName);
        if (known == null) return;
        foreach (var c in known.Children)
        {
            if (!seen.Add(c.Name)) continue;
            if (c.Kind == SymbolKind.Parameter) items.Add(Item(c.Name, CompletionItemKindCode.Variable, "parameter", Features.Describe(c), null, sort: "0"));
            else if (c.Kind == SymbolKind.Step) AddStep(items, c.Name);
        }
    }

    private static void AddStep(List<CompletionItem> items, string name)
    {
        items.Add(Item(name, CompletionItemKindCode.Function, "step", null, null, sort: "0"));
        items.Add(Item(name + ".output", CompletionItemKindCode.Field, "step output", $"The output of step {name}.", null, sort: "0"));
    }

    private static int KindCode(SymbolKind k) => k switch
    {
        SymbolKind.Type => CompletionItemKindCode.Struct,
        SymbolKind.Flow => CompletionItemKindCode.Function,
        SymbolKind.Tool => CompletionItemKindCode.Interface,
        SymbolKind.Memory => CompletionItemKindCode.Module,
        SymbolKind.Anchor => CompletionItemKindCode.Constant,
        _ => CompletionItemKindCode.Class,
    };

    private static CompletionItem Item(string label, int kind, string? detail, string? doc, string? insert, string? sort = null) =>
        new(label, kind, detail, doc == null ? null : new MarkupContent("markdown", doc), insert,
            insert != null && insert.Contains('$') ? Snippet : null, sort == null ? null : sort + label, null);
}
