using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Axon.Cli.Tests.Support;

namespace Axon.Cli.Tests;

/// <summary>
/// The ASP.NET Core sample (samples/SupportTriage), started as a real process on 127.0.0.1 and called over HTTP:
/// <c>AddAxon(builder.Configuration)</c> on the stub backend, a typed flow behind a JSON endpoint, start-up validation.
/// </summary>
public sealed class SampleWebAppTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The sample's build output (the test project references it, so it is built with the tests).</summary>
    private static string SampleDirectory()
    {
        // tests/Axon.Cli.Tests/bin/<Configuration>/net10.0/ → samples/SupportTriage/bin/<Configuration>/net10.0/
        var testDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = testDir.Parent!.Name;
        var root = testDir.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        var dir = Path.Combine(root, "samples", "SupportTriage", "bin", configuration, testDir.Name);
        Assert.True(File.Exists(Path.Combine(dir, "SupportTriage.dll")), $"the sample is expected at {dir}; build the solution.");
        return dir;
    }

    private sealed class SampleProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        public Uri BaseAddress { get; }

        public SampleProcess(IReadOnlyDictionary<string, string?>? env = null)
        {
            var port = Ports.Closed();
            BaseAddress = new Uri($"http://127.0.0.1:{port}/");
            var dir = SampleDirectory();
            var psi = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = dir,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            psi.ArgumentList.Add(Path.Combine(dir, "SupportTriage.dll"));
            psi.ArgumentList.Add("--urls");
            psi.ArgumentList.Add(BaseAddress.ToString().TrimEnd('/'));
            foreach (var key in AxonProcess.ProviderVariables) psi.Environment.Remove(key);
            psi.Environment["DOTNET_NOLOGO"] = "1";
            if (env is not null)
                foreach (var (k, v) in env)
                    if (v is null) psi.Environment.Remove(k); else psi.Environment[k] = v;
            _process = Process.Start(psi)!;
            _process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
            _process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public string Output { get { lock (_output) return _output.ToString(); } }

        public bool HasExited => _process.HasExited;

        public async Task<bool> WaitForExitAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            try { await _process.WaitForExitAsync(cts.Token); return true; }
            catch (OperationCanceledException) { return false; }
        }

        public async Task WaitUntilListeningAsync(HttpClient http)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline)
            {
                Assert.False(_process.HasExited, "the sample exited:\n" + Output);
                try
                {
                    using var r = await http.GetAsync(BaseAddress, Ct);
                    if (r.IsSuccessStatusCode) return;
                }
                catch (HttpRequestException) { }
                await Task.Delay(200, Ct);
            }
            Assert.Fail("the sample did not listen within 60 s:\n" + Output);
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }

    [Fact]
    public async Task The_JSON_endpoint_returns_the_typed_flow_result()
    {
        await using var app = new SampleProcess();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await app.WaitUntilListeningAsync(http);

        using var response = await http.PostAsJsonAsync(new Uri(app.BaseAddress, "triage"),
            new { ticket = "I was charged twice for my subscription this month; please refund one charge." }, Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, body);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        // TicketTriage, serialized by ASP.NET Core: every declared field, the ranged urgency as a number in range.
        Assert.False(string.IsNullOrEmpty(root.GetProperty("category").GetString()));
        Assert.False(string.IsNullOrEmpty(root.GetProperty("summary").GetString()));
        Assert.False(string.IsNullOrEmpty(root.GetProperty("suggested_reply").GetString()));
        var urgency = root.GetProperty("urgency").GetDouble();
        Assert.InRange(urgency, 0.0, 1.0);

        using var empty = await http.PostAsJsonAsync(new Uri(app.BaseAddress, "triage"), new { ticket = " " }, Ct);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, empty.StatusCode);
    }

    [Fact]
    public async Task The_SSE_endpoint_streams_the_runs_progress_and_ends_with_the_typed_result()
    {
        await using var app = new SampleProcess();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        await app.WaitUntilListeningAsync(http);

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(app.BaseAddress, "triage/stream?ticket=" + Uri.EscapeDataString("My login link expired twice today.")));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync(Ct);
        var events = body.Split('\n').Where(l => l.StartsWith("event: ", StringComparison.Ordinal)).Select(l => l["event: ".Length..].Trim()).ToList();

        // Both steps start and complete in order, text arrives in between, and the typed result comes last.
        Assert.Equal("step_started", events[0]);
        Assert.Equal(2, events.Count(e => e == "step_started"));
        Assert.Equal(2, events.Count(e => e == "step_completed"));
        Assert.Contains("text", events);
        Assert.True(events.IndexOf("text") < events.IndexOf("step_completed"));
        Assert.Equal("completed", events[^1]);
        var last = body.Split('\n').Last(l => l.StartsWith("data: ", StringComparison.Ordinal))["data: ".Length..];
        using var json = JsonDocument.Parse(last);
        Assert.Equal("Completed", json.RootElement.GetProperty("status").GetString());
        Assert.InRange(json.RootElement.GetProperty("triage").GetProperty("urgency").GetDouble(), 0.0, 1.0);
    }

    [Fact]
    public async Task A_backend_without_its_key_stops_the_app_at_start_with_the_seeds_message()
    {
        await using var app = new SampleProcess(new Dictionary<string, string?> { ["Axon__Backend"] = "anthropic" });
        Assert.True(await app.WaitForExitAsync(TimeSpan.FromSeconds(60)), "the sample kept running without a key:\n" + app.Output);
        Assert.Contains("Backend error: ANTHROPIC_API_KEY not set", app.Output);
        Assert.Contains("Axon:Providers:anthropic:ApiKey", app.Output);
    }
}
