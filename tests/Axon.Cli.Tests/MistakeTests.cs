using System.Diagnostics;
using System.Text.Json;
using Axon.Cli.Tests.Support;

namespace Axon.Cli.Tests;

/// <summary>Issue 11 through the CLI: check runs the IR stage, positions are the offending token, hostile input is a diagnostic.</summary>
public sealed class MistakeTests
{
    private const string IrErrors = """
        flow F(x: String) {
          step A { given: B.output ask: "a" }
          step B { given: A.output ask: "b" }
          step C { use Serch("q") }
          step D { use Calc("1") }
        }
        tool Search { provider: brave }
        run F("x")
        """;

    [Fact]
    public void Check_reports_every_ir_error_that_compile_would()
    {
        using var dir = new TempDir();
        var file = dir.Write("ir.axon", IrErrors);
        var check = InProc.Run("check", file);
        Assert.Equal(1, check.Exit);
        Assert.Contains("ir.axon(2,8): error AXN4003: Cycle detected in flow step dependencies: A -> B -> A", check.Err);
        Assert.Contains("ir.axon(4,16): error AXN4002: Step 'C' uses undefined tool 'Serch'. Available tools: Search. Did you mean 'Search'?", check.Err);
        Assert.Contains("ir.axon(5,16): error AXN4002", check.Err);
        Assert.DoesNotContain("AXN4001", check.Err);
        var compile = InProc.Run("compile", file, "--stdout");
        Assert.Equal(1, compile.Exit);
    }

    [Fact]
    public void Json_diagnostics_keep_the_reference_position_as_a_related_location()
    {
        using var dir = new TempDir();
        var file = dir.Write("typo.axon", "persona Analyst { tone: precise }\nflow F() { step S { ask: \"x\" } }\nrun F()\n  as Analist\n");
        var r = InProc.Run("check", "--format", "json", file);
        Assert.Equal(1, r.Exit);
        using var json = JsonDocument.Parse(r.Out);
        var d = json.RootElement.GetProperty("files")[0].GetProperty("diagnostics")[0];
        Assert.Equal("AXN2030", d.GetProperty("code").GetString());
        Assert.Equal((4, 6), (d.GetProperty("line").GetInt32(), d.GetProperty("column").GetInt32()));
        Assert.EndsWith("Did you mean 'Analyst'?", d.GetProperty("message").GetString());
        var related = d.GetProperty("related")[0];
        Assert.Equal((3, 1), (related.GetProperty("line").GetInt32(), related.GetProperty("column").GetInt32()));
        Assert.True(related.GetProperty("reference").GetBoolean());
    }

    [Fact]
    public void Warnings_for_unbound_references_then_the_run_fails_the_step_naming_it()
    {
        using var dir = new TempDir();
        var file = dir.Write("given.axon", "flow Triage(ticket: String) {\n  step Extract { given: tickt ask: \"Extract\" }\n}\nrun Triage(\"t\")\n");
        var check = InProc.Run("check", file);
        Assert.Equal(0, check.Exit);
        Assert.Contains("given.axon(2,25): warning AXN2104", check.Out + check.Err);
        Assert.Contains("Did you mean 'ticket'?", check.Out + check.Err);
        var run = InProc.Run("run", file, "-b", "stub");
        Assert.Equal(1, run.Exit);
        Assert.Contains("references 'tickt'", run.All);
    }
}

/// <summary>10k nesting levels of every shape through the real CLI process: a diagnostic, exit 1, no stack trace.</summary>
[Collection(HeavyCollection.Name)]
public sealed class DeepNestingProcessTests
{
    public static TheoryData<string> Shapes() => new() { "par", "know", "if", "brackets" };

    private static string Nested(string shape, int n) => shape switch
    {
        "par" => "flow F() {\n" + string.Concat(Enumerable.Repeat("par {\n", n)) + "step A { ask: \"x\" }\n" + string.Concat(Enumerable.Repeat("}\n", n)) + "}\n",
        "know" => string.Concat(Enumerable.Repeat("know {\n", n)) + string.Concat(Enumerable.Repeat("}\n", n)),
        "if" => "flow F() {\n" + string.Concat(Enumerable.Repeat("if x -> ", n)) + "step A { ask: \"x\" }\n}\n",
        _ => "persona P { extra: " + new string('[', n) + new string(']', n) + " }\n",
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Ten_thousand_levels_are_a_diagnostic_not_a_stack_overflow(string shape)
    {
        using var dir = new TempDir();
        dir.Write("deep.axon", Nested(shape, 10_000));
        foreach (var command in new[] { "check", "compile" })
        {
            var clock = Stopwatch.StartNew();
            var r = AxonProcess.Run(dir.Path, TimeSpan.FromSeconds(60), null, command, "deep.axon");
            clock.Stop();
            Assert.True(r.Exit == 1, r.ToString());
            Assert.Contains("error AXN1106: Nesting deeper than 256 levels", r.Err);
            Assert.DoesNotContain("   at ", r.All); // no .NET stack frames
            Assert.DoesNotContain("Stack overflow", r.All);
        }
    }
}
