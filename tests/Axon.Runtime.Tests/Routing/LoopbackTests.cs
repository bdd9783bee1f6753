using System.Net;
using System.Net.Sockets;
using Axon.Runtime.Providers;
using Axon.Runtime.Routing;
using Microsoft.Extensions.AI;

namespace Axon.Runtime.Tests.Routing;

/// <summary>
/// Real HTTP failures on 127.0.0.1, thrown by HttpClient as plain .NET exceptions (not AxonProviderException):
/// a refused connection, a 503, a client timeout. The router must classify each and fail over.
/// </summary>
public class LoopbackTests
{
    [Fact]
    public async Task Refused_connection_503_and_timeout_from_real_http_all_fail_over()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var broken = new LoopbackServer(_ => (503, TimeSpan.Zero));
        await using var slow = new LoopbackServer(_ => (200, TimeSpan.FromSeconds(20)));
        await using var good = new LoopbackServer(_ => (200, TimeSpan.Zero));
        var providers = new Dictionary<string, IChatClient>
        {
            ["down"] = new HttpChatClient(new Uri($"http://127.0.0.1:{ClosedPort()}/"), TimeSpan.FromSeconds(10)),
            ["broken"] = new HttpChatClient(broken.Uri, TimeSpan.FromSeconds(10)),
            ["slow"] = new HttpChatClient(slow.Uri, TimeSpan.FromMilliseconds(300)),
            ["good"] = new HttpChatClient(good.Uri, TimeSpan.FromSeconds(10)),
        };
        var options = Routers.Env(("LLM_ROUTING_STRATEGY", "failover"), ("DEFAULT_LLM_PROVIDER", "down"),
            ("PROVIDER_WEIGHTS", "down:4,broken:3,slow:2,good:1"));
        var sink = new RecordingSink();
        var router = new ProviderRoutingChatClient(providers, options, decisionSink: sink);

        var response = await router.GetResponseAsync(Routers.Hello, null, ct);

        Assert.Equal("good", response.AdditionalProperties![ProviderRoutingChatClient.ProviderPropertyKey]);
        Assert.Equal("pong", response.Text);
        Assert.Equal(["down", "broken", "slow", "good"], sink.Decisions.Select(d => d.Chosen));
        var engine = router.Engine;
        Assert.Equal(1, router.GetHealth("down").ConsecutiveFailures);
        Assert.Equal(1, router.GetHealth("broken").ConsecutiveFailures);
        Assert.Equal(1, router.GetHealth("slow").ConsecutiveFailures);
        Assert.Equal(4, engine.Names.Length);
    }

    [Fact]
    public async Task Real_http_request_errors_are_not_failed_over()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var unauthorized = new LoopbackServer(_ => (401, TimeSpan.Zero));
        await using var good = new LoopbackServer(_ => (200, TimeSpan.Zero));
        var providers = new Dictionary<string, IChatClient>
        {
            ["a"] = new HttpChatClient(unauthorized.Uri, TimeSpan.FromSeconds(10)),
            ["b"] = new HttpChatClient(good.Uri, TimeSpan.FromSeconds(10)),
        };
        var router = new ProviderRoutingChatClient(providers, Routers.Env(("LLM_ROUTING_STRATEGY", "failover"), ("DEFAULT_LLM_PROVIDER", "a")));
        var error = await Assert.ThrowsAsync<AxonProviderException>(() => router.GetResponseAsync(Routers.Hello, null, ct));
        Assert.Equal(ProviderErrorKind.Authentication, error.Kind);
        Assert.Equal(401, error.StatusCode);
        Assert.IsType<HttpRequestException>(error.InnerException);
        Assert.Equal(0, good.Requests);
    }

    private static int ClosedPort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    /// <summary>A bare HTTP provider: POSTs the prompt, throws what HttpClient throws.</summary>
    private sealed class HttpChatClient(Uri uri, TimeSpan timeout) : IChatClient
    {
        private readonly HttpClient _http = new() { Timeout = timeout };

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            using var response = await _http.PostAsync(uri, new StringContent(string.Concat(messages.Select(m => m.Text))), cancellationToken);
            response.EnsureSuccessStatusCode();
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, await response.Content.ReadAsStringAsync(cancellationToken)));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose() => _http.Dispose();
    }

    /// <summary>An HTTP server on 127.0.0.1 answering every request with a status after a delay.</summary>
    private sealed class LoopbackServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private int _requests;

        public LoopbackServer(Func<int, (int Status, TimeSpan Delay)> behaviour)
        {
            _listener.Start();
            Uri = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
            _loop = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    TcpClient client;
                    try
                    {
                        client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                    _ = Serve(client, behaviour(Interlocked.Increment(ref _requests)));
                }
            });
        }

        public Uri Uri { get; }
        public int Requests => Volatile.Read(ref _requests);

        private async Task Serve(TcpClient client, (int Status, TimeSpan Delay) answer)
        {
            using (client)
            {
                try
                {
                    var stream = client.GetStream();
                    var buffer = new byte[8192];
                    var received = new System.Text.StringBuilder();
                    // Read the head and the (small) body; the body length comes from Content-Length.
                    while (true)
                    {
                        var n = await stream.ReadAsync(buffer, _stop.Token);
                        if (n == 0) return;
                        received.Append(System.Text.Encoding.ASCII.GetString(buffer, 0, n));
                        var text = received.ToString();
                        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                        if (end < 0) continue;
                        var lengthLine = text[..end].Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
                        var length = lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length:".Length..].Trim());
                        if (text.Length - end - 4 >= length) break;
                    }
                    await Task.Delay(answer.Delay, _stop.Token);
                    var body = answer.Status == 200 ? "pong" : "error";
                    var head = $"HTTP/1.1 {answer.Status} X\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
                    await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(head + body), _stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or IOException)
                {
                    // The client gave up (timeout) or the server is stopping.
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            await _loop;
        }
    }
}
