using System.Collections.Concurrent;
using System.Text.Json;
using Axon.Benchmarks.Language;
using Axon.LanguageServer;
using Axon.LanguageServer.Protocol;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using StreamJsonRpc;

namespace Axon.Benchmarks.LanguageServer;

/// <summary>
/// Editor latency of <c>axon lsp</c>, end to end over JSON-RPC streams (the framing and serialization of stdio
/// included): from sending a one-character <c>didChange</c> to receiving its <c>publishDiagnostics</c> (the
/// server's debounce included), and a completion request's round trip. Targets: diagnostics within 50 ms on a
/// 3 KB file and 500 ms on 1 MB; completion within 20 ms. The front end alone on the same text is the floor.
/// </summary>
[Config(typeof(LatencyConfig))]
public class LanguageServerBenchmarks
{
    private const string Uri = "file:///bench/program.axon";
    private readonly ConcurrentDictionary<int, TaskCompletionSource> _waiting = new();
    private JsonRpc _client = null!;
    private Task<int> _server = null!;
    private Stream _stream = null!;
    private int _version = 1;
    private int _completionLine;
    private string _text = "";

    /// <summary>The size of the document (bytes of generated AXON).</summary>
    [Params(3_000, 1_000_000)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var text = _text = AxonSourceGenerator.Generate(Size);
        var (a, b) = Nerdbank.Streams.FullDuplexStream.CreatePair();
        _stream = a;
        _server = Task.Run(() => AxonLanguageServer.RunAsync(b, b, TextWriter.Null));
        _client = new JsonRpc(new HeaderDelimitedMessageHandler(a, a, new SystemTextJsonFormatter { JsonSerializerOptions = Json.Options }));
        _client.AddLocalRpcTarget(new Sink(this));
        _client.StartListening();
        _client.InvokeWithParameterObjectAsync<JsonElement>("initialize", new { processId = (int?)null, capabilities = new { } }).GetAwaiter().GetResult();
        var opened = Expect(1);
        _client.NotifyWithParameterObjectAsync("textDocument/didOpen", new { textDocument = new { uri = Uri, languageId = "axon", version = 1, text } }).GetAwaiter().GetResult();
        opened.Wait(TimeSpan.FromMinutes(1));
        // Completion inside the last flow's first step, after `given: ` (parameters and steps are offered).
        var lines = text.Split('\n');
        _completionLine = Array.FindLastIndex(lines, l => l.TrimStart().StartsWith("given: doc", StringComparison.Ordinal));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.InvokeAsync<object?>("shutdown").GetAwaiter().GetResult();
        _client.NotifyAsync("exit").GetAwaiter().GetResult();
        _server.Wait(TimeSpan.FromSeconds(30));
        _client.Dispose();
        _stream.Dispose();
    }

    /// <summary>Types or deletes one character at the top of the file and waits for the diagnostics of that version.</summary>
    [Benchmark(Description = "didChange → publishDiagnostics")]
    public async Task DiagnosticsAfterChange()
    {
        int version = ++_version;
        var published = Expect(version);
        object change = version % 2 == 0
            ? new { range = new { start = new { line = 0, character = 0 }, end = new { line = 0, character = 0 } }, text = " " }
            : new { range = new { start = new { line = 0, character = 0 }, end = new { line = 0, character = 1 } }, text = "" };
        await _client.NotifyWithParameterObjectAsync("textDocument/didChange", new { textDocument = new { uri = Uri, version }, contentChanges = new[] { change } });
        await published;
    }

    /// <summary>A completion request after <c>given: </c> in a step, answered.</summary>
    [Benchmark(Description = "completion round trip")]
    public Task<JsonElement> Completion() =>
        _client.InvokeWithParameterObjectAsync<JsonElement>("textDocument/completion",
            new { textDocument = new { uri = Uri }, position = new { line = _completionLine, character = 11 } });

    /// <summary>The floor: the front end alone on the same text (what any diagnostics must cost at least).</summary>
    [Benchmark(Description = "floor: AxonCompiler.Compile, same text")]
    public Axon.Language.Compilation FrontEndFloor() => Axon.Language.AxonCompiler.Compile(_text, generateIr: true);

    private Task Expect(int version) => _waiting.GetOrAdd(version, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    private sealed class Sink(LanguageServerBenchmarks owner)
    {
        [JsonRpcMethod("textDocument/publishDiagnostics", UseSingleObjectParameterDeserialization = true)]
        public void Publish(JsonElement p)
        {
            if (p.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number && owner._waiting.TryRemove(v.GetInt32(), out var tcs))
                tcs.TrySetResult();
        }
    }

    private sealed class LatencyConfig : ManualConfig
    {
        public LatencyConfig()
        {
            AddColumn(StatisticColumn.Median, StatisticColumn.P95, StatisticColumn.Max);
        }
    }
}
