using Axon.Language.Semantics;
using Axon.Language.Syntax;

namespace Axon.Language.Tests.Semantics;

/// <summary>Every check of reference §3.4: code, message, position and order; plus the warnings and the epistemic error.</summary>
public sealed class CheckerTests
{
    private static IReadOnlyList<Diagnostic> Errors(string source)
    {
        var result = AxonCompiler.Compile(source, generateIr: false);
        Assert.True(result.Syntax != null, "unexpected syntax error: " + string.Join("; ", result.Errors.Select(e => e.Message)));
        return result.Errors.ToList();
    }

    private static void AssertOnly(string source, int check, string message, int line, int column)
    {
        var d = Assert.Single(Errors(source));
        Assert.Equal(DiagnosticCodes.Check(check), d.Code);
        // The reference's message, possibly followed by our "Did you mean" suggestion.
        Assert.True(d.Message == message || d.Message.StartsWith(message + ". Did you mean '", StringComparison.Ordinal), d.Message);
        // The reference's position (our primary span may be the offending token inside the statement).
        Assert.Equal((line, column), (d.ReferenceSpan.StartLine, d.ReferenceSpan.StartColumn));
        Assert.True(d.Span.StartLine >= line);
        Assert.Equal(DiagnosticPhase.Type, d.Phase);
    }

    [Fact]
    public void Check01_DuplicateDeclaration() =>
        AssertOnly("persona A { tone: precise }\n\ncontext A { depth: deep }", 1,
            "Duplicate declaration: 'A' already defined as persona (first defined at line 1)", 3, 1);

    [Fact]
    public void Check02_UnknownTone() =>
        AssertOnly("persona P { tone: technical }", 2,
            "Unknown tone 'technical' for persona 'P'. Valid tones: analytical, assertive, casual, diplomatic, empathetic, formal, friendly, precise", 1, 1);

    [Fact]
    public void Check03_ConfidenceThreshold() =>
        AssertOnly("persona P { confidence_threshold: 1.5 }", 3, "confidence_threshold must be between 0.0 and 1.0, got 1.5", 1, 1);

    [Fact]
    public void Check04_MemoryScope() =>
        AssertOnly("context C { memory: quantum }", 4, "Unknown memory scope 'quantum' in context 'C'. Valid: ephemeral, none, persistent, session", 1, 1);

    [Fact]
    public void Check05_Depth() =>
        AssertOnly("context C { depth: infinite }", 5, "Unknown depth 'infinite' in context 'C'. Valid: deep, exhaustive, shallow, standard", 1, 1);

    [Fact]
    public void Check06_Temperature() =>
        AssertOnly("context C { temperature: 5.0 }", 6, "temperature must be between 0.0 and 2.0, got 5.0", 1, 1);

    [Fact]
    public void Check07_MaxTokens() =>
        AssertOnly("context C { max_tokens: 0 }", 7, "max_tokens must be positive, got 0 in context 'C'", 1, 1);

    [Fact]
    public void Check08_AnchorFloor() =>
        AssertOnly("anchor A { confidence_floor: -0.5 }", 8, "confidence_floor must be between 0.0 and 1.0, got -0.5", 1, 1);

    [Fact]
    public void Check09_OnViolation() =>
        AssertOnly("anchor A { on_violation: redact }", 9, "Unknown on_violation action 'redact' in anchor 'A'. Valid: escalate, fallback, log, raise, warn", 1, 1);

    [Fact]
    public void Check10_RaiseWithoutTarget_UnreachableFromSourceButChecked()
    {
        var span = new TextSpan(2, 1, 2, 10);
        var program = new ProgramNode(new Declaration[]
        {
            new AnchorDecl("A", "", Array.Empty<string>(), "", null, "", "raise", "", span),
        }, TextSpan.Empty);
        var d = Assert.Single(Checker.Check(program));
        Assert.Equal("Anchor 'A' uses 'raise' but no error type specified", d.Message);
        Assert.Equal(DiagnosticCodes.Check(10), d.Code);
    }

    [Fact]
    public void Check11_StoreType() =>
        AssertOnly("memory M { store: cloud }", 11, "Unknown store type 'cloud' in memory 'M'. Valid: ephemeral, none, persistent, session", 1, 1);

    [Fact]
    public void Check12_Retrieval() =>
        AssertOnly("memory M { retrieval: fuzzy }", 12, "Unknown retrieval strategy 'fuzzy' in memory 'M'. Valid: exact, hybrid, semantic", 1, 1);

    [Fact]
    public void Check13_MaxResults() =>
        AssertOnly("tool T { max_results: -1 }", 13, "max_results must be positive, got -1 in tool 'T'", 1, 1);

    [Fact]
    public void Check14_Range() =>
        AssertOnly("type T(5..1)", 14, "Invalid range constraint in type 'T': min (5.0) must be less than max (1.0)", 1, 1);

    [Fact]
    public void Check15_IntentWithoutAsk() =>
        AssertOnly("intent I { given: x }", 15, "Intent 'I' is missing required 'ask' field \u2014 every intent must express a question", 1, 1);

    [Fact]
    public void Check16_IntentFloor() =>
        AssertOnly("intent I { ask: \"q\" confidence_floor: 2.0 }", 16, "confidence_floor must be between 0.0 and 1.0, got 2.0", 1, 1);

    [Fact]
    public void Check17_DuplicateStepName() =>
        AssertOnly("flow F() {\n  step S { ask: \"a\" }\n  step S { ask: \"b\" }\n}", 17, "Duplicate step name 'S' in flow 'F'", 3, 3);

    [Fact]
    public void Check17_StepsInBothIfBranchesShareTheFlowsNames() =>
        AssertOnly("flow F() {\n  step S { ask: \"a\" }\n  if x -> step S { ask: \"b\" }\n}", 17, "Duplicate step name 'S' in flow 'F'", 3, 11);

    [Fact]
    public void Check18_StepFloor() =>
        AssertOnly("flow F() {\n  step S { confidence_floor: 1.5 }\n}", 18, "confidence_floor must be between 0.0 and 1.0, got 1.5", 2, 3);

    [Fact]
    public void Check19_ProbeWithoutFields_UnreachableFromSourceButChecked()
    {
        var span = new TextSpan(1, 1, 1, 2);
        var flow = new FlowDecl("F", Array.Empty<Parameter>(), null, new FlowStep[] { new ProbeNode("doc", Array.Empty<string>(), span) }, span);
        var d = Assert.Single(Checker.Check(new ProgramNode(new Declaration[] { flow }, span)));
        Assert.Equal("Probe directive is missing extraction fields", d.Message);
    }

    [Fact]
    public void Check20_ReasonDepth() =>
        AssertOnly("flow F() {\n  reason { depth: 0 }\n}", 20, "Reasoning depth must be >= 1, got 0", 2, 3);

    [Fact]
    public void Check21_ValidateWithoutRules() =>
        AssertOnly("flow F() {\n  validate A.output against S { }\n}", 21, "Validate gate has no rules \u2014 at least one rule is required", 2, 3);

    [Fact]
    public void Check22_RefineMaxAttempts() =>
        AssertOnly("flow F() {\n  refine { max_attempts: 0 }\n}", 22, "Refine max_attempts must be >= 1, got 0", 2, 3);

    [Fact]
    public void Check23_RefineBackoff() =>
        AssertOnly("flow F() {\n  refine { backoff: random }\n}", 23, "Unknown backoff strategy 'random'. Valid: exponential, linear, none", 2, 3);

    [Fact]
    public void Check24_WeaveSources() =>
        AssertOnly("flow F() {\n  weave [A.output] into R\n}", 24, "Weave requires at least 2 sources to synthesize \u2014 got 1", 2, 3);

    [Fact]
    public void Check25_UseOfANonTool() =>
        AssertOnly("persona P { }\nflow F() {\n  step S { use P(\"q\") }\n}", 25, "'P' is a persona, not a tool", 3, 12);

    [Fact]
    public void Check25_UndeclaredToolIsNotATypeError() => Assert.Empty(Errors("flow F() {\n  step S { use Web(\"q\") }\n}"));

    [Fact]
    public void Check26_RememberTarget() =>
        AssertOnly("tool T { }\nflow F() {\n  remember(X) -> T\n}", 26, "'remember' target 'T' is a tool, not a memory store", 3, 3);

    [Fact]
    public void Check27_RecallSource() =>
        AssertOnly("type T\nflow F() {\n  recall(\"q\") from T\n}", 27, "'recall' source 'T' is a type, not a memory store", 3, 3);

    [Fact]
    public void Check28_UndefinedFlow() => AssertOnly("run Nope()", 28, "Undefined flow 'Nope' in run statement", 1, 1);

    [Fact]
    public void Check29_RunOfANonFlow() =>
        AssertOnly("persona P { }\nrun P()", 29, "'P' is a persona, not a flow \u2014 only flows can be run", 2, 1);

    [Fact]
    public void Check30_Persona()
    {
        AssertOnly("flow F() { }\nrun F() as Ghost", 30, "Undefined persona 'Ghost'", 2, 1);
        AssertOnly("flow F() { }\ncontext C { }\nrun F() as C", 30, "'C' is a context, not a persona", 3, 1);
    }

    [Fact]
    public void Check31_Context()
    {
        AssertOnly("flow F() { }\nrun F() within Ghost", 31, "Undefined context 'Ghost'", 2, 1);
        AssertOnly("flow F() { }\npersona P { }\nrun F() within P", 31, "'P' is a persona, not a context", 3, 1);
    }

    [Fact]
    public void Check32_Anchors()
    {
        AssertOnly("flow F() { }\nrun F() constrained_by [Ghost]", 32, "Undefined anchor 'Ghost'", 2, 1);
        AssertOnly("flow F() { }\npersona P { }\nrun F() constrained_by [P]", 32, "'P' is a persona, not an anchor", 3, 1);
    }

    [Fact]
    public void Check33_Effort() =>
        AssertOnly("flow F() { }\nrun F() effort: extreme", 33, "Unknown effort level 'extreme'. Valid: high, low, max, medium", 2, 1);

    [Fact]
    public void Check34_EpistemicMode_UnreachableFromSourceButChecked()
    {
        var span = new TextSpan(1, 1, 1, 2);
        var d = Assert.Single(Checker.Check(new ProgramNode(new Declaration[] { new EpistemicBlock("guess", Array.Empty<Declaration>(), span) }, span)));
        Assert.Equal("Invalid epistemic mode 'guess', expected one of: believe, doubt, know, speculate", d.Message);
    }

    [Fact]
    public void Check35_SingleBranchPar() =>
        AssertOnly("flow F() {\n  par { step A { ask: \"a\" } }\n}", 35, "Parallel block requires at least 2 branches for concurrent dispatch", 2, 3);

    [Fact]
    public void Check36_HibernateWithoutEvent() =>
        AssertOnly("flow F() {\n  hibernate timeout 10s\n}", 36, "hibernate requires an event name: hibernate until \"event_name\"", 2, 3);

    [Fact]
    public void InsideParOnlyNestedParAndHibernateAreChecked()
    {
        // The duplicate step name and the bad floor inside par are not checked (as in the reference); the nested par is.
        var errors = Errors("flow F() {\n  step A { ask: \"a\" }\n  par {\n    step A { confidence_floor: 9.0 }\n    par { hibernate until \"x\" }\n  }\n}");
        var d = Assert.Single(errors);
        Assert.Equal(DiagnosticCodes.Check(35), d.Code);
        Assert.Equal(5, d.Span.StartLine);
    }

    [Fact]
    public void RunChecksComeInTheReferenceOrder()
    {
        var errors = Errors("run Ghost() as P within C constrained_by [A, B] effort: huge");
        Assert.Equal(new[] { 28, 30, 31, 32, 32, 33 }, errors.Select(e => int.Parse(e.Code.Substring(4))));
    }

    [Fact]
    public void StepChecksUseTheFixedOrderFloorReasonWeave()
    {
        var errors = Errors("flow F() {\n  step S {\n    weave [A.output] into R\n    reason { depth: 0 }\n    confidence_floor: 2.0\n  }\n}");
        Assert.Equal(new[] { 2, 4, 3 }, errors.Select(e => e.ReferenceSpan.StartLine));
        // Each on its offending token: the floor value, the depth value, the weave.
        Assert.Equal(new[] { (5, 23), (4, 21), (3, 5) }, errors.Select(e => (e.Span.StartLine, e.Span.StartColumn)));
    }

    [Fact]
    public void DuplicatesComeFirstThenDeclarationOrder()
    {
        var errors = Errors("persona P { tone: loud }\npersona P { }");
        Assert.Equal(new[] { DiagnosticCodes.Check(1), DiagnosticCodes.Check(2) }, errors.Select(e => e.Code));
    }

    [Fact]
    public void UnknownTypeAndUnknownFieldAreWarningsNotErrors()
    {
        var result = AxonCompiler.Compile("persona P { mood: sunny }\nflow F(d: Mystery) -> Report { step S { ask: \"a\" output: Summary } }");
        Assert.True(result.Success);
        var warnings = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning).ToList();
        Assert.Contains(warnings, w => w.Code == DiagnosticCodes.UnknownField && w.Message.Contains("'mood'") && w.Span.StartColumn == 13);
        Assert.Contains(warnings, w => w.Code == DiagnosticCodes.UnknownType && w.Message.Contains("'Mystery'"));
        Assert.Contains(warnings, w => w.Code == DiagnosticCodes.UnknownType && w.Message.Contains("'Report'"));
    }

    [Fact]
    public void ReturnTypeIncompatibleWithFinalOutputIsAWarning()
    {
        var result = AxonCompiler.Compile("flow F() -> RiskScore { step S { ask: \"a\" output: Document } }");
        Assert.True(result.Success);
        var w = Assert.Single(result.Diagnostics, d => d.Code == DiagnosticCodes.ReturnTypeMismatch);
        Assert.Equal("Flow 'F' returns RiskScore, but its final step produces Document", w.Message);
        // Compatible pairs of the lattice give no warning.
        Assert.DoesNotContain(AxonCompiler.Compile("flow F() -> Float { step S { ask: \"a\" output: RiskScore } }").Diagnostics,
            d => d.Code == DiagnosticCodes.ReturnTypeMismatch);
    }

    [Theory]
    [InlineData("FactualClaim", "Opinion", true)]
    [InlineData("CitedFact", "Speculation", true)]
    [InlineData("HighConfidenceFact", "Uncertainty", true)]
    [InlineData("FactualClaim", "CitedFact", false)]
    [InlineData("Opinion", "Opinion", false)]
    [InlineData("String", "Opinion", false)]
    public void HedgedOutputWhereAFactIsDeclaredIsAnError(string declared, string produced, bool error)
    {
        var result = AxonCompiler.Compile($"flow F() -> {declared} {{\n  step S {{ ask: \"a\" output: {produced} }}\n}}");
        Assert.Equal(error, result.Errors.Any(e => e.Code == DiagnosticCodes.EpistemicMismatch));
        if (error) Assert.Equal(2, result.Errors.Single().Span.StartLine);
    }

    [Fact]
    public void HedgedReasoningInsideAFactStepIsAnError()
    {
        var result = AxonCompiler.Compile("flow F() {\n  step S {\n    reason { output: Opinion }\n    output: FactualClaim\n  }\n}");
        var d = Assert.Single(result.Errors);
        Assert.Equal(DiagnosticCodes.EpistemicMismatch, d.Code);
        Assert.Equal(3, d.Span.StartLine);
    }
}
