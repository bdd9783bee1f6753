using System.Text;
using Antlr4.Runtime;
using Axon.Language.Parsing;

namespace Axon.Language.Syntax;

/// <summary>Token values and positions as the reference reports them.</summary>
internal static class TokenText
{
    /// <summary>The token's value: the unescaped content for strings, the text otherwise.</summary>
    public static string Value(IToken token) =>
        token.Type == AxonLexer.STRING ? Unescape(token.Text) : token.Text ?? "";

    /// <summary>The content of a string literal with the reference's escapes applied (unknown escapes stand for the character).</summary>
    public static string Unescape(string literal)
    {
        int start = 1;
        int end = literal.Length;
        if (end >= 2 && literal[end - 1] == '"' && !EndsWithEscapedQuote(literal)) end--;
        if (literal.IndexOf('\\') < 0) return literal.Substring(start, end - start);
        var sb = new StringBuilder(end - start);
        for (int i = start; i < end; i++)
        {
            char c = literal[i];
            if (c == '\\' && i + 1 < end)
            {
                char n = literal[++i];
                sb.Append(n switch { 'n' => '\n', 't' => '\t', _ => n });
            }
            else if (c != '\\')
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }

    // An unterminated literal such as "abc\" ends in an escaped quote, not a closing one.
    private static bool EndsWithEscapedQuote(string literal)
    {
        int backslashes = 0;
        for (int i = literal.Length - 2; i >= 1 && literal[i] == '\\'; i--) backslashes++;
        return backslashes % 2 == 1;
    }

    /// <summary>The span of a token (1-based, columns in code points, end exclusive).</summary>
    public static TextSpan Span(IToken token)
    {
        int line = token.Line;
        int col = token.Column + 1;
        if (token.Type == TokenConstants.EOF) return new TextSpan(line, col, line, col);
        // Start/stop are code-point indexes; only a string literal (escaped newline) can span lines,
        // so the text is read only for those (reading it allocates).
        if (token.Type != AxonLexer.STRING && token.Type != AxonLexer.UNTERMINATED_STRING && token.Type != AxonLexer.UNTERMINATED_COMMENT)
            return new TextSpan(line, col, line, col + token.StopIndex - token.StartIndex + 1);
        string text = token.Text ?? "";
        if (text.IndexOf('\n') < 0) return new TextSpan(line, col, line, col + token.StopIndex - token.StartIndex + 1);
        int endLine = line, endCol = col;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\n') { endLine++; endCol = 1; }
            else if (!char.IsLowSurrogate(c)) endCol++;
        }
        return new TextSpan(line, col, endLine, endCol);
    }

    /// <summary>The reference's token type name (<c>IDENTIFIER</c>, <c>LBRACE</c>, keyword names …).</summary>
    public static string TypeName(int type)
    {
        if (type == TokenConstants.EOF) return "EOF";
        if (TokenClasses.IsContextualWord(type)) return "IDENTIFIER";
        return type switch
        {
            AxonLexer.IDENT => "IDENTIFIER",
            AxonLexer.BOOL => "BOOL",
            _ => AxonLexer.DefaultVocabulary.GetSymbolicName(type) ?? "UNKNOWN",
        };
    }
}

/// <summary>Token classes the grammar groups, for messages and counting.</summary>
internal static class TokenClasses
{
    private static readonly bool[] Contextual = Build(
        AxonLexer.DOMAIN, AxonLexer.TONE, AxonLexer.CONFIDENCE_THRESHOLD, AxonLexer.CITE_SOURCES, AxonLexer.REFUSE_IF,
        AxonLexer.LANGUAGE, AxonLexer.DESCRIPTION, AxonLexer.DEPTH, AxonLexer.MAX_TOKENS, AxonLexer.TEMPERATURE,
        AxonLexer.REQUIRE, AxonLexer.REJECT, AxonLexer.ENFORCE, AxonLexer.CONFIDENCE_FLOOR, AxonLexer.UNKNOWN_RESPONSE,
        AxonLexer.ON_VIOLATION, AxonLexer.RAISE, AxonLexer.WARN, AxonLexer.LOG, AxonLexer.ESCALATE, AxonLexer.FALLBACK,
        AxonLexer.STORE, AxonLexer.BACKEND, AxonLexer.RETRIEVAL, AxonLexer.DECAY, AxonLexer.PROVIDER, AxonLexer.MAX_RESULTS,
        AxonLexer.FILTER, AxonLexer.TIMEOUT, AxonLexer.RUNTIME, AxonLexer.SANDBOX, AxonLexer.SHOW_WORK,
        AxonLexer.CHAIN_OF_THOUGHT, AxonLexer.PASS, AxonLexer.MAX_ATTEMPTS, AxonLexer.PASS_FAILURE_CONTEXT,
        AxonLexer.BACKOFF, AxonLexer.ON_EXHAUSTION, AxonLexer.FORMAT, AxonLexer.PRIORITY, AxonLexer.STYLE,
        AxonLexer.RETRY, AxonLexer.UNTIL);

    private static readonly bool[] Keywords = Build(
        AxonLexer.PERSONA, AxonLexer.CONTEXT, AxonLexer.INTENT, AxonLexer.FLOW, AxonLexer.REASON, AxonLexer.ANCHOR,
        AxonLexer.VALIDATE, AxonLexer.REFINE, AxonLexer.MEMORY, AxonLexer.TOOL, AxonLexer.PROBE, AxonLexer.WEAVE,
        AxonLexer.STEP, AxonLexer.TYPE, AxonLexer.IMPORT, AxonLexer.RUN, AxonLexer.IF, AxonLexer.ELSE, AxonLexer.USE,
        AxonLexer.REMEMBER, AxonLexer.RECALL, AxonLexer.KNOW, AxonLexer.BELIEVE, AxonLexer.SPECULATE, AxonLexer.DOUBT,
        AxonLexer.PAR, AxonLexer.CONSOLIDATE, AxonLexer.HIBERNATE, AxonLexer.AS, AxonLexer.WITHIN, AxonLexer.CONSTRAINED_BY,
        AxonLexer.ON_FAILURE, AxonLexer.OUTPUT_TO, AxonLexer.EFFORT, AxonLexer.FOR, AxonLexer.INTO, AxonLexer.AGAINST,
        AxonLexer.ABOUT, AxonLexer.FROM, AxonLexer.WHERE, AxonLexer.GIVEN, AxonLexer.ASK, AxonLexer.OUTPUT);

    private static bool[] Build(params int[] types)
    {
        var set = new bool[AxonLexer.BAD_CHAR + 1];
        foreach (int t in types) set[t] = true;
        return set;
    }

    public static bool IsContextualWord(int type) => type >= 0 && type < Contextual.Length && Contextual[type];

    public static bool IsKeyword(int type) => type >= 0 && type < Keywords.Length && Keywords[type];

    public static bool IsIdent(int type) => type == AxonLexer.IDENT || IsContextualWord(type);

    public static bool IsWord(int type) => IsIdent(type) || IsKeyword(type) || type == AxonLexer.BOOL
        || type == AxonLexer.STRING || type == AxonLexer.INTEGER || type == AxonLexer.FLOAT;
}
