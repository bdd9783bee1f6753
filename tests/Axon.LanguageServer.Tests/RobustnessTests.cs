using System.Text;
using System.Text.Json;
using StreamJsonRpc;

namespace Axon.LanguageServer.Tests;

/// <summary>Bad input: malformed JSON-RPC, unknown documents and methods, out-of-range positions, a 50 MB document, a client that vanishes.</summary>
public sealed class RobustnessTests
{
    private const string Uri = "file:///project/a.axon";

    /// <summary>A client that writes raw frames, to send what no JSON-RPC library would.</summary>
    private sealed class RawClient : IAsyncDisposable
    {
        private readonly Stream _stream;
        private readonly StringWriter _log = new();
        private readonly byte[] _buffer = new byte[1 << 16];
        private int _start, _end;

        public RawClient()
        {
            var (a, b) = Nerdbank.Streams.FullDuplexStream.CreatePair();
            _stream = a;
            Server = Task.Run(() => AxonLanguageServer.RunAsync(b, b, TextWriter.Synchronized(_log)));
        }

        public Task<int> Server { get; }

        public string Log => _log.ToString();

        public async Task SendAsync(string json)
        {
            var body = Encoding.UTF8.GetBytes(json);
            await _stream.WriteAsync(Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n"));
            await _stream.WriteAsync(body);
            await _stream.FlushAsync();
        }

        public Task SendAsync(object message) => SendAsync(JsonSerializer.Serialize(message));

        /// <summary>The next message from the server.</summary>
        public async Task<JsonElement> ReceiveAsync()
        {
            int length = -1;
            while (true)
            {
                string line = await ReadLineAsync();
                if (line.Length == 0 && length >= 0) break;
                if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) length = int.Parse(line[15..].Trim());
            }
            var body = new byte[length];
            for (int read = 0; read < length;)
            {
                if (_start == _end) await FillAsync();
                int n = Math.Min(length - read, _end - _start);
                Array.Copy(_buffer, _start, body, read, n);
                _start += n;
                read += n;
            }
            return JsonDocument.Parse(body).RootElement.Clone();
        }

        /// <summary>The response to request <paramref name="id"/> (skipping notifications).</summary>
        public async Task<JsonElement> ResponseAsync(int id)
        {
            while (true)
            {
                var m = await ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(30));
                if (m.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.Number && i.GetInt32() == id) return m;
            }
        }

        private async Task<string> ReadLineAsync()
        {
            var sb = new StringBuilder();
            while (true)
            {
                if (_start == _end) await FillAsync();
                char c = (char)_buffer[_start++];
                if (c == '\n') return sb.ToString().TrimEnd('\r');
                sb.Append(c);
            }
        }

        private async Task FillAsync()
        {
            _start = 0;
            _end = await _stream.ReadAsync(_buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            if (_end == 0) throw new EndOfStreamException("The server closed the connection");
        }

        public void Close() => _stream.Dispose();

        public async ValueTask DisposeAsync()
        {
            await _stream.DisposeAsync();
            try { await Server.WaitAsync(TimeSpan.FromSeconds(30)); } catch (Exception) { }
        }
    }

    [Fact]
    public async Task Malformed_messages_are_reported_and_the_session_goes_on()
    {
        await using var c = new RawClient();
        await c.SendAsync(new { jsonrpc = "2.0", id = 1, method = "initialize", @params = new { capabilities = new { } } });
        Assert.True((await c.ResponseAsync(1)).TryGetProperty("result", out _));
        await c.SendAsync("{not json at all");
        var log = await c.ReceiveAsync();
        Assert.Equal("window/logMessage", log.GetProperty("method").GetString());
        Assert.Contains("malformed message", log.GetProperty("params").GetProperty("message").GetString());
        await c.SendAsync("[1, 2, 3]");
        Assert.Equal("window/logMessage", (await c.ReceiveAsync()).GetProperty("method").GetString());
        await c.SendAsync("\"just a string\"");
        Assert.Equal("window/logMessage", (await c.ReceiveAsync()).GetProperty("method").GetString());

        // Valid JSON, wrong shapes: error responses with codes and messages, no stack traces.
        await c.SendAsync(new { jsonrpc = "2.0", id = 2, method = "no/such/method", @params = new { } });
        var unknown = (await c.ResponseAsync(2)).GetProperty("error");
        Assert.Equal(-32601, unknown.GetProperty("code").GetInt32());
        await c.SendAsync(new { jsonrpc = "2.0", id = 3, method = "textDocument/hover", @params = new { textDocument = 5, position = "x" } });
        var wrong = (await c.ResponseAsync(3)).GetProperty("error");
        Assert.Equal(-32602, wrong.GetProperty("code").GetInt32());
        Assert.False(wrong.TryGetProperty("data", out _), wrong.ToString());
        Assert.DoesNotContain("   at ", wrong.ToString());

        // And the session still serves documents.
        await c.SendAsync(new { jsonrpc = "2.0", method = "textDocument/didOpen", @params = new { textDocument = new { uri = Uri, languageId = "axon", version = 1, text = "persona P { tone: loud }" } } });
        await c.SendAsync(new { jsonrpc = "2.0", id = 4, method = "textDocument/hover", @params = new { textDocument = new { uri = Uri }, position = new { line = 0, character = 9 } } });
        Assert.Contains("persona P", (await c.ResponseAsync(4)).GetProperty("result").GetProperty("contents").GetProperty("value").GetString());
        await c.SendAsync(new { jsonrpc = "2.0", id = 5, method = "shutdown" });
        await c.ResponseAsync(5);
        await c.SendAsync(new { jsonrpc = "2.0", method = "exit" });
        Assert.Equal(0, await c.Server.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Contains("ignored a malformed message", c.Log);
    }

    [Fact]
    public async Task Unknown_documents_and_out_of_range_positions_get_error_responses()
    {
        await using var s = await LspSession.StartAsync();
        await s.OpenAsync(Uri, "persona P { tone: precise }\n");
        await s.DiagnosticsAsync(Uri, 1);
        foreach (var method in new[] { "textDocument/hover", "textDocument/definition", "textDocument/completion", "textDocument/references", "textDocument/prepareRename" })
        {
            var unknown = await Assert.ThrowsAnyAsync<RemoteRpcException>(() => s.AtAsync(method, "file:///project/never-opened.axon", 0, 0));
            Assert.Contains("Unknown document", unknown.Message);
            foreach (var (line, ch) in new[] { (5, 0), (0, 500), (-1, 0), (0, -3), (int.MaxValue, int.MaxValue) })
            {
                var outside = await Assert.ThrowsAnyAsync<RemoteRpcException>(() => s.AtAsync(method, Uri, line, ch));
                Assert.Equal(-32602, (int?)outside.ErrorCode);
            }
        }
        var symbols = await Assert.ThrowsAnyAsync<RemoteRpcException>(() => s.RequestAsync("textDocument/documentSymbol", new { textDocument = new { uri = "file:///nope.axon" } }));
        Assert.Contains("Unknown document", symbols.Message);
        // A change with positions past the end is clamped (LSP's rule), not a crash.
        await s.ChangeAsync(Uri, 2, [new { range = new { start = LspSession.Pos(99, 99), end = LspSession.Pos(120, 0) }, text = "\ncontext C { depth: nowhere }" }]);
        var diags = await s.DiagnosticsAsync(Uri, 2);
        Assert.Equal("AXN2005", diags[0].GetProperty("code").GetString());
        Assert.Equal(0, await s.ShutdownAsync());
    }

    [Fact]
    public async Task A_50_MB_document_is_refused_politely_and_other_documents_are_still_served()
    {
        await using var s = await LspSession.StartAsync();
        var big = new StringBuilder(50 * 1024 * 1024 + 100);
        const string unit = "persona P { tone: precise }\n";
        while (big.Length < 50 * 1024 * 1024) big.Append(unit);
        await s.OpenAsync("file:///project/huge.axon", big.ToString());
        var diags = await s.DiagnosticsAsync("file:///project/huge.axon", 1, TimeSpan.FromSeconds(120));
        Assert.Equal("AXN9001", diags[0].GetProperty("code").GetString());
        Assert.Contains("too large", diags[0].GetProperty("message").GetString());
        // Requests on it answer (without a symbol table) …
        Assert.Equal(JsonValueKind.Null, (await s.AtAsync("textDocument/hover", "file:///project/huge.axon", 0, 9)).ValueKind);
        // … and the other documents are served as usual.
        await s.OpenAsync(Uri, "persona Q { tone: loud }");
        Assert.Equal("AXN2002", (await s.DiagnosticsAsync(Uri, 1))[0].GetProperty("code").GetString());
        Assert.Contains("persona Q", (await s.AtAsync("textDocument/hover", Uri, 0, 9)).GetProperty("contents").GetProperty("value").GetString());
        Assert.Equal(0, await s.ShutdownAsync());
    }

    [Fact]
    public async Task A_client_that_disappears_ends_the_server_cleanly()
    {
        var s = await LspSession.StartAsync();
        await s.OpenAsync(Uri, Sources.Review);
        await s.DiagnosticsAsync(Uri, 1);
        s.Vanish();
        // No shutdown was asked for: exit code 1, as LSP says, and a line on the log instead of an exception.
        Assert.Equal(1, await s.Server.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Contains("closed the connection", s.Log);
        await s.DisposeAsync();
    }

    [Fact]
    public async Task Exit_without_shutdown_is_exit_code_1()
    {
        await using var s = await LspSession.StartAsync();
        await s.NotifyAsync("exit", null);
        Assert.Equal(1, await s.Server.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
    }
}
