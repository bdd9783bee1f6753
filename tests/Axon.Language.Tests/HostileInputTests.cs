using System.Diagnostics;
using Axon.Language.IR;
using Axon.Language.Syntax;

namespace Axon.Language.Tests;

/// <summary>Issue 11: hostile or huge input is a diagnostic, never a dead process; the IR stays linear in the source.</summary>
public sealed class HostileInputTests
{
    public static TheoryData<string> Shapes() => new() { "par", "know", "if", "brackets", "else-if" };

    internal static string Nested(string shape, int n) => shape switch
    {
        "par" => "flow F() {\n" + string.Concat(Enumerable.Repeat("par {\n", n)) + "step A { ask: \"x\" }\n" + string.Concat(Enumerable.Repeat("}\n", n)) + "}\n",
        "know" => string.Concat(Enumerable.Repeat("know {\n", n)) + string.Concat(Enumerable.Repeat("}\n", n)),
        "if" => "flow F() {\n" + string.Concat(Enumerable.Repeat("if x -> ", n)) + "step A { ask: \"x\" }\n}\n",
        "else-if" => "flow F() {\n" + string.Concat(Enumerable.Repeat("if x -> step S { ask: \"s\" } else -> ", n)) + "step A { ask: \"x\" }\n}\n",
        "brackets" => "persona P { extra: " + new string('[', n) + new string(']', n) + " }\n",
        _ => throw new ArgumentException(shape),
    };

    // Runs on a thread with a 1 MB stack (the smallest a compiler host gives a generator), so recursion cannot hide.
    private static Compilation CompileOnSmallStack(string text)
    {
        Compilation? result = null;
        var thread = new Thread(() => result = AxonCompiler.Compile(text), 1024 * 1024);
        thread.Start();
        thread.Join();
        return result!;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Ten_thousand_levels_are_one_diagnostic_at_the_first_too_deep_token(string shape)
    {
        var clock = Stopwatch.StartNew();
        var result = CompileOnSmallStack(Nested(shape, 10_000));
        clock.Stop();
        var d = Assert.Single(result.Errors);
        Assert.Equal(DiagnosticCodes.NestingTooDeep, d.Code);
        // The target is 2 s; the bound leaves room for a heavily shared test machine (the measured times are in the PR).
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Contains("256", d.Message);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_limit_itself_compiles_on_a_small_stack(string shape)
    {
        // 250 levels of the shape (plus the flow's own braces) stay within the limit.
        var result = CompileOnSmallStack(Nested(shape, 250));
        Assert.DoesNotContain(result.Errors, e => e.Code == DiagnosticCodes.NestingTooDeep);
        Assert.DoesNotContain(result.Errors, e => e.Code == "AXN9999");
    }

    [Fact]
    public void Many_sibling_blocks_are_not_deep()
    {
        // 300 know blocks side by side are one level each; the limit is on depth, not on their number.
        var text = string.Concat(Enumerable.Range(0, 300).Select(i => $"know {{\n  flow F{i}() {{\n    step A {{ ask: \"x\" }}\n  }}\n}}\n"));
        var result = AxonCompiler.Compile(text);
        Assert.True(result.Success, string.Join("; ", result.Errors.Select(e => e.Code + " " + e.Message)));
    }

    [Fact]
    public void Ir_size_and_time_are_linear_in_nesting_depth()
    {
        // The compact IR (what the generator embeds and the runtime reads) is at most 50x the source at every depth,
        // and doubling the depth roughly doubles it (the reference's indented layout grows with depth squared).
        long Size(int depth)
        {
            var text = "flow F() {\n  step S { ask: \"s\" }\n" + string.Concat(Enumerable.Repeat("if confidence > 0.5 -> ", depth)) + "step A { ask: \"x\" }\n}\nrun F()\n";
            var result = AxonCompiler.Compile(text);
            Assert.True(result.Success, string.Join("; ", result.Errors.Select(e => e.Message)));
            var json = IrJson.Write(result.Ir!, "f.axon", "stub", AxonCompiler.LanguageVersion, indented: false);
            Assert.True(json.Length <= 50L * text.Length, $"depth {depth}: IR {json.Length} chars for {text.Length} chars of source");
            return json.Length;
        }
        long small = Size(120), large = Size(240);
        Assert.InRange((double)large / small, 1.5, 2.5);
    }

    [Fact]
    public void A_lone_surrogate_is_a_lexical_diagnostic()
    {
        var result = AxonCompiler.Compile("persona P {\n  description: \"a\ud800b\"\n}");
        var d = Assert.Single(result.Errors);
        Assert.Equal(DiagnosticCodes.LoneSurrogate, d.Code);
        Assert.Equal(DiagnosticPhase.Lex, d.Phase);
        Assert.Equal((2, 18), (d.Span.StartLine, d.Span.StartColumn));
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public void Every_line_ending_counts_lines(string eol)
    {
        var text = string.Join(eol, "persona P {", "  tone: loud", "}", "");
        var d = Assert.Single(AxonCompiler.Compile(text).Errors);
        Assert.Equal((2, 9), (d.Span.StartLine, d.Span.StartColumn));
    }

    [Fact]
    public void Numbers_the_runtime_cannot_hold_are_errors_with_their_position()
    {
        var text = "type T(0.0..1" + new string('0', 400) + ".0)\ncontext C { max_tokens: 3000000000 }\nflow F() { reason { depth: 3000000000 } }\ntool X { max_results: 9999999999 }\nflow G() { refine { max_attempts: 9999999999 } }";
        var errors = AxonCompiler.Compile(text).Errors.ToList();
        Assert.All(errors, e => Assert.Equal(DiagnosticCodes.NumberOutOfRange, e.Code));
        Assert.Equal(new[] { 1, 2, 3, 4, 5 }, errors.Select(e => e.Span.StartLine).OrderBy(x => x));
        Assert.Equal(13, errors.Single(e => e.Span.StartLine == 1).Span.StartColumn);
    }

    [Fact]
    public void An_integer_where_a_float_is_required_says_how_to_write_it()
    {
        var d = Assert.Single(AxonCompiler.Compile("persona P { confidence_threshold: 1 }").Errors);
        Assert.EndsWith("write 1.0", d.Message);
        Assert.Equal((1, 35), (d.Span.StartLine, d.Span.StartColumn));
    }

    [Theory]
    [InlineData("persona P { description: \"abc")]
    [InlineData("persona P { description: \"abc\\")]
    [InlineData("persona P { description: \"x\" } /* never closed")]
    public void A_string_or_comment_to_the_end_of_the_file_is_one_diagnostic(string text) =>
        Assert.Single(AxonCompiler.Compile(text).Errors);
}
