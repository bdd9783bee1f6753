using System.Collections.Generic;
using System.Linq;

namespace Axon.Language.Syntax;

/// <summary>
/// Error-tolerant parsing for editors, on the one parser: the top-level declarations that hold a lexical or
/// syntax error are blanked out (every character but line breaks becomes a space, so positions stay) and the
/// rest is parsed again. A half-typed file thus still yields the AST of every declaration that is complete.
/// </summary>
public static class TolerantParser
{
    private const int MaxRounds = 4;

    /// <summary>
    /// The AST of the complete declarations of <paramref name="text"/>, whose normal parse failed with the
    /// <paramref name="diagnostics"/> given (its tokens are <paramref name="tokens"/>, from <see cref="SourceTokens.Lex"/>).
    /// Null only when nothing could be recovered. Never throws.
    /// </summary>
    public static ProgramNode? Parse(string text, IReadOnlyList<SourceToken> tokens, IReadOnlyList<Diagnostic> diagnostics)
    {
        try
        {
            var regions = Regions(tokens, text.Length);
            var blanked = new HashSet<int>();
            IReadOnlyList<Diagnostic> errors = diagnostics;
            char[]? buffer = null;
            for (int round = 0; round < MaxRounds; round++)
            {
                bool changed = false;
                foreach (var d in errors.Where(d => d.IsError))
                {
                    var (r, atStart) = RegionOf(regions, tokens, d.Span);
                    // An error at the first token of a declaration usually means the one before it is unfinished.
                    if (atStart && r > 0 && blanked.Add(r - 1)) changed = true;
                    else if (blanked.Add(r)) changed = true;
                }
                if (!changed) return null;
                buffer ??= text.ToCharArray();
                foreach (int r in blanked)
                {
                    for (int i = regions[r].Start; i < regions[r].End; i++)
                        if (buffer[i] != '\n' && buffer[i] != '\r') buffer[i] = ' ';
                }
                var again = SyntaxParser.Parse(new string(buffer));
                if (again.Program != null) return again.Program;
                errors = again.Diagnostics;
            }
        }
        catch (System.Exception ex) when (ex is not System.OutOfMemoryException)
        {
            // Recovery is a convenience; a failure leaves the editor without an AST, never without a server.
        }
        return null;
    }

    // A region runs from one top-level declaration keyword to the next. A declaration keyword counts as
    // top-level at brace depth 0, or at the start of a line when a name or `{` follows: a half-typed block
    // never closes its braces, and must not swallow the declarations below it.
    private static List<(int Start, int End, int FirstToken)> Regions(IReadOnlyList<SourceToken> tokens, int textLength)
    {
        var starts = new List<(int Offset, int Token)> { (0, 0) };
        int depth = 0;
        for (int i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (t.Text == "{" && t.Kind == SourceTokenKind.Punctuation) depth++;
            else if (t.Text == "}" && t.Kind == SourceTokenKind.Punctuation) depth--;
            if (i == 0 || !IsDeclarationKeyword(t)) continue;
            bool lineStart = t.Span.StartColumn == 1;
            bool nameFollows = i + 1 < tokens.Count && (tokens[i + 1].IsName || tokens[i + 1].Text == "{");
            if (depth <= 0 || (lineStart && nameFollows))
            {
                starts.Add((t.Start, i));
                depth = 0;
            }
        }
        var regions = new List<(int, int, int)>(starts.Count);
        for (int i = 0; i < starts.Count; i++)
            regions.Add((starts[i].Offset, i + 1 < starts.Count ? starts[i + 1].Offset : textLength, starts[i].Token));
        return regions;
    }

    private static (int Region, bool AtStart) RegionOf(List<(int Start, int End, int FirstToken)> regions, IReadOnlyList<SourceToken> tokens, TextSpan span)
    {
        // The region whose first token starts at or before the error's position (errors at end of input fall in the last).
        int found = 0;
        bool atStart = false;
        for (int r = 1; r < regions.Count; r++)
        {
            var first = tokens[regions[r].FirstToken].Span;
            if (first.StartLine < span.StartLine || (first.StartLine == span.StartLine && first.StartColumn <= span.StartColumn))
            {
                found = r;
                atStart = first.StartLine == span.StartLine && first.StartColumn == span.StartColumn;
            }
            else break;
        }
        return (found, atStart);
    }

    private static bool IsDeclarationKeyword(SourceToken t) => t.Kind == SourceTokenKind.Keyword && t.Text is "persona" or "context"
        or "anchor" or "memory" or "tool" or "type" or "flow" or "intent" or "run" or "import" or "know" or "believe" or "speculate" or "doubt";
}
