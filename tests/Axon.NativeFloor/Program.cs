using Antlr4.Runtime;
using Antlr4.Runtime.Atn;
using Axon.Language.Parsing;
using Axon.Language.Syntax;

// `axon-floor` exits at once; `axon-floor FILE` lexes and parses FILE the way the front end does (our char stream,
// tokens and SLL prediction) and prints the token count: what no `axon check` of that file can go below.
// `axon-floor --front-end FILE` runs the whole front end (AST, checks, IR) without the CLI: what the CLI adds is the rest.
if (args.Length == 0) return 0;
if (args[0] == "--front-end")
{
    var compilation = Axon.Language.AxonCompiler.Compile(File.ReadAllText(args[1]), generateIr: true);
    Console.WriteLine(compilation.TokenCount);
    return compilation.Success ? 0 : 1;
}
string source = File.ReadAllText(args[0]);
var input = new LexerCharStream(source);
var lexer = new AxonLexer(input, TextWriter.Null, TextWriter.Null);
lexer.RemoveErrorListeners();
lexer.TokenFactory = new AxonTokenFactory(lexer, input, source);
var tokens = new CommonTokenStream(lexer);
var parser = new AxonParser(tokens, TextWriter.Null, TextWriter.Null) { BuildParseTree = false };
parser.RemoveErrorListeners();
parser.Interpreter.PredictionMode = PredictionMode.SLL;
parser.program();
Console.WriteLine(tokens.Size);
return 0;
