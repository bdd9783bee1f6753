using System.Text;
using Antlr4.Runtime;
using Antlr4.Runtime.Atn;
using Axon.Language;
using Axon.Language.Parsing;
using BenchmarkDotNet.Attributes;

namespace Axon.Benchmarks.Language;

/// <summary>
/// Warm front-end throughput: lex + parse + check + IR on a ~1 MB valid program it generates.
/// Target: at least 30 MB/s (the reference's Rust rewrite does 28 MB/s). The MB/s column prints the figure.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class FrontEndBenchmarks
{
    private string _source = "";
    private string _nonAsciiSource = "";

    /// <summary>Bytes of UTF-8 source per operation, read by the MB/s column.</summary>
    public static int SourceBytes { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        _source = AxonSourceGenerator.Generate(1_000_000);
        SourceBytes = Encoding.UTF8.GetByteCount(_source);
        _nonAsciiSource = AxonSourceGenerator.WithNonAsciiProse(_source);
        if (!AxonCompiler.Compile(_nonAsciiSource).Success)
            throw new InvalidOperationException("The non-ASCII variant must be valid too.");
        var check = AxonCompiler.Compile(_source);
        if (!check.Success || check.Ir == null)
            throw new InvalidOperationException("The generated program must be valid: " + check.Errors.FirstOrDefault()?.Message);
    }

    [Benchmark(Baseline = true, Description = "lex+parse+check+IR, 1 MB")]
    public object Compile() => AxonCompiler.Compile(_source).Ir!;

    /// <summary>The same program with its strings and comments in Cyrillic (MB/s counts the ASCII size).</summary>
    [Benchmark(Description = "lex+parse+check+IR, 1 MB, Cyrillic prose")]
    public object CompileNonAsciiProse() => AxonCompiler.Compile(_nonAsciiSource).Ir!;

    // The floor under the front end: the ANTLR-generated lexer and parser alone on the same text, with
    // our char stream and SLL prediction, no AST, checks or IR. If these cannot reach the target, no
    // amount of work above them can.

    [Benchmark(Description = "floor: ANTLR lexer only")]
    public int AntlrLexOnly() => Tokens().Size;

    [Benchmark(Description = "floor: ANTLR lexer+parser, no parse tree")]
    public object AntlrParseWithoutTree()
    {
        var parser = new AxonParser(Tokens(), TextWriter.Null, TextWriter.Null) { BuildParseTree = false };
        parser.RemoveErrorListeners();
        parser.Interpreter.PredictionMode = PredictionMode.SLL;
        parser.ErrorHandler = new BailErrorStrategy();
        return parser.program();
    }

    private CommonTokenStream Tokens()
    {
        var lexer = new AxonLexer(new LexerCharStream(_source), TextWriter.Null, TextWriter.Null);
        lexer.RemoveErrorListeners();
        var tokens = new CommonTokenStream(lexer);
        tokens.Fill();
        return tokens;
    }
}
