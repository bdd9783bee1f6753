using System.Collections.Generic;
using System.IO;
using Antlr4.Runtime;
using Axon.Language.Parsing;

namespace Axon.Language.Syntax;

/// <summary>What a token is, as an editor sees it.</summary>
public enum SourceTokenKind
{
    /// <summary>A reserved word (<c>flow</c>, <c>step</c>, <c>as</c>, …).</summary>
    Keyword,
    /// <summary>A contextual word: a field name or action the language matches by text (<c>tone</c>, <c>raise</c>, …).</summary>
    ContextualWord,
    /// <summary>Any other identifier.</summary>
    Identifier,
    /// <summary>A string literal (terminated or not).</summary>
    String,
    /// <summary>An integer or decimal number.</summary>
    Number,
    /// <summary>A number with a unit (<c>30s</c>).</summary>
    Duration,
    /// <summary><c>true</c> or <c>false</c>.</summary>
    Boolean,
    /// <summary>Brackets, separators and operators.</summary>
    Punctuation,
    /// <summary>A character that starts no token.</summary>
    Other,
}

/// <summary>
/// A token of the front end's lexer with its position: <see cref="Span"/> as diagnostics give it (1-based,
/// code points), <see cref="Start"/> and <see cref="Length"/> in UTF-16 units of the text.
/// </summary>
public readonly record struct SourceToken(SourceTokenKind Kind, string Text, TextSpan Span, int Start, int Length)
{
    /// <summary>True for tokens that can name a declaration (identifiers and contextual words).</summary>
    public bool IsName => Kind is SourceTokenKind.Identifier or SourceTokenKind.ContextualWord;

    /// <summary>The UTF-16 offset just past the token.</summary>
    public int End => Start + Length;
}

/// <summary>The front end's lexer (the ANTLR lexer of <c>grammar/Axon.g4</c>) as a flat token list for editors.</summary>
public static class SourceTokens
{
    /// <summary>Lexes <paramref name="text"/> (comments and whitespace dropped); never throws. At most <paramref name="maxTokens"/> tokens.</summary>
    public static IReadOnlyList<SourceToken> Lex(string text, int maxTokens = int.MaxValue)
    {
        var result = new List<SourceToken>();
        bool surrogates = false;
        foreach (char c in text)
            if (char.IsSurrogate(c)) { surrogates = true; break; }
        ICharStream input = surrogates ? CharStreams.fromString(text) : new LexerCharStream(text);
        var lexer = new AxonLexer(input, TextWriter.Null, TextWriter.Null);
        lexer.RemoveErrorListeners();
        // Code-point index → UTF-16 offset, needed only when the text has surrogate pairs.
        int[]? offsets = surrogates ? CodePointOffsets(text) : null;
        try
        {
            while (result.Count < maxTokens)
            {
                var t = lexer.NextToken();
                if (t.Type == TokenConstants.EOF) break;
                if (t.Channel != TokenConstants.DefaultChannel || t.Type == AxonLexer.UNTERMINATED_COMMENT) continue;
                int start = offsets == null ? t.StartIndex : offsets[t.StartIndex];
                int end = offsets == null ? t.StopIndex + 1 : offsets[t.StopIndex + 1];
                result.Add(new SourceToken(KindOf(t.Type), t.Text ?? "", TokenText.Span(t), start, end - start));
                if (lexer.StoppedEarly) break;
            }
        }
        catch (System.Exception ex) when (ex is not System.OutOfMemoryException)
        {
            // The lexer never throws on valid or invalid text; a bug must not take an editor down: keep what was lexed.
        }
        return result;
    }

    private static int[] CodePointOffsets(string text)
    {
        var offsets = new List<int>(text.Length + 1);
        for (int i = 0; i < text.Length; i++)
        {
            offsets.Add(i);
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
        }
        offsets.Add(text.Length);
        return offsets.ToArray();
    }

    private static SourceTokenKind KindOf(int type) => type switch
    {
        AxonLexer.IDENT => SourceTokenKind.Identifier,
        AxonLexer.STRING or AxonLexer.UNTERMINATED_STRING => SourceTokenKind.String,
        AxonLexer.INTEGER or AxonLexer.FLOAT => SourceTokenKind.Number,
        AxonLexer.DURATION => SourceTokenKind.Duration,
        AxonLexer.BOOL => SourceTokenKind.Boolean,
        >= AxonLexer.PERSONA and <= AxonLexer.OUTPUT => SourceTokenKind.Keyword,
        >= AxonLexer.DOMAIN and <= AxonLexer.UNTIL => SourceTokenKind.ContextualWord,
        >= AxonLexer.LBRACE and <= AxonLexer.BAD_BANG => SourceTokenKind.Punctuation,
        _ => SourceTokenKind.Other,
    };
}
