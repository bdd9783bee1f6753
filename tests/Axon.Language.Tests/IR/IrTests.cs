using Axon.Language.IR;

namespace Axon.Language.Tests.IR;

/// <summary>Lowering, the execution DAG and IR errors (reference §4).</summary>
public sealed class IrTests
{
    private static IrProgram Ir(string text)
    {
        var result = AxonCompiler.Compile(text);
        Assert.True(result.Success, string.Join("; ", result.Errors.Select(e => e.Message)));
        return result.Ir!;
    }

    [Fact]
    public void ContinuationIdMatchesTheReferenceVector()
    {
        Assert.Equal("c53e3778e6619760", IrGenerator.ContinuationId("event", 1, 31));
        var flow = Ir("flow T(x: String) -> String { hibernate until \"event\" }").Flows.Single();
        Assert.Equal("c53e3778e6619760", Assert.IsType<IrHibernate>(flow.Steps.Single()).ContinuationId);
    }

    [Fact]
    public void ExecutionLevelsFollowTheReferenceExample()
    {
        // The verified example of reference §4.3.
        var text = """
            tool Calc { }
            memory M { }
            flow F(doc: Document) {
              step A { given: doc ask: "a {{B}}" }
              step B { use Calc("1+1") }
              probe doc for [x]
              reason { given: [A.output, B.output] }
              par { step P1 { ask: "1" } step P2 { ask: "2" } }
              validate A.output against S { if confidence < 0.5 -> pass }
              refine { max_attempts: 2 }
              weave [A.output, B.output] into R
              remember(A) -> M
              recall("q") from M
              if confidence < 0.5 -> step C { ask: "c" }
              hibernate until "e"
            }
            """;
        var flow = Ir(text).Flows.Single();
        Assert.Equal(
            new[]
            {
                new[] { "B", "__anonymous_2__", "__anonymous_4__", "__anonymous_6__", "__anonymous_8__", "__anonymous_9__", "__anonymous_10__", "__anonymous_11__" },
                new[] { "A" },
                new[] { "", "__anonymous_5__", "__anonymous_7__" },
            },
            flow.ExecutionLevels.Select(l => l.ToArray()));
        Assert.Equal(new[] { "step", "probe", "parallel_block", "refine", "remember", "recall", "conditional", "hibernate", "step", "reason", "validate", "weave" },
            flow.Steps.Select(s => s.NodeType));
        Assert.Contains(flow.Edges, e => e.SourceStep == "B" && e.TargetStep == "A");
        Assert.Equal(2, flow.Edges.Count(e => e.TargetStep == ""));
    }

    [Fact]
    public void CycleIsReportedAtTheFlow()
    {
        var result = AxonCompiler.Compile("flow F() {\n  step A { given: B.output }\n  step B { ask: \"{{ A }}\" }\n}");
        var d = Assert.Single(result.Errors);
        // The reference's position (the flow) is kept as a related location; the primary span is the first step on the cycle.
        Assert.Equal((DiagnosticCodes.DependencyCycle, "Cycle detected in flow step dependencies: A -> B -> A (in flow 'F')", 1, 1),
            (d.Code, d.Message, d.ReferenceSpan.StartLine, d.ReferenceSpan.StartColumn));
        Assert.Equal((2, 8), (d.Span.StartLine, d.Span.StartColumn));
        Assert.Equal(DiagnosticPhase.Ir, d.Phase);
    }

    [Fact]
    public void UndefinedToolIsReportedOnlyForRunFlows()
    {
        Assert.True(AxonCompiler.Compile("tool B { }\ntool A { }\nflow F() {\n  step S { use X(\"q\") }\n}").Success);
        var d = Assert.Single(AxonCompiler.Compile("tool B { }\ntool A { }\nflow F() {\n  step S { use X(\"q\") }\n}\nrun F()").Errors);
        Assert.Equal("Step 'S' uses undefined tool 'X'. Available tools: A, B", d.Message);
        Assert.Equal((4, 3), (d.ReferenceSpan.StartLine, d.ReferenceSpan.StartColumn));
        Assert.Equal((4, 16), (d.Span.StartLine, d.Span.StartColumn));
    }

    [Fact]
    public void RedeclaredNamesKeepTheFirstPositionAndTheLastContent()
    {
        // The checker reports the duplicate; the IR table semantics are those of a Python dict.
        var syntax = Axon.Language.Syntax.SyntaxParser.Parse("persona A { tone: precise }\npersona B { }\npersona A { tone: formal }").Program!;
        var ir = IrGenerator.Generate(syntax).Program!;
        Assert.Equal(new[] { "A", "B" }, ir.Personas.Select(p => p.Name));
        Assert.Equal(("formal", 3), (ir.Personas[0].Tone, ir.Personas[0].SourceLine));
    }

    [Fact]
    public void IntentsAndEpistemicBlocksLeaveNoTraceButTheirFlows()
    {
        var ir = Ir("intent I { ask: \"q\" }\nspeculate { flow F() { } }");
        Assert.Equal("F", ir.Flows.Single().Name);
        Assert.Equal("speculate", ir.Flows.Single().EpistemicMode);
        Assert.DoesNotContain("intent", IrJson.Write(ir, "x.axon", "anthropic"));
    }

    [Fact]
    public void RunsEmbedFullCopiesOfWhatTheyReference()
    {
        var ir = Ir("persona P { }\ncontext C { }\nanchor A { }\nflow F() { }\nrun F() as P within C constrained_by [A] on_failure: retry(backoff: exponential)");
        var run = ir.Runs.Single();
        Assert.Same(ir.Flows[0], run.ResolvedFlow);
        Assert.Equal(("P", "C", "A"), (run.ResolvedPersona!.Name, run.ResolvedContext!.Name, run.ResolvedAnchors.Single().Name));
        Assert.Equal(new Axon.Language.Syntax.KeyValue("backoff", "exponential"), run.OnFailureParams.Single());
    }

    [Fact]
    public void JsonUsesPythonFloatsAndKeepsNonAscii()
    {
        var json = IrJson.Write(Ir("type T(1..5)\npersona P { description: \"naïve — \\\"q\\\"\" confidence_threshold: 0.85 }"), "t.axon", "openai");
        Assert.Contains("\"range_min\": 1.0,", json);
        Assert.Contains("\"confidence_threshold\": 0.85,", json);
        Assert.Contains("\"description\": \"naïve — \\\"q\\\"\"", json);
        Assert.EndsWith("\"backend\": \"openai\",\n    \"axon_version\": \"0.7.0\"\n  }\n}", json);
    }
}
