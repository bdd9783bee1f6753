using System.Net;
using System.Text;
using Axon.Cli.Tests.Support;

namespace Axon.Cli.Tests;

/// <summary><c>axon models -b X</c> against a loopback server speaking the provider's list-models endpoint.</summary>
public sealed class ModelsCommandTests
{
    private const string Key = "sk-ant-test-0123456789abcdefSECRETKEY";

    /// <summary>Answers every request with one status and body, and records the requests' paths and key headers.</summary>
    private sealed class ListServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;

        public ListServer(int status, string body)
        {
            for (var attempt = 0; ; attempt++)
            {
                Port = Ports.Closed();
                _listener.Prefixes.Clear();
                _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
                try
                {
                    _listener.Start();
                    break;
                }
                catch (HttpListenerException) when (attempt < 5)
                {
                }
            }
            _loop = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext ctx;
                    try
                    {
                        ctx = await _listener.GetContextAsync();
                    }
                    catch (Exception)
                    {
                        return;
                    }
                    Requests.Add($"{ctx.Request.HttpMethod} {ctx.Request.Url!.PathAndQuery} key={ctx.Request.Headers["x-api-key"] == Key}");
                    var bytes = Encoding.UTF8.GetBytes(body);
                    ctx.Response.StatusCode = status;
                    ctx.Response.ContentType = "application/json";
                    ctx.Response.ContentLength64 = bytes.Length;
                    await ctx.Response.OutputStream.WriteAsync(bytes);
                    ctx.Response.Close();
                }
            });
        }

        public int Port { get; }
        public List<string> Requests { get; } = [];

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }

    [Fact]
    public void Lists_the_models_the_key_can_use()
    {
        using var server = new ListServer(200,
            """{"data":[{"type":"model","id":"claude-sonnet-4-6","display_name":"Claude Sonnet 4.6"},{"type":"model","id":"claude-haiku-4-5","display_name":"Claude Haiku 4.5"}],"has_more":false}""");
        var env = new Dictionary<string, string?> { ["ANTHROPIC_API_KEY"] = Key, ["ANTHROPIC_BASE_URL"] = $"http://127.0.0.1:{server.Port}" };

        var r = InProc.Run(env, "models", "-b", "anthropic");

        Assert.True(r.Exit == 0, r.ToString());
        Assert.Equal(["claude-haiku-4-5", "claude-sonnet-4-6  (configured)"], r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains("2 model(s) on anthropic", r.Err);
        Assert.Equal("GET /v1/models?limit=1000 key=True", Assert.Single(server.Requests));
    }

    [Fact]
    public void A_refused_key_is_a_clear_error_without_the_key()
    {
        using var server = new ListServer(401, "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"invalid x-api-key " + Key + "\"}}");
        var env = new Dictionary<string, string?> { ["ANTHROPIC_API_KEY"] = Key, ["ANTHROPIC_BASE_URL"] = $"http://127.0.0.1:{server.Port}" };

        var r = InProc.Run(env, "models", "-b", "anthropic");

        Assert.Equal(1, r.Exit);
        Assert.Contains("Anthropic API error (401)", r.Err);
        Assert.DoesNotContain(Key[..12], r.All);
    }

    [Fact]
    public void A_missing_key_or_unknown_backend_is_a_usage_error()
    {
        var missing = InProc.Run(new Dictionary<string, string?>(), "models", "-b", "openai");
        Assert.Equal(2, missing.Exit);
        Assert.Contains("OPENAI_API_KEY not set", missing.Err);

        var unknown = InProc.Run(new Dictionary<string, string?>(), "models", "-b", "nope");
        Assert.Equal(2, unknown.Exit);
        Assert.Contains("Unknown backend 'nope'", unknown.Err);
    }

    [Fact]
    public void Run_rejects_a_timeout_that_is_not_a_duration()
    {
        var r = InProc.Run(new Dictionary<string, string?>(), "run", "missing.axon", "-b", "stub", "--timeout", "soon");
        Assert.Equal(2, r.Exit);
        Assert.Contains("--timeout 'soon' is not a duration", r.Err);
    }

    [Fact]
    public async Task A_hung_provider_fails_the_run_within_the_timeout_and_attempts_given()
    {
        // A listener that accepts connections and never answers.
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepted = new List<System.Net.Sockets.Socket>();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                    accepted.Add(await listener.AcceptSocketAsync(TestContext.Current.CancellationToken));
            }
            catch (Exception)
            {
            }
        }, TestContext.Current.CancellationToken);
        try
        {
            using var dir = new TempDir();
            var file = dir.Write("two.axon", Programs.TwoSteps);
            var env = new Dictionary<string, string?> { ["OLLAMA_HOST"] = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}" };
            var watch = System.Diagnostics.Stopwatch.StartNew();

            var r = InProc.Run(env, "run", file, "-b", "ollama", "--timeout", "1s", "--attempts", "2");

            Assert.Equal(1, r.Exit);
            Assert.Contains("did not answer within 1 s", r.All);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
        }
        finally
        {
            listener.Stop();
            foreach (var s in accepted)
                s.Dispose();
            await accepting.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        }
    }
}
