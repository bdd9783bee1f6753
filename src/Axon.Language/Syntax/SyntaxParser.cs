using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Antlr4.Runtime;
using Antlr4.Runtime.Atn;
using Antlr4.Runtime.Misc;
using Axon.Language.Parsing;
using Axon.Language.Text;

namespace Axon.Language.Syntax;

/// <summary>The result of lexing and parsing one file.</summary>
public sealed class SyntaxResult
{
    internal SyntaxResult(ProgramNode? program, IReadOnlyList<Diagnostic> diagnostics, int tokenCount, IReadOnlyList<Declaration>? recovered = null)
    {
        Program = program;
        Diagnostics = diagnostics;
        TokenCount = tokenCount;
        Recovered = recovered ?? Array.Empty<Declaration>();
    }

    /// <summary>After syntax errors: the declarations that parsed without error (for partial code generation); empty otherwise.</summary>
    public IReadOnlyList<Declaration> Recovered { get; }

    /// <summary>The AST; null when the file has lexical or syntax errors.</summary>
    public ProgramNode? Program { get; }

    /// <summary>Lexical and syntax diagnostics (lexical first), plus unknown-field warnings.</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; }

    /// <summary>Tokens the reference would count, including the final EOF.</summary>
    public int TokenCount { get; }
}

/// <summary>Lexes and parses AXON text (ANTLR), reporting every lexical and syntax error of the file in one pass.</summary>
public static class SyntaxParser
{
    /// <summary>Parses <paramref name="text"/>. Never throws for any input.</summary>
    public static SyntaxResult Parse(string text)
    {
        var diagnostics = new List<Diagnostic>();
        if (LoneSurrogates(text, diagnostics)) return new SyntaxResult(null, diagnostics, 0);
        text = LineBreaks.NormalizeLoneCarriageReturns(text);
        var input = CharStream(text);
        var lexer = Lexer(input, text);
        var stream = TokenStream(lexer, text.Length);
        stream.Fill();
        int tokenCount = RepairLexicalErrors(stream.GetTokens(), input, diagnostics);
        if (lexer.StoppedEarly) diagnostics.Add(TooManyErrors(stream.Get(stream.Size - 1), DiagnosticPhase.Lex));
        int lexErrors = diagnostics.Count;
        // The parser, the AST builder and everything after them recurse once per nesting level: deeper input is a
        // diagnostic here, before any recursion (a stack overflow would kill the build or the CLI).
        if (Nesting.FindTooDeep(stream.GetTokens()) is { } tooDeep)
        {
            diagnostics.Add(Nesting.TooDeep(TokenText.Span(tooDeep)));
            return new SyntaxResult(null, diagnostics, 0);
        }

        var parser = new AxonParser(stream, TextWriter.Null, TextWriter.Null);
        parser.RemoveErrorListeners();
        // SLL with bail-out is much faster; only a file that fails it pays for full LL with recovery.
        parser.Interpreter.PredictionMode = PredictionMode.SLL;
        parser.ErrorHandler = new BailErrorStrategy();
        // The AST is built declaration by declaration during the parse; its warnings count only if the parse succeeds.
        var astDiagnostics = new List<Diagnostic>();
        var declarations = new List<Declaration>();
        new AstBuilder(astDiagnostics).BuildWhileParsing(parser, declarations);
        try
        {
            parser.program();
        }
        catch (ParseCanceledException)
        {
            parser.DeclarationParsed = null;
            var recovered = new List<Declaration>();
            ReportAllSyntaxErrors(stream, parser, diagnostics, recovered);
            DropEndOfInputCascade(diagnostics);
            return new SyntaxResult(null, diagnostics, lexErrors > 0 ? 0 : tokenCount, recovered);
        }

        DropEndOfInputCascade(diagnostics);
        if (diagnostics.Count > 0)
        {
            // Lexical errors only (repaired tokens parsed): the declarations are recoverable where no error lies.
            return new SyntaxResult(null, diagnostics, lexErrors > 0 ? 0 : tokenCount, declarations);
        }

        diagnostics.AddRange(astDiagnostics);
        return new SyntaxResult(AstBuilder.Program(declarations), diagnostics, tokenCount);
    }

    private static AxonLexer Lexer(ICharStream input, string text)
    {
        var lexer = new AxonLexer(input, TextWriter.Null, TextWriter.Null);
        lexer.RemoveErrorListeners();
        // The pooled text reads the string directly only where indexes are UTF-16 units (see CharStream).
        lexer.TokenFactory = new AxonTokenFactory(lexer, input, input is LexerCharStream ? text : null);
        return lexer;
    }

    // Positions count code points. Without surrogate pairs, UTF-16 units are code points, and a stream
    // over the string reads token text with one string copy; CodePointCharStream's text costs ~200 bytes
    // a token, which made text extraction the largest allocation of the whole front end.
    private static ICharStream CharStream(string text)
    {
        foreach (char c in text)
            if (char.IsSurrogate(c)) return CharStreams.fromString(text);
        return new LexerCharStream(text);
    }

    // Sized for the file up front: grown by doubling, the token list of a large file was a chain of
    // large-object-heap arrays, each of which brought a full collection closer. Capped, so that a huge
    // file of garbage (whose lexing stops early) does not reserve memory for tokens it never has.
    private static CommonTokenStream TokenStream(AxonLexer lexer, int textLength) => new PresizedTokenStream(lexer, textLength);

    private sealed class PresizedTokenStream : CommonTokenStream
    {
        public PresizedTokenStream(ITokenSource source, int textLength) : base(source) =>
            tokens = new List<IToken>(Math.Min(Math.Max(100, textLength / 5), 1 << 20));
    }

    // The slow path, only for files with syntax errors: parse declaration by declaration (full LL).
    // The first error of a declaration abandons it and parsing resumes at the next declaration
    // keyword at brace depth 0, so every independent mistake is reported and none cascades.
    private static void ReportAllSyntaxErrors(CommonTokenStream stream, AxonParser parser, List<Diagnostic> diagnostics, List<Declaration> recovered)
    {
        var builder = new AstBuilder(new List<Diagnostic>());
        stream.Seek(0);
        parser.Reset();
        parser.ErrorHandler = new DeclarationAbortStrategy();
        parser.Interpreter.PredictionMode = PredictionMode.LL;
        parser.AddErrorListener(new SyntaxErrorListener(parser, diagnostics));
        int before = diagnostics.Count;
        while (stream.LA(1) != TokenConstants.EOF)
        {
            if (diagnostics.Count - before >= MaxSyntaxErrors)
            {
                diagnostics.Add(TooManyErrors(stream.LT(1), DiagnosticPhase.Parse));
                return;
            }
            int start = stream.Index;
            try
            {
                int errorsBefore = diagnostics.Count;
                var declaration = parser.declaration();
                if (diagnostics.Count == errorsBefore && declaration.exception == null)
                {
                    try
                    {
                        recovered.Add(builder.Build(declaration));
                    }
                    catch (Exception)
                    {
                        // A tree the builder cannot read is simply not recovered.
                    }
                }
            }
            catch (DeclarationAbortedException)
            {
                SkipToNextDeclaration(stream, start);
            }
            if (stream.Index == start) stream.Consume(); // always make progress
        }
        if (diagnostics.Count == before)
        {
            // SLL failed on a valid file only when full LL is needed; nothing to report then would be a bug.
            diagnostics.Add(new Diagnostic(DiagnosticCodes.UnexpectedToken, DiagnosticSeverity.Error, DiagnosticPhase.Parse,
                "Unexpected token", TokenText.Span(stream.Get(0))));
        }
    }

    // A string or comment that runs to the end of the file also leaves its declaration unfinished there: that syntax
    // error at end of input is the same mistake, so only the lexical one is reported.
    private static void DropEndOfInputCascade(List<Diagnostic> diagnostics)
    {
        bool runsToEnd = false;
        foreach (var d in diagnostics)
            runsToEnd |= d.Code is DiagnosticCodes.UnterminatedString or DiagnosticCodes.UnterminatedEscape or DiagnosticCodes.UnterminatedComment;
        if (runsToEnd) diagnostics.RemoveAll(d => d.Phase == DiagnosticPhase.Parse && d.AtEndOfInput);
    }

    // A lone UTF-16 surrogate is no text at all (it cannot come from a file, only through the API): one lexical
    // diagnostic per surrogate (at most 1000), and nothing is parsed.
    private static bool LoneSurrogates(string text, List<Diagnostic> diagnostics)
    {
        int line = 1, col = 1;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; col++; continue; }
            if (char.IsSurrogate(c))
            {
                diagnostics.Add(Lex(DiagnosticCodes.LoneSurrogate,
                    $"Invalid text: a lone UTF-16 surrogate (U+{(int)c:X4}) is not a character", new TextSpan(line, col, line, col + 1)));
                if (diagnostics.Count >= AxonLexer.MaxErrorTokens) break;
            }
            if (c == '\n' || (c == '\r' && (i + 1 >= text.Length || text[i + 1] != '\n'))) { line++; col = 1; }
            else col++;
        }
        return diagnostics.Count > 0;
    }

    /// <summary>Syntax errors after which parsing stops.</summary>
    internal const int MaxSyntaxErrors = 1000;

    private static Diagnostic TooManyErrors(IToken at, DiagnosticPhase phase) =>
        new(DiagnosticCodes.TooManyErrors, DiagnosticSeverity.Error, phase,
            "Too many errors; the rest of the file was not checked", TokenText.Span(at));

    private static void SkipToNextDeclaration(CommonTokenStream stream, int declarationStart)
    {
        int depth = 0;
        for (int i = declarationStart; i < stream.Index; i++) depth += BraceDelta(stream.Get(i));
        while (true)
        {
            int type = stream.LA(1);
            if (type == TokenConstants.EOF) return;
            if (depth <= 0 && stream.Index > declarationStart && IsDeclarationStart(type)) return;
            depth += BraceDelta(stream.LT(1));
            stream.Consume();
        }
    }

    private static int BraceDelta(IToken t) =>
        t.Channel != TokenConstants.DefaultChannel ? 0 : t.Type == AxonLexer.LBRACE ? 1 : t.Type == AxonLexer.RBRACE ? -1 : 0;

    private static bool IsDeclarationStart(int type) => type is AxonLexer.PERSONA or AxonLexer.CONTEXT or AxonLexer.ANCHOR
        or AxonLexer.MEMORY or AxonLexer.TOOL or AxonLexer.TYPE or AxonLexer.FLOW or AxonLexer.INTENT or AxonLexer.RUN
        or AxonLexer.IMPORT or AxonLexer.KNOW or AxonLexer.BELIEVE or AxonLexer.SPECULATE or AxonLexer.DOUBT;

    private sealed class DeclarationAbortedException : Exception
    {
    }

    // Reports the error, then abandons the declaration (no single-token repair: with the lenient
    // field rules a repaired token usually starts a wrong parse and a cascade of errors).
    private sealed class DeclarationAbortStrategy : DefaultErrorStrategy
    {
        public override void Recover(Parser recognizer, RecognitionException e) => throw new DeclarationAbortedException();

        public override IToken RecoverInline(Parser recognizer)
        {
            var e = new InputMismatchException(recognizer);
            ReportError(recognizer, e);
            throw new DeclarationAbortedException();
        }

        public override void Sync(Parser recognizer)
        {
            // As the default, but a token that fits nowhere aborts the declaration instead of being deleted.
            if (InErrorRecoveryMode(recognizer)) return;
            var state = recognizer.Interpreter.atn.states[recognizer.State];
            var next = recognizer.Atn.NextTokens(state);
            int la = ((ITokenStream)recognizer.InputStream).LA(1);
            if (next.Contains(la) || next.Contains(TokenConstants.EPSILON)) return;
            switch (state.StateType)
            {
                case StateType.BlockStart:
                case StateType.StarBlockStart:
                case StateType.PlusBlockStart:
                case StateType.StarLoopEntry:
                case StateType.PlusLoopBack:
                case StateType.StarLoopBack:
                    throw new InputMismatchException(recognizer);
            }
        }
    }

    /// <summary>Lexes <paramref name="text"/> into the tokens the parser sees (reference type names and values), plus lexical diagnostics.</summary>
    internal static (IReadOnlyList<LexedToken> Tokens, IReadOnlyList<Diagnostic> Diagnostics) Lex(string text)
    {
        var diagnostics = new List<Diagnostic>();
        if (LoneSurrogates(text, diagnostics)) return (Array.Empty<LexedToken>(), diagnostics);
        text = LineBreaks.NormalizeLoneCarriageReturns(text);
        var input = CharStream(text);
        var lexer = Lexer(input, text);
        var stream = TokenStream(lexer, text.Length);
        stream.Fill();
        RepairLexicalErrors(stream.GetTokens(), input, diagnostics);
        var tokens = new List<LexedToken>();
        foreach (var t in stream.GetTokens())
        {
            if (t.Channel != TokenConstants.DefaultChannel) continue;
            string type = t.Type == TokenConstants.EOF ? "EOF" : TokenText.TypeName(t.Type);
            tokens.Add(new LexedToken(type, t.Type == TokenConstants.EOF ? "" : TokenText.Value(t), t.Line, t.Column + 1));
        }
        return (tokens, diagnostics);
    }

    // Turns error tokens into diagnostics and into the token the parser should see instead,
    // so one lexical mistake does not also show up as a cascade of syntax errors. Also applies the
    // two reference rules that need a look at the next character (kept out of the lexer so its DFA caches):
    // a number with letters after its unit is a number and an identifier, and `3.` is an error.
    private static int RepairLexicalErrors(IList<IToken> tokens, ICharStream input, List<Diagnostic> diagnostics)
    {
        int count = 0;
        for (int i = 0; i < tokens.Count; i++)
        {
            var token = (AxonToken)tokens[i];
            switch (token.Type)
            {
                case AxonLexer.BAD_CHAR:
                    diagnostics.Add(Lex(DiagnosticCodes.UnexpectedCharacter, "Unexpected character " + PyFormat.StringRepr(token.Text), TokenText.Span(token)));
                    token.Channel = TokenConstants.HiddenChannel;
                    continue;
                case AxonLexer.UNTERMINATED_COMMENT:
                    diagnostics.Add(Lex(DiagnosticCodes.UnterminatedComment, "Unterminated block comment", TokenText.Span(token)));
                    token.Channel = TokenConstants.HiddenChannel;
                    continue;
                case AxonLexer.UNTERMINATED_STRING:
                    diagnostics.Add(UnterminatedString(token, TokenText.Span(token), input));
                    token.Type = AxonLexer.STRING;
                    break;
                case AxonLexer.BAD_EQ:
                    diagnostics.Add(Lex(DiagnosticCodes.LoneEquals, "Unexpected '='. Did you mean '=='?", TokenText.Span(token)));
                    token.Type = AxonLexer.EQ;
                    break;
                case AxonLexer.BAD_BANG:
                    diagnostics.Add(Lex(DiagnosticCodes.LoneBang, "Unexpected '!'. Did you mean '!='?", TokenText.Span(token)));
                    token.Type = AxonLexer.NEQ;
                    break;
                case AxonLexer.DURATION when i + 1 < tokens.Count && StartsWithLetterRightAfter(token, tokens[i + 1]):
                    SplitDuration(token, (AxonToken)tokens[i + 1]);
                    break;
                case AxonLexer.INTEGER when i + 1 < tokens.Count && tokens[i + 1].Type == AxonLexer.DOT
                                            && tokens[i + 1].StartIndex == token.StopIndex + 1:
                    // `3.` followed by neither a digit (that would be a FLOAT) nor a dot (DOTDOT): reported after the dot.
                    var dot = (AxonToken)tokens[i + 1];
                    var at = TokenText.Span(dot);
                    diagnostics.Add(Lex(DiagnosticCodes.ExpectedDigitAfterDot, "Expected digit after decimal point",
                        new TextSpan(at.EndLine, at.EndColumn, at.EndLine, at.EndColumn + 1)));
                    token.Type = AxonLexer.FLOAT;
                    token.Text = token.Text + ".0";
                    dot.Channel = TokenConstants.HiddenChannel;
                    break;
            }
            if (token.Channel == TokenConstants.DefaultChannel) count++;
        }
        RetypeWhereClauseKeywords(tokens);
        return count; // includes EOF, which is in the filled stream
    }

    // The reference's where-clause takes every token up to `{`, EOF or a declaration keyword, and
    // know/believe/speculate/doubt are not among those: `type T where x know { a: String }` has the
    // where-text "x know" and the field a. ANTLR would end the clause at `know` (a declaration may start
    // there), so inside a type's where-clause those keywords become identifiers before parsing.
    private static void RetypeWhereClauseKeywords(IList<IToken> tokens)
    {
        for (int i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Type != AxonLexer.WHERE || !FollowsTypeHeader(tokens, i)) continue;
            for (int j = i + 1; j < tokens.Count; j++)
            {
                int type = tokens[j].Type;
                if (type == AxonLexer.LBRACE || type == TokenConstants.EOF || IsWhereStop(type)) break;
                if (type is AxonLexer.KNOW or AxonLexer.BELIEVE or AxonLexer.SPECULATE or AxonLexer.DOUBT)
                    ((AxonToken)tokens[j]).Type = AxonLexer.IDENT;
            }
        }
    }

    // `type Name where` or `type Name(lo..hi) where` (hidden error tokens cannot occur in between in a valid header).
    private static bool FollowsTypeHeader(IList<IToken> tokens, int where)
    {
        int i = where - 1;
        if (i >= 0 && tokens[i].Type == AxonLexer.RPAREN)
        {
            // Walk back over "( number .. number )".
            i -= 5;
            if (i < 0 || tokens[i + 1].Type != AxonLexer.LPAREN) return false;
        }
        return i >= 1 && TokenClasses.IsIdent(tokens[i].Type) && tokens[i - 1].Type == AxonLexer.TYPE;
    }

    private static bool IsWhereStop(int type) => type is AxonLexer.PERSONA or AxonLexer.CONTEXT or AxonLexer.ANCHOR
        or AxonLexer.MEMORY or AxonLexer.TOOL or AxonLexer.TYPE or AxonLexer.FLOW or AxonLexer.INTENT or AxonLexer.RUN
        or AxonLexer.IMPORT;

    private static bool StartsWithLetterRightAfter(IToken duration, IToken next)
    {
        if (next.StartIndex != duration.StopIndex + 1 || next.Type == TokenConstants.EOF) return false;
        string text = next.Text;
        return text.Length > 0 && char.IsLetter(text, 0);
    }

    // `10min` lexes as DURATION `10m` + IDENT `in`; the reference reads INTEGER `10` + IDENT `min`.
    private static void SplitDuration(AxonToken duration, AxonToken next)
    {
        string text = duration.Text;
        int unit = text.EndsWith("ms", StringComparison.Ordinal) ? 2 : 1;
        string number = text.Substring(0, text.Length - unit);
        string word = text.Substring(text.Length - unit) + next.Text;
        duration.Type = number.IndexOf('.') >= 0 ? AxonLexer.FLOAT : AxonLexer.INTEGER;
        duration.Text = number;
        duration.StopIndex -= unit;
        next.Type = KeywordTypes.TryGetValue(word, out int keyword) ? keyword : AxonLexer.IDENT;
        next.Text = word;
        next.StartIndex -= unit;
        next.Column -= unit;
    }

    private static readonly Dictionary<string, int> KeywordTypes = BuildKeywordTypes();

    private static Dictionary<string, int> BuildKeywordTypes()
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal) { ["true"] = AxonLexer.BOOL, ["false"] = AxonLexer.BOOL };
        var vocabulary = AxonLexer.DefaultVocabulary;
        for (int t = 1; t <= AxonLexer.BAD_CHAR; t++)
        {
            string? literal = vocabulary.GetLiteralName(t);
            if (literal is { Length: > 2 } && char.IsLetter(literal[1])) map[literal.Substring(1, literal.Length - 2)] = t;
        }
        return map;
    }

    private static Diagnostic UnterminatedString(IToken token, TextSpan span, ICharStream input)
    {
        string literal = token.Text;
        int trailing = 0;
        for (int i = literal.Length - 1; i >= 1 && literal[i] == '\\'; i--) trailing++;
        if (trailing % 2 == 1)
        {
            // A backslash at end of file: reported after the backslash.
            return Lex(DiagnosticCodes.UnterminatedEscape, "Unterminated escape sequence",
                new TextSpan(span.EndLine, span.EndColumn, span.EndLine, span.EndColumn));
        }
        int after = token.StopIndex + 1;
        bool newline = after < input.Size && input.GetText(Interval.Of(after, after)) == "\n";
        return newline
            ? Lex(DiagnosticCodes.UnterminatedStringNewline, "Unterminated string (newline before closing quote)", span)
            : Lex(DiagnosticCodes.UnterminatedString, "Unterminated string", span);
    }

    private static Diagnostic Lex(string code, string message, TextSpan span) =>
        new(code, DiagnosticSeverity.Error, DiagnosticPhase.Lex, message, span);

    private sealed class SyntaxErrorListener : IAntlrErrorListener<IToken>
    {
        private readonly AxonParser _parser;
        private readonly List<Diagnostic> _diagnostics;

        public SyntaxErrorListener(AxonParser parser, List<Diagnostic> diagnostics)
        {
            _parser = parser;
            _diagnostics = diagnostics;
        }

        public void SyntaxError(TextWriter output, IRecognizer recognizer, IToken offendingSymbol, int line,
            int charPositionInLine, string msg, RecognitionException e)
        {
            IntervalSet expected;
            try
            {
                expected = e?.GetExpectedTokens() ?? _parser.GetExpectedTokens();
            }
            catch (Exception)
            {
                expected = new IntervalSet();
            }
            var (code, message) = SyntaxMessages.Describe(expected, offendingSymbol, _parser.Context);
            var span = TokenText.Span(offendingSymbol);
            _diagnostics.Add(new Diagnostic(code, DiagnosticSeverity.Error, DiagnosticPhase.Parse, message, span)
            {
                AtEndOfInput = offendingSymbol.Type == TokenConstants.EOF,
            });
        }
    }
}

/// <summary>A token as the reference's lexer would report it.</summary>
internal readonly record struct LexedToken(string Type, string Value, int Line, int Column);

/// <summary>Syntax error messages in the reference's wording (§2.1 of the reference notes).</summary>
internal static class SyntaxMessages
{
    private const string TopLevelExpected = "declaration (persona, context, anchor, flow, run, know, speculate, ...)";
    private const string FlowBodyExpected = "step, probe, reason, validate, refine, weave, use, remember, recall, if, par, hibernate";
    private const string StepBodyExpected = "given, ask, use, probe, reason, weave, output, confidence_floor";

    public static (string Code, string Message) Describe(IntervalSet expected, IToken found, ParserRuleContext? context)
    {
        string raw = found.Type == TokenConstants.EOF ? "" : TokenText.Value(found);
        string foundRepr = TokenText.TypeName(found.Type) + "(" + PyFormat.StringRepr(raw) + ")";

        switch (context)
        {
            case AxonParser.ProgramContext or AxonParser.DeclarationContext or AxonParser.EpistemicBlockContext when expected.Contains(AxonLexer.PERSONA):
                return (DiagnosticCodes.UnexpectedTopLevel, WithFound("Unexpected token at top level", TopLevelExpected, raw));
            case AxonParser.FlowDeclContext or AxonParser.ParBlockContext when expected.Contains(AxonLexer.STEP):
                return (DiagnosticCodes.UnexpectedInFlowBody, WithFound("Unexpected token in flow body", FlowBodyExpected, raw));
            case AxonParser.StepDeclContext when expected.Contains(AxonLexer.GIVEN):
                return (DiagnosticCodes.UnexpectedInStepBody, WithFound("Unexpected token in step body", StepBodyExpected, raw));
            case AxonParser.WordContext:
                return (DiagnosticCodes.ExpectedWord, "Expected identifier or keyword value");
            case AxonParser.NumberContext:
                return (DiagnosticCodes.ExpectedNumber, "Expected number");
        }
        if (expected.Contains(AxonLexer.STRING) && expected.Contains(AxonLexer.IDENT) && expected.Contains(AxonLexer.PERSONA)
            && expected.Contains(AxonLexer.FLOAT) && !expected.Contains(AxonLexer.LBRACE))
            return (DiagnosticCodes.ExpectedWord, "Expected identifier or keyword value");
        if (expected.Count == 2 && expected.Contains(AxonLexer.INTEGER) && expected.Contains(AxonLexer.FLOAT))
            return (DiagnosticCodes.ExpectedNumber, "Expected number");
        // A declaration body: any field name, or the closing brace.
        if (expected.Contains(AxonLexer.RBRACE) && expected.Contains(AxonLexer.IDENT) && expected.Contains(AxonLexer.COLON))
            return (DiagnosticCodes.UnexpectedToken, $"Unexpected token (expected a field name or RBRACE, found {foundRepr})");

        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (int t in expected.ToList())
        {
            if (t == TokenConstants.EPSILON) continue;
            names.Add(TokenText.TypeName(t));
        }
        if (names.Count == 1 && found.Type == AxonLexer.INTEGER && expected.Contains(AxonLexer.FLOAT))
            return (DiagnosticCodes.UnexpectedToken, $"Unexpected token (expected FLOAT, found {foundRepr}): write {raw}.0");
        if (names.Count == 1)
            return (DiagnosticCodes.UnexpectedToken, $"Unexpected token (expected {names.First()}, found {foundRepr})");
        if (names.Count == 0)
            return (DiagnosticCodes.UnexpectedToken, $"Unexpected token (found {foundRepr})");
        const int Shown = 8;
        string list = names.Count <= Shown
            ? string.Join(", ", names)
            : string.Join(", ", names.Take(Shown)) + $", … ({names.Count - Shown} more)";
        return (DiagnosticCodes.UnexpectedToken, $"Unexpected token (expected one of {list}, found {foundRepr})");
    }

    private static string WithFound(string head, string expected, string raw) =>
        raw.Length == 0 ? head : $"{head} (expected {expected}, found {raw})";
}
