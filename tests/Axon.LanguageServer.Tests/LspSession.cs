using System.Text.Json;
using Axon.LanguageServer.Protocol;
using Nerdbank.Streams;
using StreamJsonRpc;

namespace Axon.LanguageServer.Tests;

/// <summary>
/// A client talking to the server in process over a pair of connected streams (the same framing as stdio),
/// with StreamJsonRpc on the client side too. Collects every publishDiagnostics notification.
/// </summary>
public sealed class LspSession : IAsyncDisposable
{
    private readonly Stream _clientStream;
    private readonly JsonRpc _client;
    private readonly List<JsonElement> _published = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly StringWriter _log;

    private LspSession(Stream clientStream, Task<int> server, StringWriter log)
    {
        _log = log;
        _clientStream = clientStream;
        Server = server;
        var formatter = new SystemTextJsonFormatter { JsonSerializerOptions = Json.Options };
        _client = new JsonRpc(new HeaderDelimitedMessageHandler(clientStream, clientStream, formatter));
        _client.AddLocalRpcTarget(new Sink(this));
        _client.StartListening();
    }

    /// <summary>The server's run: its exit code once it ends.</summary>
    public Task<int> Server { get; }

    /// <summary>What the server wrote to its log (stderr in the CLI).</summary>
    public string Log => _log.ToString();

    public static async Task<LspSession> StartAsync(object? initializationOptions = null, string? rootUri = null)
    {
        var (a, b) = FullDuplexStream.CreatePair();
        var log = new StringWriter();
        var server = Task.Run(() => AxonLanguageServer.RunAsync(b, b, TextWriter.Synchronized(log)));
        var session = new LspSession(a, server, log);
        await session.RequestAsync("initialize", new { processId = (int?)null, rootUri, capabilities = new { }, initializationOptions = initializationOptions ?? new { debounceMs = 5 } });
        await session.NotifyAsync("initialized", new { });
        return session;
    }

    public Task<JsonElement> RequestAsync(string method, object? args) =>
        _client.InvokeWithParameterObjectAsync<JsonElement>(method, args, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

    public Task NotifyAsync(string method, object? args) => _client.NotifyWithParameterObjectAsync(method, args);

    public async Task OpenAsync(string uri, string text, int version = 1) =>
        await NotifyAsync("textDocument/didOpen", new { textDocument = new { uri, languageId = "axon", version, text } });

    public async Task ChangeAsync(string uri, int version, object[] changes) =>
        await NotifyAsync("textDocument/didChange", new { textDocument = new { uri, version }, contentChanges = changes });

    /// <summary>Waits for the diagnostics of <paramref name="uri"/> at <paramref name="version"/> (or any version when null).</summary>
    public async Task<JsonElement> DiagnosticsAsync(string uri, int? version = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            lock (_published)
            {
                for (int i = _published.Count - 1; i >= 0; i--)
                {
                    var p = _published[i];
                    if (p.GetProperty("uri").GetString() == uri && (version == null || (p.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number && v.GetInt32() == version)))
                        return p.GetProperty("diagnostics");
                }
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _signal.WaitAsync(left))
                throw new TimeoutException($"No diagnostics for {uri} v{version}; saw: {string.Join(" | ", Published().Select(s => s.ToString()))}");
        }
    }

    /// <summary>Every publishDiagnostics received so far, in order.</summary>
    public IReadOnlyList<JsonElement> Published()
    {
        lock (_published) return _published.ToArray();
    }

    /// <summary>How many times diagnostics were published for <paramref name="uri"/>.</summary>
    public int PublishedCount(string uri) => Published().Count(p => p.GetProperty("uri").GetString() == uri);

    public static object Pos(int line, int character) => new { line, character };

    public Task<JsonElement> AtAsync(string method, string uri, int line, int character) =>
        RequestAsync(method, new { textDocument = new { uri }, position = Pos(line, character) });

    /// <summary>Shuts the server down politely and returns its exit code.</summary>
    public async Task<int> ShutdownAsync()
    {
        await RequestAsync("shutdown", null);
        await NotifyAsync("exit", null);
        return await Server.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Closes the client's end of the connection without a word (a client that disappears).</summary>
    public void Vanish()
    {
        _client.Dispose();
        _clientStream.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _clientStream.DisposeAsync();
        try { await Server.WaitAsync(TimeSpan.FromSeconds(30)); } catch (Exception) { }
    }

    private sealed class Sink(LspSession session)
    {
        [JsonRpcMethod("textDocument/publishDiagnostics", UseSingleObjectParameterDeserialization = true)]
        public void Publish(JsonElement p)
        {
            lock (session._published) session._published.Add(p.Clone());
            session._signal.Release();
        }
    }
}

/// <summary>Positions of markers in test sources: <c>$$</c> marks a cursor and is removed from the text.</summary>
public static class Marked
{
    public static (string Text, int Line, int Character) Parse(string marked)
    {
        int i = marked.IndexOf("$$", StringComparison.Ordinal);
        string text = marked.Remove(i, 2);
        string before = text[..i];
        int line = before.Count(c => c == '\n');
        int character = i - (before.LastIndexOf('\n') + 1);
        return (text, line, character);
    }

    /// <summary>The (line, character) of the <paramref name="nth"/> occurrence of <paramref name="needle"/>, plus <paramref name="offset"/> characters.</summary>
    public static (int Line, int Character) Find(string text, string needle, int nth = 0, int offset = 0)
    {
        int i = -1;
        for (int k = 0; k <= nth; k++)
        {
            i = text.IndexOf(needle, i + 1, StringComparison.Ordinal);
            if (i < 0) throw new ArgumentException($"'{needle}' #{nth} not in text");
        }
        i += offset;
        string before = text[..i];
        return (before.Count(c => c == '\n'), i - (before.LastIndexOf('\n') + 1));
    }
}
