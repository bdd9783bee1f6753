using Axon.Language.Syntax;

namespace Axon.Language.Tests.Syntax;

/// <summary>The lexical rules of reference §2, one edge case at a time.</summary>
public sealed class LexerTests
{
    private static IReadOnlyList<LexedToken> Tokens(string text)
    {
        var (tokens, diagnostics) = SyntaxParser.Lex(text);
        Assert.Empty(diagnostics);
        return tokens;
    }

    private static string Kinds(string text) => string.Join(" ", Tokens(text).Select(t => t.Type));

    private static Diagnostic SingleError(string text)
    {
        var (_, diagnostics) = SyntaxParser.Lex(text);
        return Assert.Single(diagnostics);
    }

    [Fact]
    public void EmptyInputIsOnlyEof()
    {
        var t = Assert.Single(Tokens(""));
        Assert.Equal(new LexedToken("EOF", "", 1, 1), t);
    }

    [Fact]
    public void EofIsPositionedAfterTheLastCharacter()
    {
        Assert.Equal(new LexedToken("EOF", "", 2, 3), Tokens("a\n  ").Last());
    }

    [Theory]
    [InlineData("persona", "PERSONA")]
    [InlineData("constrained_by", "CONSTRAINED_BY")]
    [InlineData("consolidate", "CONSOLIDATE")]
    [InlineData("output", "OUTPUT")]
    [InlineData("true", "BOOL")]
    [InlineData("false", "BOOL")]
    [InlineData("Persona", "IDENTIFIER")]
    [InlineData("domain", "IDENTIFIER")]
    [InlineData("raise", "IDENTIFIER")]
    [InlineData("until", "IDENTIFIER")]
    [InlineData("confidence_floor", "IDENTIFIER")]
    [InlineData("_x9", "IDENTIFIER")]
    [InlineData("café", "IDENTIFIER")]
    [InlineData("数据", "IDENTIFIER")]
    public void KeywordsAreCaseSensitiveAndFieldNamesAreIdentifiers(string text, string kind) =>
        Assert.Equal(kind + " EOF", Kinds(text));

    [Theory]
    [InlineData("007", "INTEGER:007")]
    [InlineData("-5", "INTEGER:-5")]
    [InlineData("-1.0", "FLOAT:-1.0")]
    [InlineData("0.5.6", "FLOAT:0.5 DOT:. INTEGER:6")]
    [InlineData("1..2", "INTEGER:1 DOTDOT:.. INTEGER:2")]
    [InlineData("1e5", "INTEGER:1 IDENTIFIER:e5")]
    [InlineData("10s", "DURATION:10s")]
    [InlineData("1.5s", "DURATION:1.5s")]
    [InlineData("5ms", "DURATION:5ms")]
    [InlineData("-3d", "DURATION:-3d")]
    [InlineData("10min", "INTEGER:10 IDENTIFIER:min")]
    [InlineData("2h30m", "DURATION:2h DURATION:30m")]
    [InlineData("10s_x", "DURATION:10s IDENTIFIER:_x")]
    [InlineData("٣", "INTEGER:٣")]
    [InlineData("a->b", "IDENTIFIER:a ARROW:-> IDENTIFIER:b")]
    [InlineData("<= >= == != < > ? :", "LTE:<= GTE:>= EQ:== NEQ:!= LT:< GT:> QUESTION:? COLON::")]
    public void NumbersDurationsAndSymbols(string text, string expected)
    {
        var tokens = Tokens(text).Where(t => t.Type != "EOF").Select(t => t.Type + ":" + t.Value);
        Assert.Equal(expected, string.Join(" ", tokens));
    }

    [Theory]
    [InlineData(@"""a\nb""", "a\nb")]
    [InlineData(@"""tab\there""", "tab\there")]
    [InlineData(@"""q\""x""", "q\"x")]
    [InlineData(@"""back\\slash""", "back\\slash")]
    [InlineData(@"""D:\counts\week.csv""", "D:countsweek.csv")]
    [InlineData(@"""\r\u""", "ru")]
    [InlineData("\"line\\\ncontinued\"", "line\ncontinued")]
    [InlineData("\"naïve — ok\"", "naïve — ok")]
    public void StringEscapesFollowTheReference(string text, string value)
    {
        var t = Tokens(text)[0];
        Assert.Equal("STRING", t.Type);
        Assert.Equal(value, t.Value);
    }

    [Fact]
    public void CommentsAreDiscardedAndBlockCommentsDoNotNest()
    {
        Assert.Equal("IDENTIFIER IDENTIFIER EOF", Kinds("a // b c\n/* x /* y */ d"));
    }

    [Fact]
    public void ColumnsCountCodePointsAndTabsCountOne()
    {
        var tokens = Tokens("\"😀\" x\n\ty");
        Assert.Equal((1, 5), (tokens[1].Line, tokens[1].Column));
        Assert.Equal((2, 2), (tokens[2].Line, tokens[2].Column));
    }

    [Theory]
    [InlineData("@", "Unexpected character '@'", 1, 1)]
    [InlineData("x '", "Unexpected character \"'\"", 1, 3)]
    [InlineData("\\", "Unexpected character '\\\\'", 1, 1)]
    [InlineData("\ufeffpersona", "Unexpected character '\\ufeff'", 1, 1)]
    [InlineData("a ≠ b", "Unexpected character '≠'", 1, 3)]
    [InlineData("a\u00a0b", "Unexpected character '\\xa0'", 1, 2)]
    [InlineData("x - y", "Unexpected character '-'", 1, 3)]
    [InlineData("a / b", "Unexpected character '/'", 1, 3)]
    [InlineData("a = b", "Unexpected '='. Did you mean '=='?", 1, 3)]
    [InlineData("a ! b", "Unexpected '!'. Did you mean '!='?", 1, 3)]
    [InlineData("x \"abc", "Unterminated string", 1, 3)]
    [InlineData("x \"abc\ny", "Unterminated string (newline before closing quote)", 1, 3)]
    [InlineData("\"ab\\", "Unterminated escape sequence", 1, 5)]
    [InlineData("a\n  /* never closed", "Unterminated block comment", 2, 3)]
    [InlineData("x 3.", "Expected digit after decimal point", 1, 5)]
    [InlineData("3.x", "Expected digit after decimal point", 1, 3)]
    public void LexicalErrorsHaveTheReferenceMessageAndPosition(string text, string message, int line, int column)
    {
        var d = SingleError(text);
        Assert.Equal(message, d.Message);
        Assert.Equal((line, column), (d.Span.StartLine, d.Span.StartColumn));
        Assert.Equal(DiagnosticPhase.Lex, d.Phase);
        Assert.StartsWith("AXN10", d.Code);
    }

    [Fact]
    public void ALexicalErrorDoesNotCascadeIntoSyntaxErrors()
    {
        // The unterminated string is repaired into a STRING, so the parser sees a complete persona.
        var result = AxonCompiler.Compile("persona P {\n  description: \"oops\n}\n");
        var d = Assert.Single(result.Errors);
        Assert.Equal(DiagnosticCodes.UnterminatedStringNewline, d.Code);
    }

    [Fact]
    public void TokenCountIncludesEof()
    {
        Assert.Equal(18, AxonCompiler.Compile(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Conformance", "reference", "lexer-001.axon"))).TokenCount);
    }
}
