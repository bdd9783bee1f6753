using System.Text.Json.Nodes;
using Axon.Cli.Tests.Support;

namespace Axon.Cli.Tests;

/// <summary>Issue 7 with real HTTP backends on loopback: routing (seed 003), strict pins, auto, progress.</summary>
public sealed class RoutingTests
{
    private static Dictionary<string, string?> Providers(FakeProviderServer server) => new()
    {
        ["OLLAMA_HOST"] = server.BaseUrl,
        ["AXON_CUSTOM_BASE_URL"] = server.BaseUrl + "/v1",
        ["AXON_CUSTOM_MODEL"] = "fake-model",
    };

    [Fact]
    public void Routing_settings_without_b_route_every_call_and_trace_the_decisions()
    {
        using var server = new FakeProviderServer();
        using var dir = new TempDir();
        var file = dir.Write("two.axon", Programs.TwoSteps);
        var env = Providers(server);
        env["LLM_ROUTING_STRATEGY"] = "weighted";
        env["LLM_PROVIDERS"] = "ollama,custom";
        env["PROVIDER_WEIGHTS"] = "ollama:50,custom:50";

        var r = InProc.Run(env, "run", file, "--trace");
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Contains("on routed (weighted) across ollama, custom", r.Out);
        Assert.Contains("answer from", r.Out);
        Assert.Equal(2, r.Out.Split("routing   custom ×1, ollama ×1").Length - 1);
        Assert.Matches(@"✓ Read\s+step .* via (ollama|custom)", r.Out);
        Assert.Matches(@"✓ Write\s+step .* via (ollama|custom)", r.Out);
        // Smooth weighted round robin with equal weights alternates: four calls, two each.
        Assert.Equal(2, server.Hits("ollama"));
        Assert.Equal(2, server.Hits("custom"));

        var trace = JsonNode.Parse(File.ReadAllText(dir.File("two.trace.json")))!.AsObject();
        Assert.Equal("routed", (string?)trace["_meta"]!["backend"]);
        var decisions = trace["events"]!.AsArray().Where(e => (string?)e!["type"] == "route_decision").Select(e => e!.AsObject()).ToList();
        Assert.Equal(4, decisions.Count);
        Assert.All(decisions, d =>
        {
            Assert.Equal("weighted", (string?)d["data"]!["strategy"]);
            Assert.Equal(["ollama", "custom"], d["data"]!["candidates"]!.AsArray().Select(c => (string)c!).ToArray());
            Assert.Equal(1, (int)d["data"]!["attempt"]!);
            Assert.Equal("strategy", (string?)d["data"]!["reason"]);
            Assert.Contains((string?)d["step_name"], new[] { "Read", "Write" });
        });
        Assert.Equal(2, decisions.Count(d => (string?)d["data"]!["chosen"] == "ollama"));

        // The terminal rendering and the timeline name the chosen providers.
        var text = InProc.Run("trace", dir.File("two.trace.json"));
        Assert.Equal(0, text.Exit);
        Assert.Contains("route_decision", text.Out);
        Assert.Contains("Routing decisions (4): custom ×2, ollama ×2", text.Out);
        var html = dir.File("two.html");
        Assert.Equal(0, InProc.Run("trace", dir.File("two.trace.json"), "--html", html).Exit);
        var page = File.ReadAllText(html);
        Assert.Contains("data-provider=\"ollama\"", page);
        Assert.Contains("data-provider=\"custom\"", page);
    }

    [Fact]
    public void Explicit_backend_is_a_strict_pin_even_with_routing_settings()
    {
        using var server = new FakeProviderServer();
        using var dir = new TempDir();
        var file = dir.Write("two.axon", Programs.TwoSteps);
        var env = Providers(server);
        env["LLM_ROUTING_STRATEGY"] = "round_robin";
        env["LLM_PROVIDERS"] = "ollama,custom";

        var r = InProc.Run(env, "run", file, "-b", "custom", "--trace");
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Contains("on custom (model fake-model)", r.Out);
        Assert.Equal(4, server.Hits("custom"));
        Assert.Equal(0, server.Hits("ollama"));
        var text = File.ReadAllText(dir.File("two.trace.json"));
        Assert.DoesNotContain("route_decision", text);
    }

    [Fact]
    public void Ollama_backend_runs_against_a_reachable_host()
    {
        using var server = new FakeProviderServer();
        using var dir = new TempDir();
        var file = dir.Write("two.axon", Programs.TwoSteps);
        var r = InProc.Run(Providers(server), "run", file, "-b", "ollama");
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Contains("on ollama (model llama3.1)", r.Out);
        Assert.DoesNotContain("synthetic", r.Out);
        // Two steps per run, 40 + 12 tokens per answer.
        Assert.Equal(2, r.Out.Split("usage     80 input + 24 output tokens").Length - 1);
        Assert.Equal(4, server.Hits("ollama"));
    }

    [Fact]
    public void Auto_prefers_a_configured_key_then_a_reachable_ollama()
    {
        using var server = new FakeProviderServer();
        using var dir = new TempDir();
        var file = dir.Write("two.axon", Programs.TwoSteps);

        var ollamaOnly = new Dictionary<string, string?> { ["OLLAMA_HOST"] = server.BaseUrl };
        var r = InProc.Run(ollamaOnly, "run", file, "-b", "auto");
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Contains($"on ollama (model llama3.1) (auto: no provider key is set; Ollama answers at 127.0.0.1:{server.Port})", r.Out);

        var withCustom = Providers(server);
        withCustom["AXON_CUSTOM_API_KEY"] = "custom-key-123456";
        r = InProc.Run(withCustom, "run", file, "-b", "auto");
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Contains("on custom (model fake-model) (auto: AXON_CUSTOM_API_KEY is set)", r.Out);
        Assert.Equal(4, server.Hits("custom"));
    }

    [Fact]
    public void Routing_with_a_listed_provider_missing_its_key_is_the_seed_message()
    {
        using var dir = new TempDir();
        var file = dir.Write("two.axon", Programs.TwoSteps);
        var env = new Dictionary<string, string?> { ["LLM_PROVIDERS"] = "openai,stub" };
        var r = InProc.Run(env, "run", file);
        Assert.Equal(1, r.Exit);
        Assert.Contains("✗ Backend error: OPENAI_API_KEY not set", r.Err);

        env["LLM_PROVIDERS"] = "stub";
        r = InProc.Run(env, "run", file);
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Contains("routed (weighted) across stub", r.Out);
    }

    [Fact]
    public void Progress_is_drawn_on_a_terminal_and_absent_when_redirected()
    {
        // Slow answers so the 100 ms progress timer draws while a step runs.
        using var server = new FakeProviderServer(TimeSpan.FromMilliseconds(350));
        using var dir = new TempDir();
        var file = dir.Write("two.axon", Programs.TwoSteps);

        var tty = InProc.Run(Providers(server), terminal: true, "run", file, "-b", "ollama");
        Assert.True(tty.Exit == 0, tty.ToString());
        Assert.Contains("\r\u001b[K", tty.Err, StringComparison.Ordinal);
        Assert.Matches(@"run 1/2 Summarize · step (Read|Write) · \d+\.\ds", tty.Err);
        Assert.Contains("\u001b[32m", tty.Out, StringComparison.Ordinal);
        // On a terminal the run streams: model calls ask for a stream, and the line shows the tail of the streamed text.
        var streamed = server.StreamedRequests;
        Assert.True(streamed > 0, "a terminal run should stream its model calls");
        Assert.Contains("answer from ollama\",\"confidence\":0.9}", tty.Err, StringComparison.Ordinal);

        var noColor = new Dictionary<string, string?>(Providers(server)) { ["NO_COLOR"] = "1" };
        var plainTty = InProc.Run(noColor, terminal: true, "run", file, "-b", "ollama");
        Assert.DoesNotContain("\u001b[32m", plainTty.Out, StringComparison.Ordinal);

        streamed = server.StreamedRequests;
        var redirected = InProc.Run(Providers(server), terminal: false, "run", file, "-b", "ollama");
        Assert.True(redirected.Exit == 0, redirected.ToString());
        Assert.DoesNotContain("\u001b", redirected.All, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", redirected.All, StringComparison.Ordinal);
        // Redirected, nothing shows text, so model calls stay unstreamed (a failed call can still fail over).
        Assert.Equal(streamed, server.StreamedRequests);
    }

    [Fact]
    public void Progress_names_the_provider_serving_the_step_when_routing()
    {
        using var server = new FakeProviderServer(TimeSpan.FromMilliseconds(150));
        using var dir = new TempDir();
        var file = dir.Write("two.axon", Programs.TwoSteps);
        var env = Providers(server);
        env["LLM_ROUTING_STRATEGY"] = "round_robin";
        env["LLM_PROVIDERS"] = "ollama,custom";
        env["NO_COLOR"] = "1";

        var tty = InProc.Run(env, terminal: true, "run", file);
        Assert.True(tty.Exit == 0, tty.ToString());
        Assert.Matches(@"run 1/2 Summarize · step (Read|Write) via (ollama|custom) · \d+\.\ds", tty.Err);
    }

    [Fact]
    public async Task Cancelling_the_command_cancels_the_running_model_call()
    {
        // The provider would answer after a minute (past the 20 s timeout); cancelling (Ctrl+C) must stop the run at once.
        using var server = new FakeProviderServer(TimeSpan.FromSeconds(60));
        using var dir = new TempDir();
        var file = dir.Write("two.axon", Programs.TwoSteps);
        var env = Providers(server);
        using var cancel = new CancellationTokenSource();
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var command = Task.Run(() => AxonCli.Run(["run", file, "-b", "ollama", "--trace"], stdout, stderr, false,
            name => env.TryGetValue(name, out var v) ? v : null, dir.Path, cancel.Token), TestContext.Current.CancellationToken);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (server.Hits("ollama") == 0 && clock.Elapsed < TimeSpan.FromSeconds(30) && !command.IsCompleted)
            await Task.Delay(20, TestContext.Current.CancellationToken);
        Assert.True(server.Hits("ollama") > 0, "the first model call never reached the provider: " + stderr);

        clock.Restart();
        await cancel.CancelAsync();
        var exit = await command.WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"stopped {clock.Elapsed} after cancelling: the call was waited for");
        Assert.Equal(1, exit);
        Assert.Contains("Cancelled during run 1/2", stderr.ToString());
        Assert.Equal(1, server.Hits("ollama")); // no retry, no second step, no second run
        Assert.True(File.Exists(Path.Combine(dir.Path, "two.trace.json")), "the trace so far is saved");
    }
}
