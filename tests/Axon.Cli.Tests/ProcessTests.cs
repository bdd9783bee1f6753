using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Axon.Cli.Tests.Support;

namespace Axon.Cli.Tests;

/// <summary>The CLI as a separate process (<c>dotnet axon.dll</c>): exit codes, messages, redirected output, bad input.</summary>
public sealed class ProcessTests
{
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(60);

    [Fact]
    public void Version_exits_0()
    {
        using var dir = new TempDir();
        var r = AxonProcess.Run(dir.Path, Quick, null, "version");
        Assert.Equal(0, r.Exit);
        Assert.StartsWith("axon-lang 0.7.0", r.Out);
    }

    [Fact]
    public void Run_stub_redirected_is_plain_text()
    {
        using var dir = new TempDir();
        Corpus.CopyTo(dir, "example-contract_analyzer.axon");
        var r = AxonProcess.Run(dir.Path, Quick, null, "run", "example-contract_analyzer.axon", "-b", "stub", "--trace");
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Contains("━━ run 1/1: AnalyzeContract(myContract)", r.Out);
        Assert.Contains("synthetic", r.Out);
        Assert.Contains("📋 Trace saved → example-contract_analyzer.trace.json", r.Out);
        Assert.DoesNotContain("\u001b", r.All, StringComparison.Ordinal);
        Assert.True(File.Exists(dir.File("example-contract_analyzer.trace.json")));

        var t = AxonProcess.Run(dir.Path, Quick, null, "trace", "example-contract_analyzer.trace.json");
        Assert.Equal(0, t.Exit);
        Assert.Contains("AXON Execution Trace", t.Out);
        Assert.DoesNotContain("\u001b", t.All, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_errors_have_the_seed_texts_and_exit_codes()
    {
        using var dir = new TempDir();
        Corpus.CopyTo(dir, "example-contract_analyzer.axon");

        var missingKey = AxonProcess.Run(dir.Path, Quick, null, "run", "example-contract_analyzer.axon");
        Assert.Equal(1, missingKey.Exit);
        Assert.Equal("✗ Backend error: ANTHROPIC_API_KEY not set\n", Regex.Replace(missingKey.Err, @"^.*warning AXN.*\n", "", RegexOptions.Multiline));

        var unknown = AxonProcess.Run(dir.Path, Quick, null, "run", "example-contract_analyzer.axon", "-b", "x");
        Assert.Equal(2, unknown.Exit);
        Assert.Contains("Backend error: Unknown backend 'x'", unknown.Err);

        int port = Ports.Closed();
        var ollama = AxonProcess.Run(dir.Path, Quick, new Dictionary<string, string?> { ["OLLAMA_HOST"] = $"http://127.0.0.1:{port}" },
            "run", "example-contract_analyzer.axon", "-b", "ollama");
        Assert.Equal(1, ollama.Exit);
        Assert.Contains($"Backend error: Could not connect to Ollama at 127.0.0.1:{port}", ollama.Err);

        var missing = AxonProcess.Run(dir.Path, Quick, null, "run", "nope.axon", "-b", "stub");
        Assert.Equal(2, missing.Exit);
        Assert.Equal("✗ File not found: nope.axon\n", missing.Err);

        foreach (var r in new[] { missingKey, unknown, ollama, missing })
        {
            Assert.DoesNotContain("   at ", r.All);
            Assert.DoesNotContain("Exception", r.All);
        }
    }

    /// <summary>Under a pseudo-terminal (util-linux <c>script</c>) the real process colours its output and draws progress.</summary>
    [Fact]
    public void On_a_terminal_the_process_shows_colour_and_progress()
    {
        if (!File.Exists("/usr/bin/script")) Assert.Skip("util-linux 'script' is not installed, so no pseudo-terminal can be made.");
        using var server = new FakeProviderServer(TimeSpan.FromMilliseconds(400));
        using var dir = new TempDir();
        dir.Write("two.axon", Programs.TwoSteps);
        var command = $"dotnet '{AxonProcess.Dll}' run two.axon -b ollama";
        var env = new Dictionary<string, string?> { ["OLLAMA_HOST"] = server.BaseUrl, ["TERM"] = "xterm" };
        var r = AxonProcess.Exec("/usr/bin/script", ["-qec", command, "/dev/null"], dir.Path, Quick, env);
        Assert.True(r.Exit == 0, r.ToString());
        Assert.Contains("\u001b[32m✓ completed\u001b[0m", r.Out, StringComparison.Ordinal);
        Assert.Matches(@"\r\u001b\[K.*run 1/2 Summarize · step (Read|Write) · \d+\.\ds", r.Out);
    }

    [Fact]
    public void Key_values_are_never_printed()
    {
        using var dir = new TempDir();
        // One run: the failing provider call is retried by the runtime, so fewer runs keep the test short.
        dir.Write("two.axon", Programs.TwoSteps.Replace("run Summarize(boardMinutes) as Helper", "", StringComparison.Ordinal));
        const string key = "sk-test-DO-NOT-PRINT-0123456789";
        int port = Ports.Closed();
        // A key with an unreachable endpoint: the run fails, and neither the message nor the trace shows the key.
        var env = new Dictionary<string, string?> { ["OPENAI_API_KEY"] = key, ["OPENAI_BASE_URL"] = $"http://127.0.0.1:{port}/v1" };
        var r = AxonProcess.Run(dir.Path, TimeSpan.FromSeconds(120), env, "run", "two.axon", "-b", "openai", "--trace");
        Assert.Equal(1, r.Exit);
        Assert.Contains("✗ failed", r.Out);
        Assert.Contains("127.0.0.1:" + port, r.All);
        Assert.DoesNotContain(key, r.All);
        Assert.DoesNotContain(key, File.ReadAllText(dir.File("two.trace.json")));
    }
}

/// <summary>Issue 2's bad input as a process: 50 MB files (valid and garbage) in bounded time, with no stack trace.</summary>
[Collection(HeavyCollection.Name)]
public sealed class LargeInputTests
{
    private const int FiftyMegabytes = 50 * 1024 * 1024;

    [Fact]
    public void Fifty_megabytes_of_valid_axon_checks_in_bounded_time()
    {
        using var dir = new TempDir();
        var source = File.ReadAllText(Corpus.ContractAnalyzer);
        // Declarations only (the run statement is dropped); each copy renames its declarations so the program stays valid.
        var body = source[..source.IndexOf("\nrun ", StringComparison.Ordinal)] + "\n";
        var names = new Regex(@"\b(LegalExpert|LegalReview|NoHallucination|RiskScore|Party|Risk|WebSearch|AnalyzeContract)\b");
        var sb = new StringBuilder(FiftyMegabytes + body.Length * 2);
        int copies = 0;
        while (sb.Length < FiftyMegabytes)
        {
            int n = copies++;
            sb.Append(names.Replace(body, m => m.Value + n.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        File.WriteAllText(dir.File("big.axon"), sb.ToString());

        var clock = Stopwatch.StartNew();
        var r = AxonProcess.Run(dir.Path, TimeSpan.FromMinutes(5), null, "check", "big.axon");
        clock.Stop();
        Assert.True(r.Exit == 0, r.ToString()[..Math.Min(2000, r.ToString().Length)]);
        Assert.Matches($@"✓ big\.axon  \d+ tokens · {copies * 8} declarations · 0 errors", r.Out);
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Fifty_megabytes_of_garbage_is_a_bounded_clear_error()
    {
        using var dir = new TempDir();
        var random = new Random(20261122);
        const string alphabet = "{}()[]:;,.-abcxyz 0123 \"\n\t@#$%^&*";
        var bytes = new byte[FiftyMegabytes];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)alphabet[random.Next(alphabet.Length)];
        File.WriteAllBytes(dir.File("garbage.axon"), bytes);

        var clock = Stopwatch.StartNew();
        var r = AxonProcess.Run(dir.Path, TimeSpan.FromMinutes(5), null, "check", "garbage.axon");
        clock.Stop();
        Assert.Equal(1, r.Exit);
        // The first diagnostics are shown, the rest summarised: the output stays small.
        Assert.Matches(@"^garbage\.axon\(\d+,\d+\): error AXN1\d{3}: ", r.Err);
        Assert.Matches(@"garbage\.axon: info AXN0001: \d+ more diagnostic\(s\) not shown", r.Err);
        Assert.Matches(@"✗ garbage\.axon  \d+ error\(s\)", r.Err);
        Assert.True(r.Err.Length < 100_000, $"stderr is {r.Err.Length} characters");
        Assert.DoesNotContain("   at ", r.All);
        Assert.DoesNotContain("Exception", r.All);
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), $"took {clock.Elapsed}");
    }
}
