using System.Text;
using Antlr4.Runtime;
using Antlr4.Runtime.Atn;
using Axon.Language;
using Axon.Language.Parsing;
using BenchmarkDotNet.Attributes;

namespace Axon.Benchmarks.Language;

/// <summary>
/// Warm front-end throughput and allocation: lex + parse + AST + check + IR on the generated ~1 MB and ~4.5 MB
/// valid programs. Targets (issue 16): ≥ 25.6 MB/s (the Rust reference on the 1 MB program) and ≤ 10 MB
/// allocated per MB of source, with default GC settings. The MB/s and "Alloc/MB" columns print the figures;
/// allocation is exact, time depends on the machine's load.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class FrontEndBenchmarks
{
    private string _source = "";
    private string _nonAsciiSource = "";

    /// <summary>Target size of the generated program in bytes: the 1 MB and the 4.5 MB benchmark programs.</summary>
    [Params(1_000_000, 4_500_000)]
    public int SourceSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _source = AxonSourceGenerator.Generate(SourceSize);
        _nonAsciiSource = AxonSourceGenerator.WithNonAsciiProse(_source);
        if (!AxonCompiler.Compile(_nonAsciiSource).Success)
            throw new InvalidOperationException("The non-ASCII variant must be valid too.");
        var check = AxonCompiler.Compile(_source);
        if (!check.Success || check.Ir == null)
            throw new InvalidOperationException("The generated program must be valid: " + check.Errors.FirstOrDefault()?.Message);
    }

    [Benchmark(Baseline = true, Description = "lex+parse+check+IR")]
    public object Compile() => AxonCompiler.Compile(_source).Ir!;

    /// <summary>The same program with its strings and comments in Cyrillic (MB/s and Alloc/MB count the ASCII size).</summary>
    [Benchmark(Description = "lex+parse+check+IR, Cyrillic prose")]
    public object CompileNonAsciiProse() => AxonCompiler.Compile(_nonAsciiSource).Ir!;

    // The floor under the front end: the ANTLR-generated lexer and parser alone on the same text, with
    // our char stream, tokens and SLL prediction, no AST, checks or IR. If these cannot reach a target
    // (time or allocation), no amount of work above them can.

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
        var input = new LexerCharStream(_source);
        var lexer = new AxonLexer(input, TextWriter.Null, TextWriter.Null);
        lexer.RemoveErrorListeners();
        lexer.TokenFactory = new AxonTokenFactory(lexer, input, _source);
        var tokens = new CommonTokenStream(lexer);
        tokens.Fill();
        return tokens;
    }

    /// <summary>UTF-8 bytes of the program a benchmark case runs on (the generator is deterministic).</summary>
    internal static int SourceBytesOf(int sourceSize) => Encoding.UTF8.GetByteCount(AxonSourceGenerator.Generate(sourceSize));
}
