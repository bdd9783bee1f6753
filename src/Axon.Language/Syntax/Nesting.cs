using System.Collections.Generic;
using Antlr4.Runtime;
using Axon.Language.Parsing;

namespace Axon.Language.Syntax;

/// <summary>
/// The nesting limit: every stage (parser, AST builder, checker, IR lowering, IR JSON, the runtime's IR reader) recurses
/// once per level of <c>{ }</c>, <c>[ ]</c>, <c>( )</c> and <c>-&gt; if</c> chains, so input deeper than
/// <see cref="MaxDepth"/> levels is rejected with AXN1106 before any of them runs.
/// </summary>
public static class Nesting
{
    /// <summary>The deepest nesting accepted.</summary>
    public const int MaxDepth = 256;

    /// <summary>The first token that goes deeper than <see cref="MaxDepth"/>, or null.</summary>
    internal static IToken? FindTooDeep(IList<IToken> tokens)
    {
        int brackets = 0, chain = 0;
        int previous = TokenConstants.InvalidType;
        for (int i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (t.Channel != TokenConstants.DefaultChannel) continue;
            switch (t.Type)
            {
                case AxonLexer.LBRACE:
                case AxonLexer.LBRACKET:
                case AxonLexer.LPAREN:
                    brackets++;
                    break;
                case AxonLexer.RBRACE:
                case AxonLexer.RBRACKET:
                case AxonLexer.RPAREN:
                    if (brackets > 0) brackets--;
                    break;
                case AxonLexer.IF:
                    // `-> if` nests the new conditional inside the previous one (also `else -> if`); any other `if` starts a new chain.
                    chain = previous == AxonLexer.ARROW ? chain + 1 : 1;
                    break;
            }
            if (brackets + chain > MaxDepth) return t;
            previous = t.Type;
        }
        return null;
    }

    /// <summary>The depth of a flow body (steps inside if/else and par count one level each), computed without recursion.</summary>
    public static int Depth(IReadOnlyList<FlowStep> body)
    {
        // Most bodies nest nothing: their depth needs no stack (checker and IR lowering both ask, for every flow).
        bool nested = false;
        for (int i = 0; i < body.Count && !nested; i++) nested = body[i] is ConditionalNode or ParallelNode;
        if (!nested) return body.Count > 0 ? 1 : 0;
        int max = 0;
        var stack = new Stack<(FlowStep Step, int Depth)>();
        for (int i = 0; i < body.Count; i++) stack.Push((body[i], 1));
        while (stack.Count > 0)
        {
            var (s, d) = stack.Pop();
            if (d > max) max = d;
            if (d > MaxDepth) return d; // enough to know it is too deep
            switch (s)
            {
                case ConditionalNode c:
                    if (c.Then != null) stack.Push((c.Then, d + 1));
                    if (c.Else != null) stack.Push((c.Else, d + 1));
                    break;
                case ParallelNode p:
                    foreach (var b in p.Branches) stack.Push((b, d + 1));
                    break;
            }
        }
        return max;
    }

    /// <summary>AXN1106 for every flow of <paramref name="program"/> (epistemic blocks included) nested deeper than the limit.</summary>
    public static IReadOnlyList<Diagnostic> Check(ProgramNode program)
    {
        List<Diagnostic>? found = null;
        // Each block list with its own depth: a file with many sibling blocks is not deep.
        var blocks = new Stack<(IReadOnlyList<Declaration> Declarations, int Depth)>();
        blocks.Push((program.Declarations, 0));
        while (blocks.Count > 0)
        {
            var (declarations, depth) = blocks.Pop();
            foreach (var d in declarations)
            {
                if (d is EpistemicBlock b)
                {
                    if (depth + 1 > MaxDepth) (found ??= new List<Diagnostic>()).Add(TooDeep(b.Span));
                    else blocks.Push((b.Declarations, depth + 1));
                }
                else if (d is FlowDecl f && Depth(f.Body) > MaxDepth)
                    (found ??= new List<Diagnostic>()).Add(TooDeep(f.NameSpan ?? f.Span));
            }
        }
        return found ?? (IReadOnlyList<Diagnostic>)System.Array.Empty<Diagnostic>();
    }

    /// <summary>The AXN1106 diagnostic at <paramref name="span"/>.</summary>
    public static Diagnostic TooDeep(TextSpan span) =>
        new(DiagnosticCodes.NestingTooDeep, DiagnosticSeverity.Error, DiagnosticPhase.Parse,
            $"Nesting deeper than {MaxDepth} levels ({{ }}, [ ], ( ) or '-> if' chains); split the construct", span);
}
