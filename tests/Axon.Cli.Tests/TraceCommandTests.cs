using Axon.Cli.Tests.Support;

namespace Axon.Cli.Tests;

/// <summary>Issue 7: <c>axon trace</c> on the new trace, the reference's older shapes, and bad input.</summary>
public sealed class TraceCommandTests
{
    private static string Data(string name) => Path.Combine(AppContext.BaseDirectory, "Data", name);

    private static string RunWithTrace(TempDir dir)
    {
        var file = Corpus.CopyTo(dir, "example-contract_analyzer.axon");
        var r = InProc.Run("run", file, "-b", "stub", "--trace");
        Assert.True(r.Exit == 0, r.ToString());
        return dir.File("example-contract_analyzer.trace.json");
    }

    [Fact]
    public void Renders_a_run_trace_with_spans_events_and_durations()
    {
        using var dir = new TempDir();
        var r = InProc.Run("trace", RunWithTrace(dir));
        Assert.Equal(0, r.Exit);
        var lines = r.Out.Split('\n');
        Assert.Equal(new string('═', 60), lines[0]);
        Assert.Equal("  AXON Execution Trace", lines[1]);
        Assert.Contains("  source:  example-contract_analyzer.axon", r.Out);
        Assert.Contains("  backend: stub", r.Out);
        Assert.Contains("  axon_version: 0.7.0", r.Out);
        Assert.Matches(@"┌─ unit:AnalyzeContract \([\d.]+m?s\)  persona=LegalExpert context=LegalReview effort=high", r.Out);
        Assert.Matches(@"│  ┌─ step:Extract \([\d.]+m?s\)", r.Out);
        Assert.Matches(@"│  ┌─ step:Assess \([\d.]+m?s\)", r.Out);
        Assert.Contains("└─", r.Out);
        Assert.Matches(@"\[\+[\d.]+m?s\] step_start\s+Extract", r.Out);
        Assert.Matches(@"model_response\s+Extract · \d+→\d+ tok \([\d.]+m?s\)", r.Out);
        Assert.Matches(@"anchor_pass\s+Extract · NoHallucination", r.Out);
        Assert.DoesNotContain("\u001b[", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Renders_the_reference_file_shape_with_details_and_truncation()
    {
        var r = InProc.Run("trace", Data("reference-sample.trace.json"));
        Assert.Equal(0, r.Exit);
        Assert.Contains("  source:  contract_analyzer.axon", r.Out);
        Assert.Contains("  backend: anthropic", r.Out);
        Assert.Contains("Events (8)", r.Out);
        Assert.Matches(@"step_start\s+Extract", r.Out);
        // A summary longer than 80 characters keeps 77 plus "...".
        Assert.Contains("model_call       " + "Extracting entities from the uploaded contract, including every party, obliga...", r.Out);
        Assert.Matches(@"anchor_pass\s+NoHallucination", r.Out);
        // anchor_breach, validation_fail and retry_attempt list their other keys (values cut at 60 → 57 + "...").
        Assert.Contains("anchor_breach    StrictCompliance", r.Out);
        Assert.Contains("      reason: The clause on penalties is cited without any source docum...", r.Out);
        Assert.Contains("      severity: high", r.Out);
        Assert.Contains("      attempt: 2", r.Out);
    }

    [Fact]
    public void Renders_the_reference_tracer_root_with_nested_events()
    {
        var r = InProc.Run("trace", Data("tracer-root.trace.json"));
        Assert.Equal(0, r.Exit);
        Assert.Contains("  backend: anthropic", r.Out);
        Assert.Contains("┌─ unit:AnalyzeContract (1.23s)", r.Out);
        Assert.Matches(@"│  \[\+10ms\] step_start\s+Extract", r.Out);
        Assert.Matches(@"│  \[\+1\.20s\] step_end\s+Extract \(1\.19s\)", r.Out);
    }

    [Fact]
    public void Renders_a_top_level_event_list()
    {
        var r = InProc.Run("trace", Data("event-list.trace.json"));
        Assert.Equal(0, r.Exit);
        Assert.Contains("[12.5] step_start       Plan", r.Out);
        Assert.Contains("[13] validation_fail  Plan", r.Out);
        Assert.Contains("    violations: [\"missing field 'goal'\"]", r.Out);
    }

    [Fact]
    public void Colour_only_on_a_terminal_and_never_with_no_color()
    {
        var tty = InProc.Run(new Dictionary<string, string?>(), terminal: true, "trace", Data("reference-sample.trace.json"));
        Assert.Contains("\u001b[31m", tty.Out, StringComparison.Ordinal);
        var noColor = InProc.Run(new Dictionary<string, string?>(), terminal: true, "trace", Data("reference-sample.trace.json"), "--no-color");
        Assert.DoesNotContain("\u001b[", noColor.Out, StringComparison.Ordinal);
        Assert.Equal(InProc.Run("trace", Data("reference-sample.trace.json")).Out, noColor.Out);
    }

    [Fact]
    public void Invalid_json_missing_file_and_unknown_objects()
    {
        using var dir = new TempDir();
        var bad = dir.Write("bad.json", "{ \"_meta\": ");
        var r = InProc.Run("trace", bad);
        Assert.Equal(2, r.Exit);
        Assert.StartsWith("✗ Invalid JSON: ", r.Err);

        r = InProc.Run("trace", dir.File("missing.json"));
        Assert.Equal(2, r.Exit);
        Assert.Contains("✗ File not found: ", r.Err);

        // Neither spans nor events: a flat key/value dump.
        var other = dir.Write("other.json", "{ \"hello\": \"world\", \"n\": 3 }");
        r = InProc.Run("trace", other);
        Assert.Equal(0, r.Exit);
        Assert.Contains("  hello: world", r.Out);
        Assert.Contains("  n: 3", r.Out);
    }
}
