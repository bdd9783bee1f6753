using System;
using System.Collections.Generic;
using System.Linq;
using Axon.Language.IR;
using Axon.Language.Semantics;
using Axon.Language.Syntax;

namespace Axon.Language;

/// <summary>
/// What can still be generated from a file with errors: the IR of the declarations that are valid on their own, and the
/// signatures of the flows that are not (so C# that calls them still compiles; the generator makes their methods throw).
/// </summary>
public sealed class RecoveredProgram
{
    internal RecoveredProgram(IrProgram ir, IReadOnlyList<IrFlow> brokenFlows)
    {
        Ir = ir;
        BrokenFlows = brokenFlows;
    }

    /// <summary>The IR of the valid declarations (it passes every check and IR generation on its own).</summary>
    public IrProgram Ir { get; }

    /// <summary>Flows left out because of their own errors: name, parameters and return type only (no steps).</summary>
    public IReadOnlyList<IrFlow> BrokenFlows { get; }
}

/// <summary>
/// Finds the valid declarations of a file with errors. A declaration is broken when an error lies inside it (a syntax error
/// leaves it out of the recovered AST altogether); the rest is checked and lowered again, and declarations that become
/// broken because they use a removed one (a run of a removed flow) are removed in turn, until the rest is error-free.
/// </summary>
internal static class Recovery
{
    private const int MaxRounds = 16;

    public static RecoveredProgram? Recover(IReadOnlyList<Declaration> declarations, IReadOnlyList<Declaration> all, IEnumerable<Diagnostic> errors)
    {
        var current = declarations.ToList();
        var pending = errors.Where(e => e.IsError).ToList();
        for (int round = 0; round < MaxRounds; round++)
        {
            if (pending.Count > 0)
            {
                int before = Count(current);
                current = Remove(current, pending);
                // A later round's error outside every remaining declaration: nothing safe to generate. (The file's own errors
                // may lie in declarations that were never recovered, e.g. syntax errors.)
                if (round > 0 && Count(current) == before) return null;
            }
            var program = new ProgramNode(current, new TextSpan(1, 1, 1, 1));
            pending = Checker.Check(program).Where(d => d.IsError).ToList();
            if (pending.Count > 0) continue;
            var ir = IrGenerator.Generate(program);
            if (ir.Program is { } valid)
            {
                var broken = BrokenFlows(all, valid);
                bool empty = valid.Personas.Count + valid.Contexts.Count + valid.Anchors.Count + valid.Tools.Count + valid.Memories.Count
                    + valid.Types.Count + valid.Flows.Count + broken.Count == 0;
                return empty ? null : new RecoveredProgram(valid, broken);
            }
            pending = ir.Diagnostics.Where(d => d.IsError).ToList();
        }
        return null;
    }

    private static int Count(IReadOnlyList<Declaration> declarations)
    {
        int n = 0;
        foreach (var d in declarations) n += d is EpistemicBlock b ? 1 + Count(b.Declarations) : 1;
        return n;
    }

    private static List<Declaration> Remove(IReadOnlyList<Declaration> declarations, List<Diagnostic> errors)
    {
        var kept = new List<Declaration>(declarations.Count);
        foreach (var d in declarations)
        {
            if (d is EpistemicBlock block)
            {
                // Only the broken declarations inside a block go; the block keeps the others.
                var inner = Remove(block.Declarations, errors);
                bool blockError = errors.Any(e => Inside(e, block) && !block.Declarations.Any(x => Inside(e, x)));
                if (!blockError) kept.Add(block with { Declarations = inner });
                continue;
            }
            if (!errors.Any(e => Inside(e, d))) kept.Add(d);
        }
        return kept;
    }

    private static bool Inside(Diagnostic e, AstNode node) => Contains(node.Span, e.ReferenceSpan) || Contains(node.Span, e.Span);

    private static bool Contains(TextSpan outer, TextSpan at) =>
        Before(outer.StartLine, outer.StartColumn, at.StartLine, at.StartColumn) && Before(at.StartLine, at.StartColumn, outer.EndLine, outer.EndColumn);

    private static bool Before(int l1, int c1, int l2, int c2) => l1 < l2 || (l1 == l2 && c1 <= c2);

    // Every flow of the file (parsed) that did not make it into the valid IR, as a signature.
    private static IReadOnlyList<IrFlow> BrokenFlows(IReadOnlyList<Declaration> all, IrProgram valid)
    {
        var generated = new HashSet<string>(valid.Flows.Select(f => f.Name), StringComparer.Ordinal);
        var broken = new List<IrFlow>();
        void visit(IReadOnlyList<Declaration> ds, string mode)
        {
            foreach (var d in ds)
            {
                if (d is EpistemicBlock b) { visit(b.Declarations, b.Mode); continue; }
                if (d is not FlowDecl f || !generated.Add(f.Name)) continue;
                var parameters = f.Parameters.Select(p => new IrParameter(p.Span.StartLine, p.Span.StartColumn, p.Name, p.Type.Name, p.Type.Generic, p.Type.Optional)).ToList();
                broken.Add(new IrFlow(f.Span.StartLine, f.Span.StartColumn, f.Name, parameters, f.ReturnType?.Name ?? "", f.ReturnType?.Generic ?? "",
                    f.ReturnType?.Optional ?? false, Array.Empty<IrNode>(), Array.Empty<IrDataEdge>(), Array.Empty<IReadOnlyList<string>>()) { EpistemicMode = mode });
            }
        }
        visit(all, "");
        return broken;
    }
}
