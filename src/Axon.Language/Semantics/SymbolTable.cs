using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;
using Axon.Language.Syntax;

namespace Axon.Language.Semantics;

/// <summary>What a declared name names.</summary>
public enum SymbolKind
{
    /// <summary>A <c>persona</c>.</summary>
    Persona,
    /// <summary>A <c>context</c>.</summary>
    Context,
    /// <summary>An <c>anchor</c>.</summary>
    Anchor,
    /// <summary>A <c>memory</c>.</summary>
    Memory,
    /// <summary>A <c>tool</c>.</summary>
    Tool,
    /// <summary>A <c>type</c>.</summary>
    Type,
    /// <summary>A <c>flow</c>.</summary>
    Flow,
    /// <summary>An <c>intent</c>.</summary>
    Intent,
    /// <summary>A flow parameter (visible in its flow).</summary>
    Parameter,
    /// <summary>A step, or a named <c>reason</c> (visible in its flow).</summary>
    Step,
    /// <summary>A field of a struct type.</summary>
    Field,
}

/// <summary>A declared name: where the name is, what it declares, and its children (parameters, steps, fields).</summary>
public sealed class SymbolDefinition
{
    internal SymbolDefinition(string name, SymbolKind kind, TextSpan nameSpan, AstNode node, SymbolDefinition? container)
    {
        Name = name;
        Kind = kind;
        NameSpan = nameSpan;
        Node = node;
        Container = container;
    }

    /// <summary>The name.</summary>
    public string Name { get; }

    /// <summary>What it declares.</summary>
    public SymbolKind Kind { get; }

    /// <summary>The span of the name token.</summary>
    public TextSpan NameSpan { get; }

    /// <summary>The whole declaration.</summary>
    public TextSpan Span => Node.Span;

    /// <summary>The AST node of the declaration.</summary>
    public AstNode Node { get; }

    /// <summary>The enclosing declaration (the flow of a step or parameter, the type of a field); null at top level.</summary>
    public SymbolDefinition? Container { get; }

    /// <summary>Parameters, steps and fields declared inside, in source order.</summary>
    public List<SymbolDefinition> Children { get; } = new();

    /// <summary>True for names visible in the whole program (and across files).</summary>
    public bool IsGlobal => Container == null;
}

/// <summary>A use of a name: a token (or a <c>{{placeholder}}</c> inside a string) that names a declaration.</summary>
public sealed class SymbolReference
{
    internal SymbolReference(string name, TextSpan span, SymbolDefinition? target, SymbolDefinition? scope)
    {
        Name = name;
        Span = span;
        Target = target;
        Scope = scope;
    }

    /// <summary>The name used.</summary>
    public string Name { get; }

    /// <summary>The span of the name.</summary>
    public TextSpan Span { get; }

    /// <summary>The declaration in this file it resolves to; null when none here does (another file may declare it).</summary>
    public SymbolDefinition? Target { get; }

    /// <summary>The flow the use is in, if any.</summary>
    public SymbolDefinition? Scope { get; }
}

/// <summary>
/// The per-document symbol table of editors: every declared name with the position of its name token, and every
/// use of a declared (or possibly declared elsewhere) name, resolved with flow-local names first. Built from the AST
/// (what is declared) and the lexer's tokens (where the names are); no second parser.
/// </summary>
public sealed class SymbolTable
{
    private static readonly Regex Placeholder = new(@"\{\{\s*([\p{L}_][\p{L}\p{N}_]*)", RegexOptions.CultureInvariant);

    private readonly Dictionary<string, SymbolDefinition> _globals = new(StringComparer.Ordinal);

    private SymbolTable(IReadOnlyList<SourceToken> tokens) => Tokens = tokens;

    /// <summary>The tokens of the document.</summary>
    public IReadOnlyList<SourceToken> Tokens { get; }

    /// <summary>The top-level declarations (those inside <c>know { … }</c> blocks included), in source order.</summary>
    public List<SymbolDefinition> Declarations { get; } = new();

    /// <summary>Every definition: top-level ones and their children.</summary>
    public List<SymbolDefinition> Definitions { get; } = new();

    /// <summary>Every use of a name that is not a definition, in source order.</summary>
    public List<SymbolReference> References { get; } = new();

    /// <summary>Builds the table of a document from its tokens and its (possibly partial) AST; never throws.</summary>
    public static SymbolTable Build(ProgramNode? program, IReadOnlyList<SourceToken> tokens)
    {
        var table = new SymbolTable(tokens);
        if (program == null) return table;
        try
        {
            table.Declare(program.Declarations);
            table.Resolve();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // An index is a convenience; a bug must leave an editor with less, not with a dead server.
        }
        return table;
    }

    /// <summary>The first global definition of <paramref name="name"/> in this document, or null.</summary>
    public SymbolDefinition? FindGlobal(string name) => _globals.TryGetValue(name, out var d) ? d : null;

    /// <summary>The flow (top-level definition) whose span contains the position, or null.</summary>
    public SymbolDefinition? EnclosingDeclaration(int line, int column)
    {
        foreach (var d in Declarations) if (Contains(d.Span, line, column)) return d;
        return null;
    }

    /// <summary>The definition or reference whose name contains the position (1-based line and code-point column).</summary>
    public (SymbolDefinition? Definition, SymbolReference? Reference) At(int line, int column)
    {
        foreach (var d in Definitions) if (Touches(d.NameSpan, line, column)) return (d, null);
        int lo = 0, hi = References.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) / 2;
            var s = References[mid].Span;
            if (Touches(s, line, column)) return (null, References[mid]);
            if (s.StartLine < line || (s.StartLine == line && s.StartColumn < column)) lo = mid + 1;
            else hi = mid - 1;
        }
        return (null, null);
    }

    /// <summary>Resolves <paramref name="name"/> as seen from inside <paramref name="scope"/> (a flow): its parameters and steps, then globals.</summary>
    public SymbolDefinition? Resolve(string name, SymbolDefinition? scope)
    {
        if (scope != null)
            foreach (var c in scope.Children) if (c.Name == name && c.Kind is SymbolKind.Parameter or SymbolKind.Step) return c;
        return FindGlobal(name);
    }

    /// <summary>True when the span contains the position, its end included (a cursor right after a name is on it).</summary>
    public static bool Touches(TextSpan s, int line, int column) =>
        (line > s.StartLine || (line == s.StartLine && column >= s.StartColumn)) && (line < s.EndLine || (line == s.EndLine && column <= s.EndColumn));

    /// <summary>True when the span contains the position (end included).</summary>
    public static bool Contains(TextSpan s, int line, int column) => Touches(s, line, column);

    private void Declare(IReadOnlyList<Declaration> declarations)
    {
        foreach (var d in declarations)
        {
            switch (d)
            {
                case EpistemicBlock block:
                    Declare(block.Declarations);
                    break;
                case FlowDecl flow:
                {
                    var f = Define(flow.Name, SymbolKind.Flow, flow, null, afterKeyword: true);
                    if (f == null) break;
                    foreach (var p in flow.Parameters) Add(new SymbolDefinition(p.Name, SymbolKind.Parameter, NameAt(p.Span, p.Name), p, f), f);
                    DeclareSteps(flow.Body, f);
                    break;
                }
                case TypeDecl type:
                {
                    var t = Define(type.Name, SymbolKind.Type, type, null, afterKeyword: true);
                    if (t == null) break;
                    foreach (var field in type.Fields) Add(new SymbolDefinition(field.Name, SymbolKind.Field, NameAt(field.Span, field.Name), field, t), t);
                    break;
                }
                case NamedDeclaration named:
                    Define(named.Name, KindOf(named), named, null, afterKeyword: true);
                    break;
            }
        }
    }

    private void DeclareSteps(IReadOnlyList<FlowStep> steps, SymbolDefinition flow)
    {
        foreach (var s in steps) DeclareStep(s, flow);
    }

    private void DeclareStep(FlowStep? step, SymbolDefinition flow)
    {
        switch (step)
        {
            case StepNode s:
                Define(s.Name, SymbolKind.Step, s, flow, afterKeyword: true);
                if (s.Reason != null) DeclareStep(s.Reason, flow);
                break;
            case ReasonNode r when r.Name.Length > 0 && r.About.Length == 0:
                Define(r.Name, SymbolKind.Step, r, flow, afterKeyword: true);
                break;
            case ParallelNode p:
                DeclareSteps(p.Branches, flow);
                break;
            case ConditionalNode c:
                DeclareStep(c.Then, flow);
                DeclareStep(c.Else, flow);
                break;
        }
    }

    private SymbolDefinition? Define(string name, SymbolKind kind, AstNode node, SymbolDefinition? container, bool afterKeyword)
    {
        if (name.Length == 0) return null;
        int i = TokenIndexAt(node.Span.StartLine, node.Span.StartColumn);
        var span = node.Span;
        // The name is the first name token after the keyword (the node's span starts at its keyword).
        for (int j = afterKeyword ? i + 1 : i; j >= 0 && j < Tokens.Count && j <= i + 3; j++)
        {
            if (Tokens[j].IsName && Tokens[j].Text == name) { span = Tokens[j].Span; break; }
        }
        var def = new SymbolDefinition(name, kind, span, node, container);
        Add(def, container);
        return def;
    }

    private void Add(SymbolDefinition def, SymbolDefinition? container)
    {
        if (container == null)
        {
            Declarations.Add(def);
            if (!_globals.ContainsKey(def.Name)) _globals[def.Name] = def; // the first declaration wins, as in the checker
        }
        else container.Children.Add(def);
        Definitions.Add(def);
    }

    private TextSpan NameAt(TextSpan span, string name)
    {
        // Parameters and type fields: the node's span is its name token.
        int i = TokenIndexAt(span.StartLine, span.StartColumn);
        return i >= 0 && i < Tokens.Count && Tokens[i].Text == name ? Tokens[i].Span : span;
    }

    // The index of the token starting at (line, column), or of the first token after it.
    private int TokenIndexAt(int line, int column)
    {
        int lo = 0, hi = Tokens.Count - 1, found = Tokens.Count;
        while (lo <= hi)
        {
            int mid = (lo + hi) / 2;
            var s = Tokens[mid].Span;
            if (s.StartLine > line || (s.StartLine == line && s.StartColumn >= column)) { found = mid; hi = mid - 1; }
            else lo = mid + 1;
        }
        return found;
    }

    private void Resolve()
    {
        var definitionStarts = new HashSet<(int, int)>();
        foreach (var d in Definitions) definitionStarts.Add((d.NameSpan.StartLine, d.NameSpan.StartColumn));
        int declarationIndex = 0;
        for (int i = 0; i < Tokens.Count; i++)
        {
            var t = Tokens[i];
            // The flow (or other top-level declaration) the token is in; tokens come in order, so the index only moves forward.
            while (declarationIndex < Declarations.Count && IsBefore(Declarations[declarationIndex].Span, t.Span)) declarationIndex++;
            SymbolDefinition? scope = declarationIndex < Declarations.Count && Contains(Declarations[declarationIndex].Span, t.Span.StartLine, t.Span.StartColumn)
                && Declarations[declarationIndex].Kind == SymbolKind.Flow ? Declarations[declarationIndex] : null;
            if (t.Kind == SourceTokenKind.String)
            {
                foreach (Match m in Placeholder.Matches(t.Text))
                {
                    var g = m.Groups[1];
                    var span = StringSlice(t, g.Index, g.Length);
                    References.Add(new SymbolReference(g.Value, span, Resolve(g.Value, scope), scope));
                }
                continue;
            }
            if (t.Kind != SourceTokenKind.Identifier) continue;
            if (definitionStarts.Contains((t.Span.StartLine, t.Span.StartColumn))) continue;
            if (i > 0 && Tokens[i - 1].Text == "." && Tokens[i - 1].Kind == SourceTokenKind.Punctuation) continue; // a member (Step.output, doc.title)
            if (i + 1 < Tokens.Count && Tokens[i + 1].Text == ":" && Tokens[i + 1].Kind == SourceTokenKind.Punctuation) continue; // a field key
            References.Add(new SymbolReference(t.Text, t.Span, Resolve(t.Text, scope), scope));
        }
    }

    private static bool IsBefore(TextSpan declaration, TextSpan token) =>
        declaration.EndLine < token.StartLine || (declaration.EndLine == token.StartLine && declaration.EndColumn <= token.StartColumn);

    // The span of text[index..index+length] inside a string token (which may continue over an escaped line break).
    private static TextSpan StringSlice(SourceToken t, int index, int length)
    {
        int line = t.Span.StartLine, col = t.Span.StartColumn;
        for (int i = 0; i < index; i++)
        {
            if (t.Text[i] == '\n') { line++; col = 1; }
            else if (!char.IsLowSurrogate(t.Text[i])) col++;
        }
        int endCol = col;
        for (int i = index; i < index + length; i++) if (!char.IsLowSurrogate(t.Text[i])) endCol++;
        return new TextSpan(line, col, line, endCol);
    }

    private static SymbolKind KindOf(NamedDeclaration d) => d switch
    {
        PersonaDecl => SymbolKind.Persona,
        ContextDecl => SymbolKind.Context,
        AnchorDecl => SymbolKind.Anchor,
        MemoryDecl => SymbolKind.Memory,
        ToolDecl => SymbolKind.Tool,
        TypeDecl => SymbolKind.Type,
        FlowDecl => SymbolKind.Flow,
        _ => SymbolKind.Intent,
    };
}
