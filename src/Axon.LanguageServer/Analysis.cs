using Axon.Language;
using Axon.Language.Semantics;
using Axon.Language.Syntax;

namespace Axon.LanguageServer;

/// <summary>One analysis of one version of a document: the front end's diagnostics, its (possibly partial) AST and symbol table.</summary>
internal sealed class Analysis
{
    private readonly Lazy<SymbolTable> _symbols;

    private Analysis(string uri, string text, int version, IReadOnlyList<Diagnostic> diagnostics, Lazy<SymbolTable> symbols, bool tooLarge)
    {
        Uri = uri;
        Text = text;
        Version = version;
        Lines = new LineMap(text);
        Diagnostics = diagnostics;
        _symbols = symbols;
        TooLarge = tooLarge;
    }

    public string Uri { get; }
    public string Text { get; }
    public int Version { get; }
    public LineMap Lines { get; }
    public IReadOnlyList<Diagnostic> Diagnostics { get; }
    /// <summary>The symbol table; on a large file it is built on first use (or warmed once typing pauses), not before the diagnostics are published.</summary>
    public SymbolTable Symbols => _symbols.Value;

    /// <summary>True once the symbol table exists.</summary>
    public bool HasSymbols => _symbols.IsValueCreated;

    /// <summary>True when the document was over the size limit and was not analysed.</summary>
    public bool TooLarge { get; }

    public static readonly IReadOnlyList<SourceToken> NoTokens = Array.Empty<SourceToken>();

    private static SymbolTable Index(string text, Compilation compilation, IReadOnlyList<SourceToken> tokens) =>
        SymbolTable.Build(compilation.Syntax ?? TolerantParser.Parse(text, tokens, compilation.Diagnostics), tokens);

    /// <summary>Runs the front end (lexer, parser, checker, IR checks) on <paramref name="text"/>; never throws.</summary>
    public static Analysis Run(string uri, string text, int version, int maxChars)
    {
        if (text.Length > maxChars)
        {
            var d = new Diagnostic("AXN9001", DiagnosticSeverity.Warning, DiagnosticPhase.Lex,
                $"The document is too large for live analysis ({text.Length / 1_048_576.0:0.0} MB of text, the limit is {maxChars / 1_048_576.0:0.0} MB); run 'axon check' on it",
                new TextSpan(1, 1, 1, 1));
            return new Analysis(uri, text, version, [d], new Lazy<SymbolTable>(SymbolTable.Build(null, NoTokens)), tooLarge: true);
        }
        if (text.Length <= 64 * 1024)
        {
            var small = AxonCompiler.Compile(text, generateIr: true);
            return new Analysis(uri, text, version, small.Diagnostics, new Lazy<SymbolTable>(Index(text, small, SourceTokens.Lex(text))), tooLarge: false);
        }
        // A large file: the editor's tokens and symbol table are built when first needed, so that the diagnostics of
        // a valid file are published as soon as the front end is done, and a version typed over is never indexed.
        var compilation = AxonCompiler.Compile(text, generateIr: true);
        var symbols = new Lazy<SymbolTable>(() => Index(text, compilation, SourceTokens.Lex(text)), LazyThreadSafetyMode.ExecutionAndPublication);
        return new Analysis(uri, text, version, compilation.Diagnostics, symbols, tooLarge: false);
    }
}
