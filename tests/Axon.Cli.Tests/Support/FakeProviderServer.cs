using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Axon.Cli.Tests.Support;

/// <summary>
/// A loopback emulator of two providers: Ollama (<c>POST /api/chat</c>) and an OpenAI-compatible
/// endpoint (<c>POST …/chat/completions</c>, the <c>custom</c> backend). Answers with small JSON
/// objects and counts the calls each provider received.
/// </summary>
public sealed class FakeProviderServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly ConcurrentDictionary<string, int> _hits = new();

    public FakeProviderServer(TimeSpan? delay = null)
    {
        Delay = delay ?? TimeSpan.Zero;
        // Ports can be taken between choosing and binding; try a few.
        for (int attempt = 0; ; attempt++)
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
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public TimeSpan Delay { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public int Hits(string provider) => _hits.GetValueOrDefault(provider);

    /// <summary>Requests that asked for a streamed answer (<c>"stream": true</c>); they get the whole JSON answer, which clients accept.</summary>
    public int StreamedRequests => _streamed;

    private int _streamed;

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext ctx;
            try
            {
                ctx = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception) when (_stop.IsCancellationRequested || !_listener.IsListening)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(ctx));
        }
    }

    private async Task HandleAsync(HttpListenerContext ctx)
    {
        try
        {
            var path = ctx.Request.Url!.AbsolutePath;
            using (var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8))
            {
                var request = await reader.ReadToEndAsync().ConfigureAwait(false);
                if (System.Text.RegularExpressions.Regex.IsMatch(request, "\"stream\"\\s*:\\s*true")) Interlocked.Increment(ref _streamed);
            }
            string body;
            if (path.EndsWith("/api/chat", StringComparison.Ordinal))
            {
                _hits.AddOrUpdate("ollama", 1, (_, n) => n + 1);
                body = new JsonObject
                {
                    ["model"] = "llama3.1",
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = Answer("ollama") },
                    ["done"] = true,
                    ["done_reason"] = "stop",
                    ["prompt_eval_count"] = 40,
                    ["eval_count"] = 12,
                }.ToJsonString();
            }
            else if (path.EndsWith("/chat/completions", StringComparison.Ordinal))
            {
                _hits.AddOrUpdate("custom", 1, (_, n) => n + 1);
                body = new JsonObject
                {
                    ["id"] = "chatcmpl-1",
                    ["object"] = "chat.completion",
                    ["created"] = 1700000000,
                    ["model"] = "fake-model",
                    ["choices"] = new JsonArray(new JsonObject
                    {
                        ["index"] = 0,
                        ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = Answer("custom") },
                        ["finish_reason"] = "stop",
                    }),
                    ["usage"] = new JsonObject { ["prompt_tokens"] = 50, ["completion_tokens"] = 10, ["total_tokens"] = 60 },
                }.ToJsonString();
            }
            else
            {
                body = "{\"status\":\"ok\"}";
            }
            if (Delay > TimeSpan.Zero) await Task.Delay(Delay).ConfigureAwait(false);
            var bytes = Encoding.UTF8.GetBytes(body);
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "application/json";
            ctx.Response.ContentLength64 = bytes.Length;
            await ctx.Response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
            ctx.Response.Close();
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
    }

    private static string Answer(string provider) =>
        new JsonObject { ["result"] = $"answer from {provider}", ["summary"] = $"answer from {provider}", ["confidence"] = 0.9 }.ToJsonString();

    public void Dispose()
    {
        _stop.Cancel();
        try { _listener.Stop(); _listener.Close(); } catch (ObjectDisposedException) { }
        try { _loop.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
        _stop.Dispose();
    }
}
