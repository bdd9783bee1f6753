using Axon.Language;
using Axon.Language.Semantics;
using Axon.Language.Syntax;

namespace Axon.LanguageServer;

/// <summary>One analysis of one version of a document: the front end's diagnostics, its (possibly partial) AST and symbol table.</summary>
internal sealed class Analysis
{
    private Analysis(string uri, string text, int version, IReadOnlyList<Diagnostic> diagnostics, SymbolTable symbols, bool tooLarge)
    {
        Uri = uri;
        Text = text;
        Version = version;
        Lines = new LineMap(text);
        Diagnostics = diagnostics;
        Symbols = symbols;
        TooLarge = tooLarge;
    }

    public string Uri { get; }
    public string Text { get; }
    public int Version { get; }
    public LineMap Lines { get; }
    public IReadOnlyList<Diagnostic> Diagnostics { get; }
    public SymbolTable Symbols { get; }

    /// <summary>True when the document was over the size limit and was not analysed.</summary>
    public bool TooLarge { get; }

    public static readonly IReadOnlyList<SourceToken> NoTokens = Array.Empty<SourceToken>();

    /// <summary>Runs the front end (lexer, parser, checker, IR checks) on <paramref name="text"/>; never throws.</summary>
    public static Analysis Run(string uri, string text, int version, int maxChars)
    {
        if (text.Length > maxChars)
        {
            var d = new Diagnostic("AXN9001", DiagnosticSeverity.Warning, DiagnosticPhase.Lex,
                $"The document is too large for live analysis ({text.Length / 1_048_576.0:0.0} MB of text, the limit is {maxChars / 1_048_576.0:0.0} MB); run 'axon check' on it",
                new TextSpan(1, 1, 1, 1));
            return new Analysis(uri, text, version, [d], SymbolTable.Build(null, NoTokens), tooLarge: true);
        }
        var compilation = AxonCompiler.Compile(text, generateIr: true);
        var tokens = SourceTokens.Lex(text);
        var program = compilation.Syntax ?? TolerantParser.Parse(text, tokens, compilation.Diagnostics);
        return new Analysis(uri, text, version, compilation.Diagnostics, SymbolTable.Build(program, tokens), tooLarge: false);
    }
}
