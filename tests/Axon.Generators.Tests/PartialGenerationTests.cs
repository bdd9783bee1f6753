using Axon.Generators.Tests.Support;
using Microsoft.CodeAnalysis;

namespace Axon.Generators.Tests;

/// <summary>Issue 11: one mistake in a .axon file is one error; the rest of the file's C# is still generated.</summary>
public sealed class PartialGenerationTests
{
    private const string OneBrokenFlow = """
        type Finding { title: String, severity: Float }
        persona Analyst { tone: precise }
        flow Good(doc: Document) -> Finding {
          step Read { given: doc ask: "Find the main risk" output: Finding }
        }
        flow Broken(doc: Document) -> Finding {
          step Read { given: doc ask: "a" output: Finding }
          step Read { given: doc ask: "b" output: Finding }
        }
        run Good(report) as Analyst
        """;

    private const string UserCode = """
        using System.Threading.Tasks;
        using Axon.Runtime.SemanticTypes;
        namespace TestApp;
        public static class UsesTheFile
        {
            public static Finding Make() => new Finding("t", 0.5);
            public static Task<Finding> RunGood(GoodFlow flow, Document doc) => flow.RunAsync(doc);
            public static Task<Finding> RunBroken(BrokenFlow flow, Document doc) => flow.RunAsync(doc);
            public static object Persona => PartialAxon.Personas.Analyst;
        }
        """;

    [Fact]
    public void A_broken_flow_keeps_its_signature_and_the_rest_is_generated_so_one_typo_is_one_error()
    {
        var (run, output, diagnostics) = GeneratorHarness.Run([("partial.axon", OneBrokenFlow)], [UserCode]);

        var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        var error = Assert.Single(errors);
        Assert.Equal("AXN2017", error.Id);
        Assert.Equal(7, error.Location.GetLineSpan().StartLinePosition.Line); // line 8, the second `Read`
        Assert.Single(run.Results.Single().GeneratedSources, s => s.HintName == "partial.axon.g.cs");
        // The user's C# (types, the valid flow, the broken flow's signature, the persona) compiles.
        Assert.Empty(output.GetDiagnostics(TestContext.Current.CancellationToken).Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void A_syntax_error_in_one_flow_leaves_the_other_declarations()
    {
        var text = "type Finding { title: String }\nflow Good() -> Finding { step A { ask: \"x\" output: Finding } }\nflow Broken() { step B { ask \"missing colon\" } }\n";
        var (run, output, diagnostics) = GeneratorHarness.Run([("syntax.axon", text)],
            ["namespace TestApp; public static class U { public static Finding F() => new Finding(\"t\"); public static System.Type G => typeof(GoodFlow); }"]);
        Assert.Equal("AXN1100", Assert.Single(diagnostics, d => d.Severity == DiagnosticSeverity.Error).Id);
        Assert.Single(run.Results.Single().GeneratedSources, s => s.HintName == "syntax.axon.g.cs");
        Assert.Empty(output.GetDiagnostics(TestContext.Current.CancellationToken).Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void Using_a_broken_flow_throws_a_clear_error()
    {
        var (run, _, _) = GeneratorHarness.Run([("partial.axon", OneBrokenFlow)]);
        var source = run.Results.Single().GeneratedSources.Single(s => s.HintName == "partial.axon.g.cs").SourceText.ToString();
        Assert.Contains("public sealed partial class BrokenFlow", source);
        Assert.Contains("AXON flow 'Broken' in partial.axon has errors", source);
        Assert.Contains("public sealed partial class GoodFlow", source);
    }
}
