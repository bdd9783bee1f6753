using Axon.Language.Semantics;
using Axon.Language.Syntax;

namespace Axon.Language.Tests.Semantics;

/// <summary>Issue 11: the mistakes that cost money are warnings on the offending token, with a suggestion.</summary>
public sealed class ReferenceWarningTests
{
    private const string Typo = """
        persona Analyst { tone: precise }
        type Item { title: String }
        flow Triage(ticket: String, customer_tier: String) -> Item {
          step Extract { given: tickt ask: "Extract for {{custmer_tier}}" output: Itme }
          step Assess { given: Extrat.output ask: "Assess" output: Item }
        }
        run Triage("t", "gold", "extra") as Analyst
        """;

    private static Diagnostic One(IReadOnlyList<Diagnostic> all, string code) => Assert.Single(all, d => d.Code == code);

    [Fact]
    public void Every_typo_is_a_warning_on_its_token_with_a_suggestion()
    {
        var result = AxonCompiler.Compile(Typo);
        Assert.True(result.Success, string.Join("; ", result.Errors.Select(e => e.Message)));

        var given = One(result.Diagnostics, DiagnosticCodes.UnresolvedReference);
        Assert.Equal(new TextSpan(4, 25, 4, 30), given.Span);
        Assert.EndsWith("Did you mean 'ticket'?", given.Message);
        Assert.Equal(DiagnosticSeverity.Warning, given.Severity);

        var placeholder = One(result.Diagnostics, DiagnosticCodes.UnresolvedPlaceholder);
        Assert.Equal(new TextSpan(4, 51, 4, 63), placeholder.Span);
        Assert.EndsWith("Did you mean 'customer_tier'?", placeholder.Message);

        var output = One(result.Diagnostics, DiagnosticCodes.OutputOfNonStep);
        Assert.Equal((5, 24), (output.Span.StartLine, output.Span.StartColumn));
        Assert.EndsWith("Did you mean 'Extract'?", output.Message);

        var type = One(result.Diagnostics, DiagnosticCodes.UnknownType);
        Assert.Equal(new TextSpan(4, 75, 4, 79), type.Span);
        Assert.EndsWith("Did you mean 'Item'?", type.Message);

        var extra = One(result.Diagnostics, DiagnosticCodes.ExtraRunArguments);
        Assert.Equal((7, 25), (extra.Span.StartLine, extra.Span.StartColumn));
    }

    [Theory]
    [InlineData("given: ticket", 0)]
    [InlineData("given: [ticket, First.output]", 0)]
    [InlineData("given: First.output.title", 0)]
    [InlineData("given: probe_ticket", 0)]
    [InlineData("given: Notes", 0)]
    [InlineData("given: recall_Notes", 0)]
    [InlineData("given: approval", 0)]
    [InlineData("ask: \"About {{ ticket }} and {{First.output}}\"", 0)]
    [InlineData("given: nothing", 1)]
    [InlineData("ask: \"{{nothing}}\"", 1)]
    [InlineData("given: Nothing.output", 1)]
    public void Bindable_names_are_parameters_outputs_recalled_memories_and_events(string item, int warnings)
    {
        var source = $$"""
            memory Notes { store: session }
            flow F(ticket: String) {
              step First { ask: "a" }
              probe ticket for [a, b]
              recall("x") from Notes
              hibernate until "approval"
              step Second { {{item}} }
            }
            """;
        var result = AxonCompiler.Compile(source);
        Assert.Equal(warnings, result.Diagnostics.Count(d => d.Code is DiagnosticCodes.UnresolvedReference or DiagnosticCodes.UnresolvedPlaceholder or DiagnosticCodes.OutputOfNonStep));
    }

    [Fact]
    public void A_declaration_name_used_as_a_value_says_what_it_is()
    {
        var result = AxonCompiler.Compile("persona P { tone: precise }\nflow F() { step S { given: P ask: \"x\" } }");
        Assert.Contains("'P' is a persona", One(result.Diagnostics, DiagnosticCodes.UnresolvedReference).Message);
    }

    [Fact]
    public void Extra_run_arguments_warn_at_the_first_extra_but_named_ones_do_not_count()
    {
        var extra = AxonCompiler.Compile("flow F(a: String) { step S { given: a ask: \"x\" } }\nrun F(\"one\", \"two\", \"three\")");
        var d = One(extra.Diagnostics, DiagnosticCodes.ExtraRunArguments);
        Assert.Equal(new TextSpan(2, 14, 2, 19), d.Span);
        Assert.True(extra.Success);
        var named = AxonCompiler.Compile("flow F(a: String, b: String) { step S { given: a ask: \"x\" } }\nrun F(\"one\", b: \"two\")");
        Assert.DoesNotContain(named.Diagnostics, x => x.Code == DiagnosticCodes.ExtraRunArguments);
        var missing = AxonCompiler.Compile("flow F(a: String, b: String) { step S { given: a ask: \"x\" } }\nrun F()");
        Assert.DoesNotContain(missing.Diagnostics, x => x.Code == DiagnosticCodes.ExtraRunArguments);
    }

    [Theory]
    [InlineData("run F() as Analist", "persona", "Analist", "Analyst", 2, 12)]
    [InlineData("run F() within Contxt", "context", "Contxt", "", 2, 16)]
    [InlineData("run F() constrained_by [NoHalucination]", "anchor", "NoHalucination", "NoHallucination", 2, 25)]
    [InlineData("run f()", "flow", "f", "F", 2, 5)]
    [InlineData("run G()", "flow", "G", "", 2, 5)]
    public void Undefined_run_references_point_at_the_name_and_suggest(string run, string kind, string name, string suggestion, int line, int column)
    {
        var source = "persona Analyst { tone: precise } context Ctx { depth: deep } anchor NoHallucination { require: source_citation } flow F() { step S { ask: \"x\" } }\n" + run;
        var d = Assert.Single(AxonCompiler.Compile(source).Errors);
        Assert.Contains($"'{name}'", d.Message);
        Assert.Contains(kind, d.Message);
        if (suggestion.Length > 0) Assert.EndsWith($"Did you mean '{suggestion}'?", d.Message);
        else Assert.DoesNotContain("Did you mean", d.Message);
        Assert.Equal((line, column), (d.Span.StartLine, d.Span.StartColumn));
        Assert.Equal((2, 1), (d.ReferenceSpan.StartLine, d.ReferenceSpan.StartColumn));
        Assert.Contains(d.Related, r => r.IsReferencePosition);
    }

    [Fact]
    public void Value_errors_point_at_the_value()
    {
        var d = Assert.Single(AxonCompiler.Compile("persona P {\n  tone: formel\n}").Errors);
        Assert.Equal(new TextSpan(2, 9, 2, 15), d.Span);
        Assert.EndsWith("Did you mean 'formal'?", d.Message);
        Assert.Equal((1, 1), (d.ReferenceSpan.StartLine, d.ReferenceSpan.StartColumn));
    }

    [Fact]
    public void Ir_errors_are_all_reported_in_one_pass_without_cascade()
    {
        var source = """
            flow F(x: String) {
              step A { given: B.output ask: "a" }
              step B { given: A.output ask: "b" }
              step C { use Serch("q") }
              step D { use Calc("1") }
            }
            tool Search { provider: brave }
            run F("x")
            """;
        var errors = AxonCompiler.Compile(source).Errors.ToList();
        Assert.Equal(new[] { DiagnosticCodes.DependencyCycle, DiagnosticCodes.UndefinedTool, DiagnosticCodes.UndefinedTool }, errors.Select(e => e.Code));
        Assert.Contains("A -> B -> A", errors[0].Message);
        Assert.Equal((2, 8), (errors[0].Span.StartLine, errors[0].Span.StartColumn));
        Assert.Equal((1, 1), (errors[0].ReferenceSpan.StartLine, errors[0].ReferenceSpan.StartColumn));
        Assert.Equal((4, 16), (errors[1].Span.StartLine, errors[1].Span.StartColumn));
        Assert.EndsWith("Did you mean 'Search'?", errors[1].Message);
        Assert.Equal((4, 3), (errors[1].ReferenceSpan.StartLine, errors[1].ReferenceSpan.StartColumn));
        Assert.DoesNotContain(errors, e => e.Code == DiagnosticCodes.UndefinedRunReference);
    }

    [Fact]
    public void Suggestions_use_case_insensitive_edit_distance()
    {
        Assert.Equal("Extract", NameSuggestions.Closest("extract", new[] { "Extract", "Assess" }));
        Assert.Equal("Extract", NameSuggestions.Closest("Extarct", new[] { "Extract" }));
        Assert.Null(NameSuggestions.Closest("Zebra", new[] { "Extract" }));
    }

    [Fact]
    public void References_keep_the_span_of_every_name_token_for_tools()
    {
        var program = AxonCompiler.Compile("flow F(doc: Document) -> Item {\n  step S { given: doc ask: \"{{doc}}\" output: Item }\n}").Syntax!;
        var flow = Assert.IsType<FlowDecl>(program.Declarations[0]);
        Assert.Equal(new TextSpan(1, 6, 1, 7), flow.NameSpan);
        var step = Assert.IsType<StepNode>(flow.Body[0]);
        Assert.Equal(new TextSpan(2, 8, 2, 9), step.NameSpan);
        Assert.Equal(new[] { ReferenceKind.Value, ReferenceKind.Placeholder, ReferenceKind.Type }, step.References.Select(r => r.Kind));
        Assert.Equal(new TextSpan(2, 31, 2, 34), step.References[1].Span);
    }

    [Theory]
    [InlineData("List<Item>", "Item", false)]
    [InlineData("List<String>", "List", false)]
    [InlineData("List", "List", false)]
    [InlineData("List<Item>", "Other", true)]
    public void A_list_flow_whose_final_step_outputs_the_element_type_does_not_warn(string returns, string output, bool warns)
    {
        var result = AxonCompiler.Compile($"type Item {{ a: String }}\ntype Other {{ b: String }}\nflow F() -> {returns} {{ step S {{ ask: \"x\" output: {output} }} }}");
        Assert.Equal(warns, result.Diagnostics.Any(d => d.Code == DiagnosticCodes.ReturnTypeMismatch));
    }
}
