using Axon.Language.Syntax;

namespace Axon.Language.Tests.Syntax;

/// <summary>The reference parser's leniencies, its error catalogue (§2.1), and error recovery.</summary>
public sealed class ParserTests
{
    private static ProgramNode Parse(string text)
    {
        var result = SyntaxParser.Parse(text);
        Assert.True(result.Program != null, string.Join("; ", result.Diagnostics.Select(d => d.Message)));
        return result.Program!;
    }

    private static Diagnostic FirstError(string text)
    {
        var result = SyntaxParser.Parse(text);
        Assert.Null(result.Program);
        return result.Diagnostics.First(d => d.IsError);
    }

    [Theory]
    [InlineData("import a.b.{X, Y}", "a,b", "X,Y")]
    [InlineData("import a.b {X}", "a,b", "X")]
    [InlineData("import a", "a", "")]
    public void ImportForms(string text, string path, string names)
    {
        var i = Assert.IsType<ImportDecl>(Parse(text).Declarations.Single());
        Assert.Equal(path, string.Join(",", i.ModulePath));
        Assert.Equal(names, string.Join(",", i.Names));
    }

    [Fact]
    public void TrailingDotInImportIsAnError() => Assert.Equal(DiagnosticPhase.Parse, FirstError("import a.").Phase);

    [Fact]
    public void UnknownFieldsSkipOneTokenOrOneGroupAndKeywordFieldNamesWork()
    {
        var p = (PersonaDecl)Parse("persona P { audience: commuters extra: [a, [b]] opts: { k: v } tone: precise }").Declarations[0];
        Assert.Equal("precise", p.Tone);
        var c = (ContextDecl)Parse("context C { memory: session output: x given: y }").Declarations[0];
        Assert.Equal("session", c.MemoryScope);
    }

    [Fact]
    public void UnknownFieldWithCallValueBreaksTheParse() =>
        Assert.Equal(DiagnosticPhase.Parse, FirstError("persona P { foo: bar(1) }").Phase);

    [Fact]
    public void RepeatedFieldsOverwrite() =>
        Assert.Equal("formal", ((PersonaDecl)Parse("persona P { tone: precise tone: formal }").Declarations[0]).Tone);

    [Fact]
    public void AnyKeywordIsAValue() =>
        Assert.Equal("flow", ((PersonaDecl)Parse("persona P { tone: flow }").Declarations[0]).Tone);

    [Fact]
    public void RunArgumentsAreLenient()
    {
        var r = (RunStmt)Parse("flow F() { }\nrun F(\"q\", depth: 3, x.pdf, effort: high, 1.5)").Declarations[1];
        Assert.Equal(new[] { "q", "depth", ":", "3", "x.pdf", "effort:high", "1.5" }, r.Arguments);
    }

    [Fact]
    public void RunModifiersInAnyOrder()
    {
        var r = (RunStmt)Parse("flow F() { }\nrun F() effort: low on_failure: raise Boom output_to: \"o.json\" as P within C constrained_by [A, B]").Declarations[1];
        Assert.Equal(("P", "C", "low", "raise", "o.json"), (r.Persona, r.Context, r.Effort, r.OnFailure, r.OutputTo));
        Assert.Equal(new[] { "A", "B" }, r.Anchors);
        Assert.Equal(new KeyValue("target", "Boom"), r.OnFailureParams.Single());
    }

    [Fact]
    public void WhereClauseKeepsTokenValuesJoinedBySpaces()
    {
        var t = (TypeDecl)Parse("type Bin where bin.zone != \"quarantine\" { zone: String }").Declarations[0];
        Assert.Equal("bin . zone != quarantine", t.WhereExpression);
        Assert.Single(t.Fields);
    }

    [Fact]
    public void FilterKeepsTokenValuesWithoutSeparators() =>
        Assert.Equal("recent(days:30)", ((ToolDecl)Parse("tool T { filter: recent(days: 30) }").Declarations[0]).Filter);

    [Fact]
    public void RangeAllowsMixedAndNegativeNumbers()
    {
        var t = (TypeDecl)Parse("type S(-1..1.0)").Declarations[0];
        Assert.Equal((-1.0, 1.0), (t.RangeMin!.Value, t.RangeMax!.Value));
    }

    [Fact]
    public void ReasonGivenIsKeptAsOneString()
    {
        var f = (FlowDecl)Parse("flow F() { reason about Risk { given: [A.output, B.output] } }").Declarations[0];
        var r = Assert.IsType<ReasonNode>(f.Body[0]);
        Assert.Equal(("", "Risk", "[A.output, B.output]"), (r.Name, r.About, r.Given));
    }

    [Fact]
    public void EpistemicBlocksHoldDeclarations()
    {
        var b = Assert.IsType<EpistemicBlock>(Parse("know { flow F() { } persona P { } }").Declarations.Single());
        Assert.Equal(("know", 2), (b.Mode, b.Declarations.Count));
    }

    [Theory]
    [InlineData("42", "Unexpected token at top level (expected declaration (persona, context, anchor, flow, run, know, speculate, ...), found 42)", 1, 1)]
    [InlineData("flow F() {\n  banana\n}", "Unexpected token in flow body (expected step, probe, reason, validate, refine, weave, use, remember, recall, if, par, hibernate, found banana)", 2, 3)]
    [InlineData("flow F() {\n  step S { banana }\n}", "Unexpected token in step body (expected given, ask, use, probe, reason, weave, output, confidence_floor, found banana)", 2, 12)]
    [InlineData("persona P { tone: [x] }", "Expected identifier or keyword value", 1, 19)]
    [InlineData("type T(a..b)", "Expected number", 1, 8)]
    [InlineData("persona P { confidence_threshold: 1 }", "Unexpected token (expected FLOAT, found INTEGER('1')): write 1.0", 1, 35)]
    [InlineData("anchor A {\n  on_violation: raise\n}", "Unexpected token (expected IDENTIFIER, found RBRACE('}'))", 3, 1)]
    [InlineData("flow F() {\n  probe X.output for [a]\n}", "Unexpected token (expected FOR, found DOT('.'))", 2, 10)]
    [InlineData("flow F(a: String,) { }", "Unexpected token (expected IDENTIFIER, found RPAREN(')'))", 1, 18)]
    [InlineData("flow F() { }\nrun F() constrained_by []", "Expected identifier or keyword value", 2, 25)]
    public void ErrorCatalogue(string text, string message, int line, int column)
    {
        var d = FirstError(text);
        Assert.Equal(message, d.Message);
        Assert.Equal((line, column), (d.Span.StartLine, d.Span.StartColumn));
    }

    [Fact]
    public void EveryIndependentSyntaxErrorIsReportedInOnePass()
    {
        var text = "persona P { confidence_threshold: 1 }\n" +
                   "flow F() {\n  step A { banana }\n}\n" +
                   "context C { max_tokens: 1.5 }\n";
        var errors = SyntaxParser.Parse(text).Diagnostics.Where(d => d.IsError).ToList();
        Assert.Equal(new[] { 1, 3, 5 }, errors.Select(e => e.Span.StartLine));
    }

    /// <summary>
    /// The fast parse builds each declaration's AST as it goes and detaches its tree; an error after valid declarations
    /// sends the slow path back to the start, and it reports and recovers as when the error comes first.
    /// </summary>
    [Fact]
    public void AnErrorAfterParsedDeclarationsIsReportedAndTheyAreRecovered()
    {
        string valid = "persona P { tone: precise }\nflow F() {\n  step A { ask: \"x\" }\n}\n";
        string broken = "flow G() {\n  step B { banana }\n}\n";
        var late = SyntaxParser.Parse(valid + broken);
        var early = SyntaxParser.Parse(broken + valid);
        Assert.Null(late.Program);
        var error = Assert.Single(late.Diagnostics, d => d.IsError);
        var sameError = Assert.Single(early.Diagnostics, d => d.IsError);
        Assert.Equal((sameError.Code, sameError.Message, sameError.Span.StartLine + 4, sameError.Span.StartColumn),
            (error.Code, error.Message, error.Span.StartLine, error.Span.StartColumn));
        Assert.Equal(new[] { "P", "F" }, late.Recovered.Select(d => d switch { PersonaDecl p => p.Name, FlowDecl f => f.Name, _ => "?" }));
        Assert.Equal(early.TokenCount, late.TokenCount);
    }

    [Fact]
    public void WhereClauseSwallowsEpistemicKeywordsAsTheReferenceDoes()
    {
        var t = (TypeDecl)Parse("type T where x > 1 know { a: String }").Declarations.Single();
        Assert.Equal(("x > 1 know", "a"), (t.WhereExpression, t.Fields.Single().Name));
        var d = FirstError("type T where x > 1 know { flow F() {} }");
        Assert.Equal((1, 27), (d.Span.StartLine, d.Span.StartColumn));
        // Without a where-clause, the block is a declaration of its own.
        Assert.Equal(2, Parse("type T know { flow F() {} }").Declarations.Count);
    }

    [Fact]
    public void ErrorAtEndOfInputIsMarked()
    {
        var d = FirstError("persona Test {");
        Assert.True(d.AtEndOfInput);
    }
}
