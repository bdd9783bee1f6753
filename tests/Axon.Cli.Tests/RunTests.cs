using System.Text.Json;
using System.Text.Json.Nodes;
using Axon.Cli.Tests.Support;
using Axon.Language;

namespace Axon.Cli.Tests;

/// <summary>Issue 7: <c>axon run</c> on the stub and the seed's backend errors.</summary>
public sealed class RunTests
{
    private static readonly Dictionary<string, string?> NoKeys = new();

    [Fact]
    public void Stub_runs_the_contract_analyzer_offline_and_says_so()
    {
        using var dir = new TempDir();
        var file = Corpus.CopyTo(dir, "example-contract_analyzer.axon");
        var r = InProc.RunIn(dir.Path, NoKeys, "run", file, "-b", "stub");
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Contains("▶ example-contract_analyzer.axon: 1 run(s) on stub (offline", r.Out);
        Assert.Contains("synthetic", r.Out);
        Assert.Contains("━━ run 1/1: AnalyzeContract(myContract) as LegalExpert within LegalReview ━━", r.Out);
        Assert.Contains("✓ completed", r.Out);
        Assert.Matches(@"✓ Extract\s+step", r.Out);
        Assert.Matches(@"✓ Assess\s+step", r.Out);
        Assert.Contains("anchors   NoHallucination ✓ 2/2", r.Out);
        Assert.Matches(@"usage     \d+ input \+ \d+ output tokens", r.Out);
        Assert.Contains("cost      $0.000000", r.Out);
        Assert.Matches(@"duration  [\d.]+ m?s", r.Out);
        // output_to: "report.json" lands in the working directory, and the message names the full path.
        Assert.True(File.Exists(dir.File("report.json")));
        Assert.Contains("written   " + dir.File("report.json"), r.Out);
        Assert.Contains("✓ 1 run(s) finished", r.Out);
        Assert.DoesNotContain("\u001b[", r.All, StringComparison.Ordinal);
    }

    /// <summary>Every valid corpus program with runs (at least five) runs on the stub: one result block per run statement.</summary>
    [Theory]
    [MemberData(nameof(CorpusProgramsWithRuns))]
    public void Stub_runs_corpus_programs(string name)
    {
        using var dir = new TempDir();
        var file = Corpus.CopyTo(dir, name);
        int runs = AxonCompiler.Compile(File.ReadAllText(file)).Ir!.Runs.Count;
        var r = InProc.RunIn(dir.Path, NoKeys, "run", file, "-b", "stub", "--trace");
        Assert.True(r.Exit == 0, r.ToString());
        Assert.True(File.Exists(RunCommandTracePath(file)), "every run leaves a trace");
        Assert.DoesNotContain("✗", r.Out);
        Assert.Equal(runs, r.Out.Split("━━ run ").Length - 1);
        for (int i = 1; i <= runs; i++) Assert.Contains($"━━ run {i}/{runs}: ", r.Out);
        // hibernate suspends a run (it waits for its event); every other run completes.
        Assert.Equal(runs, r.Out.Split("✓ completed").Length - 1 + r.Out.Split("⏸ suspended").Length - 1);
        Assert.DoesNotContain("Internal error", r.All);
    }

    private static string RunCommandTracePath(string axon) => axon[..^".axon".Length] + ".trace.json";

    public static TheoryData<string> CorpusProgramsWithRuns()
    {
        var data = new TheoryData<string>();
        foreach (var expected in Directory.GetFiles(Corpus.Dir, "*.expected.json").Order(StringComparer.Ordinal))
        {
            using var json = JsonDocument.Parse(File.ReadAllText(expected));
            if (!json.RootElement.GetProperty("valid").GetBoolean()) continue;
            var axon = expected[..^".expected.json".Length] + ".axon";
            var compiled = AxonCompiler.Compile(File.ReadAllText(axon));
            if (compiled.Ir is { Runs.Count: > 0 }) data.Add(Path.GetFileName(axon));
        }
        // The runtime's corpus too (a program there may also be in the conformance set; each file is run as it is).
        foreach (var axon in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "runtime-corpus"), "*.axon").Order(StringComparer.Ordinal))
        {
            var compiled = AxonCompiler.Compile(File.ReadAllText(axon));
            if (compiled is { Success: true, Ir.Runs.Count: > 0 }) data.Add("../runtime-corpus/" + Path.GetFileName(axon));
        }
        Assert.True(data.Count >= 5, $"expected at least five corpus programs with runs, found {data.Count}");
        return data;
    }

    [Fact]
    public void Unknown_backend_is_the_seed_message_and_a_usage_error()
    {
        var r = InProc.Run(NoKeys, "run", Corpus.ContractAnalyzer, "-b", "x");
        Assert.Equal(2, r.Exit);
        Assert.Contains("Backend error: Unknown backend 'x'", r.Err);
        Assert.DoesNotContain("   at ", r.All);
    }

    [Theory]
    [InlineData(null, "ANTHROPIC_API_KEY")]
    [InlineData("anthropic", "ANTHROPIC_API_KEY")]
    [InlineData("openai", "OPENAI_API_KEY")]
    [InlineData("gemini", "API_KEY_GEMINI")]
    [InlineData("azure-openai", "AZURE_OPENAI_API_KEY")]
    [InlineData("bedrock", "AWS_BEARER_TOKEN_BEDROCK")]
    public void Missing_key_is_the_seed_message(string? backend, string variable)
    {
        using var dir = new TempDir();
        var file = Corpus.CopyTo(dir, "example-contract_analyzer.axon");
        var r = backend is null ? InProc.Run(NoKeys, "run", file) : InProc.Run(NoKeys, "run", file, "-b", backend);
        Assert.Equal(1, r.Exit);
        Assert.Contains($"✗ Backend error: {variable} not set", r.Err);
        Assert.False(File.Exists(dir.File("report.json")), "nothing may run without a backend");
    }

    [Fact]
    public void Unreachable_ollama_is_the_seed_message()
    {
        int port = Ports.Closed();
        var env = new Dictionary<string, string?> { ["OLLAMA_HOST"] = $"http://127.0.0.1:{port}" };
        var r = InProc.Run(env, "run", Corpus.ContractAnalyzer, "-b", "ollama");
        Assert.Equal(1, r.Exit);
        Assert.Contains($"✗ Backend error: Could not connect to Ollama at 127.0.0.1:{port}", r.Err);
        Assert.DoesNotContain("   at ", r.All);
    }

    [Fact]
    public void Compile_errors_stop_run_with_exit_1()
    {
        using var dir = new TempDir();
        var file = dir.Write("persona.axon", Programs.UnknownPersona);
        var r = InProc.Run(NoKeys, "run", file, "-b", "stub");
        Assert.Equal(1, r.Exit);
        Assert.Matches(@"persona\.axon\(8,\d+\): error AXN2", r.Err);
        Assert.Contains("nothing was run", r.Err);
        Assert.DoesNotContain("━━ run", r.Out);
    }

    [Fact]
    public void Bad_tool_mode_is_a_usage_error()
    {
        var r = InProc.Run(NoKeys, "run", Corpus.ContractAnalyzer, "-b", "stub", "--tool-mode", "bogus");
        Assert.Equal(2, r.Exit);
    }

    [Fact]
    public void Auto_without_keys_or_ollama_falls_back_to_stub_and_says_why()
    {
        using var dir = new TempDir();
        var file = dir.Write("two.axon", Programs.TwoSteps);
        int port = Ports.Closed();
        var env = new Dictionary<string, string?> { ["OLLAMA_HOST"] = $"http://127.0.0.1:{port}" };
        var r = InProc.Run(env, "run", file, "-b", "auto");
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Contains($"on stub (auto: no provider key is set and no Ollama at 127.0.0.1:{port}; offline, outputs are synthetic)", r.Out);
    }

    [Fact]
    public void Trace_file_has_meta_spans_events_and_no_secrets()
    {
        using var dir = new TempDir();
        const string secret = "sk-ant-api03-TESTSECRET-0123456789abcdef";
        // The secret is part of a prompt, so it would reach the trace's prompt previews unless redacted.
        var file = dir.Write("secret.axon", Programs.TwoSteps.Replace("Read the document carefully", "Read the document; token " + secret));
        var env = new Dictionary<string, string?> { ["ANTHROPIC_API_KEY"] = secret };
        var r = InProc.Run(env, "run", file, "-b", "stub", "--trace");
        Assert.True(r.Exit == 0, r.ToString());
        var tracePath = dir.File("secret.trace.json");
        Assert.Contains("📋 Trace saved → " + tracePath, r.Out);
        var text = File.ReadAllText(tracePath);
        Assert.DoesNotContain(secret, text);
        Assert.DoesNotContain("TESTSECRET", text);
        Assert.DoesNotContain(secret, r.All);

        var trace = JsonNode.Parse(text)!.AsObject();
        var meta = trace["_meta"]!.AsObject();
        Assert.Equal(["source", "backend", "axon_version", "duration_ms", "started_at"], meta.Select(kv => kv.Key).ToArray());
        Assert.Equal("secret.axon", (string?)meta["source"]);
        Assert.Equal("stub", (string?)meta["backend"]);
        Assert.Equal("0.7.0", (string?)meta["axon_version"]);
        Assert.True((double)meta["duration_ms"]! > 0);
        Assert.True(DateTimeOffset.TryParse((string?)meta["started_at"], out _));

        var spans = trace["spans"]!.AsArray();
        Assert.Equal(2, spans.Count);
        Assert.All(spans, s => Assert.Equal("unit:Summarize", (string?)s!["name"]));
        Assert.Equal(["step:Read", "step:Write"], spans[0]!["children"]!.AsArray().Select(c => (string)c!["name"]!).ToArray());

        var events = trace["events"]!.AsArray().Select(e => e!.AsObject()).ToList();
        var kinds = events.Select(e => (string?)e["type"]).ToList();
        foreach (var kind in new[] { "step_start", "model_call", "model_response", "step_end" }) Assert.Contains(kind, kinds);
        Assert.Equal(4, kinds.Count(k => k == "step_start"));
        Assert.All(events, e => Assert.True(e["timestamp"] is not null && e["data"] is JsonObject));
        Assert.Contains(events, e => (string?)e["type"] == "model_call" && ((string?)e["data"]!["prompt_preview"])!.Contains("***", StringComparison.Ordinal));
        Assert.DoesNotContain("route_decision", kinds);
    }

    [Fact]
    public void No_run_statement_is_not_an_error()
    {
        using var dir = new TempDir();
        var file = dir.Write("quiet.axon", Programs.NoRun);
        var r = InProc.Run(NoKeys, "run", file, "-b", "stub", "--trace");
        Assert.Equal(0, r.Exit);
        Assert.Contains("no run statement", r.Out);
        Assert.True(File.Exists(dir.File("quiet.trace.json")));
    }

    /// <summary>The IR JSON carries no epistemic block; the CLI takes each flow's mode from the front end's IR.</summary>
    [Fact]
    public void Epistemic_mode_of_the_flow_reaches_the_runtime()
    {
        using var dir = new TempDir();
        var file = dir.Write("know.axon", "know {\n" + Programs.TwoSteps.Replace("run Summarize(boardMinutes) as Helper", "", StringComparison.Ordinal)
            .Replace("run Summarize(quarterlyReport) as Helper", "}\n\nrun Summarize(quarterlyReport)", StringComparison.Ordinal));
        var r = InProc.Run(NoKeys, "run", file, "-b", "stub", "--trace");
        Assert.True(r.Exit == 0, r.ToString());
        var span = JsonNode.Parse(File.ReadAllText(dir.File("know.trace.json")))!["spans"]![0]!;
        Assert.Equal("know", (string?)span["metadata"]!["epistemic_mode"]);
        // know injects RequiresCitation and NoHallucination (reference §6.8).
        Assert.Contains("RequiresCitation", r.Out);
        Assert.Contains("NoHallucination", r.Out);

        var plain = dir.Write("plain.axon", Programs.TwoSteps);
        r = InProc.Run(NoKeys, "run", plain, "-b", "stub", "--trace");
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Null(JsonNode.Parse(File.ReadAllText(dir.File("plain.trace.json")))!["spans"]![0]!["metadata"]!["epistemic_mode"]);
        Assert.DoesNotContain("RequiresCitation", r.Out);
    }
}
