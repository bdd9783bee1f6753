using System.Text.Json;
using Axon.LanguageServer.Protocol;
using Range = Axon.LanguageServer.Protocol.Range;
using StreamJsonRpc;

namespace Axon.LanguageServer;

/// <summary>The LSP methods the server answers (StreamJsonRpc dispatches to them by name).</summary>
internal sealed class LanguageServerTarget
{
    private const int InvalidParams = -32602;
    private const int InvalidRequest = -32600;

    private readonly JsonRpc _rpc;
    private readonly TextWriter _log;
    private readonly Workspace _workspace = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<string> _roots = new();

    private readonly TolerantMessageHandler? _handler;

    public LanguageServerTarget(JsonRpc rpc, TextWriter log, TolerantMessageHandler? handler = null)
    {
        _rpc = rpc;
        _log = log;
        _handler = handler;
    }

    public bool ShutdownReceived { get; private set; }

    public Task Exited => _exited.Task;

    internal Workspace Workspace => _workspace;

    public void RequestExit() => _exited.TrySetResult();

    public void Stop() => _stopping.Cancel();

    // ───────────── lifecycle ─────────────

    [JsonRpcMethod("initialize", UseSingleObjectParameterDeserialization = true)]
    public object Initialize(InitializeParams p)
    {
        _workspace.Options.Apply(p.InitializationOptions);
        if (p.WorkspaceFolders != null)
            foreach (var f in p.WorkspaceFolders) if (Workspace.PathOf(f.Uri) is { } path) _roots.Add(path);
        if (_roots.Count == 0 && p.RootUri != null && Workspace.PathOf(p.RootUri) is { } root) _roots.Add(root);
        if (_roots.Count == 0 && !string.IsNullOrEmpty(p.RootPath)) _roots.Add(p.RootPath!);
        return new
        {
            capabilities = new
            {
                positionEncoding = "utf-16",
                textDocumentSync = new { openClose = true, change = 2, save = new { includeText = false } },
                hoverProvider = true,
                definitionProvider = true,
                referencesProvider = true,
                completionProvider = new { triggerCharacters = new[] { ":", " ", "{", "[", ",", "(", ">" }, resolveProvider = false },
                documentSymbolProvider = true,
                workspaceSymbolProvider = true,
                renameProvider = new { prepareProvider = true },
                foldingRangeProvider = true,
            },
            serverInfo = new { name = "axon-lsp", version = Axon.Language.AxonCompiler.LanguageVersion },
        };
    }

    [JsonRpcMethod("initialized")]
    public void Initialized()
    {
        if (_roots.Count == 0) return;
        var roots = _roots.ToArray();
        var ct = _stopping.Token;
        // Indexing runs beside the session; cross-file answers include a file as soon as it is indexed.
        _ = Task.Run(() =>
        {
            try { _workspace.IndexFolders(roots, ct); }
            catch (Exception ex) { _log.WriteLine("axon lsp: workspace indexing stopped: " + ex.Message); }
        });
    }

    [JsonRpcMethod("shutdown")]
    public object? Shutdown()
    {
        ShutdownReceived = true;
        return null;
    }

    [JsonRpcMethod("exit")]
    public void Exit() => _exited.TrySetResult();

    [JsonRpcMethod(TolerantMessageHandler.MalformedMethod)]
    public void Malformed()
    {
        // No id can be read from a malformed message, so no response can answer it: say so in the client's log.
        string message = "axon lsp: ignored a malformed message: " + (_handler?.LastError ?? "unreadable JSON");
        _log.WriteLine(message);
        _ = _rpc.NotifyWithParameterObjectAsync("window/logMessage", new LogMessageParams(1, message)).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    // ───────────── text sync ─────────────

    [JsonRpcMethod("textDocument/didOpen", UseSingleObjectParameterDeserialization = true)]
    public void DidOpen(DidOpenTextDocumentParams p)
    {
        if (p?.TextDocument?.Uri == null) return;
        var doc = _workspace.Open(p.TextDocument.Uri, p.TextDocument.Text ?? "", p.TextDocument.Version);
        Schedule(doc, immediately: true);
    }

    [JsonRpcMethod("textDocument/didChange", UseSingleObjectParameterDeserialization = true)]
    public void DidChange(DidChangeTextDocumentParams p)
    {
        if (p?.TextDocument?.Uri == null || p.ContentChanges == null) return;
        var doc = _workspace.Get(p.TextDocument.Uri);
        if (doc == null)
        {
            _log.WriteLine("axon lsp: didChange for a document that is not open: " + p.TextDocument.Uri);
            return;
        }
        lock (doc.Gate)
        {
            string text = doc.Text;
            foreach (var change in p.ContentChanges)
            {
                if (change == null) continue;
                if (change.Range == null)
                {
                    text = change.Text ?? "";
                    continue;
                }
                // Out-of-range positions are clamped into the text (LSP's rule for positions past a line's end).
                var lines = new LineMap(text);
                int start = lines.Offset(change.Range.Start), end = lines.Offset(change.Range.End);
                if (end < start) (start, end) = (end, start);
                text = string.Concat(text.AsSpan(0, start), change.Text ?? "", text.AsSpan(end));
            }
            doc.Text = text;
            doc.Version = p.TextDocument.Version;
        }
        Schedule(doc, immediately: false);
    }

    [JsonRpcMethod("textDocument/didClose", UseSingleObjectParameterDeserialization = true)]
    public void DidClose(DidCloseTextDocumentParams p)
    {
        if (p?.TextDocument?.Uri == null) return;
        _workspace.Close(p.TextDocument.Uri);
        _ = PublishAsync(new PublishDiagnosticsParams(p.TextDocument.Uri, null, []));
    }

    [JsonRpcMethod("textDocument/didSave", UseSingleObjectParameterDeserialization = true)]
    public void DidSave(DidSaveTextDocumentParams p)
    {
    }

    // Coalescing debounce: one worker per document; changes during the quiet time or during an analysis are
    // folded into the next analysis, and an analysis of text that has since changed is not published.
    private void Schedule(OpenDocument doc, bool immediately)
    {
        lock (doc.Gate)
        {
            doc.Dirty = true;
            if (doc.Running) return;
            doc.Running = true;
        }
        int delay = immediately ? 0 : _workspace.Options.DebounceMilliseconds;
        var ct = _stopping.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                if (delay > 0) await Task.Delay(delay, ct).ConfigureAwait(false);
                while (!ct.IsCancellationRequested)
                {
                    string text;
                    int version;
                    lock (doc.Gate)
                    {
                        if (!doc.Dirty || doc.Closed)
                        {
                            doc.Running = false;
                            return;
                        }
                        doc.Dirty = false;
                        text = doc.Text;
                        version = doc.Version;
                    }
                    var analysis = Analysis.Run(doc.Uri, text, version, _workspace.Options.MaxDocumentChars);
                    bool stale;
                    lock (doc.Gate)
                    {
                        stale = doc.Dirty || doc.Closed;
                        if (ReferenceEquals(doc.Text, text)) doc.Latest = analysis;
                    }
                    if (!stale) await PublishAsync(Features.Diagnostics(analysis)).ConfigureAwait(false);
                    if (!stale && !analysis.HasSymbols) WarmWhenIdle(doc, analysis);
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception ex)
            {
                _log.WriteLine("axon lsp: analysis failed for " + doc.Uri + ": " + ex.Message);
            }
            lock (doc.Gate) doc.Running = false;
        });
    }

    // Builds a large document's symbol table once typing pauses, so the next hover or rename finds it ready.
    private void WarmWhenIdle(OpenDocument doc, Analysis analysis)
    {
        var ct = _stopping.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(Math.Max(300, _workspace.Options.DebounceMilliseconds * 10), ct).ConfigureAwait(false);
                lock (doc.Gate)
                    if (doc.Dirty || doc.Closed || !ReferenceEquals(doc.Latest, analysis)) return;
                _ = analysis.Symbols;
            }
            catch (OperationCanceledException)
            {
            }
        }, ct);
    }

    private async Task PublishAsync(PublishDiagnosticsParams p)
    {
        try
        {
            await _rpc.NotifyWithParameterObjectAsync("textDocument/publishDiagnostics", p).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ConnectionLostException or ObjectDisposedException or IOException)
        {
            // The client is gone; the session is ending.
        }
    }

    // ───────────── language features ─────────────

    [JsonRpcMethod("textDocument/hover", UseSingleObjectParameterDeserialization = true)]
    public Hover? Hover(TextDocumentPositionParams p)
    {
        var (analysis, position) = Locate(p?.TextDocument, p?.Position);
        return Features.Hover(_workspace, analysis, position);
    }

    [JsonRpcMethod("textDocument/definition", UseSingleObjectParameterDeserialization = true)]
    public Location[] Definition(TextDocumentPositionParams p)
    {
        var (analysis, position) = Locate(p?.TextDocument, p?.Position);
        return Features.Definition(_workspace, analysis, position);
    }

    [JsonRpcMethod("textDocument/references", UseSingleObjectParameterDeserialization = true)]
    public Location[] References(ReferenceParams p)
    {
        var (analysis, position) = Locate(p?.TextDocument, p?.Position);
        return Features.References(_workspace, analysis, position, p!.Context?.IncludeDeclaration ?? true);
    }

    [JsonRpcMethod("textDocument/prepareRename", UseSingleObjectParameterDeserialization = true)]
    public PrepareRenameResult? PrepareRename(TextDocumentPositionParams p)
    {
        var (analysis, position) = Locate(p?.TextDocument, p?.Position);
        return Features.PrepareRename(_workspace, analysis, position);
    }

    [JsonRpcMethod("textDocument/rename", UseSingleObjectParameterDeserialization = true)]
    public WorkspaceEdit? Rename(RenameParams p)
    {
        var (analysis, position) = Locate(p?.TextDocument, p?.Position);
        if (!Features.IsValidName(p!.NewName))
            throw new LocalRpcException($"'{p.NewName}' is not a valid AXON name (a letter or _, then letters, digits or _; not a keyword)") { ErrorCode = InvalidParams };
        return Features.Rename(_workspace, analysis, position, p.NewName);
    }

    [JsonRpcMethod("textDocument/documentSymbol", UseSingleObjectParameterDeserialization = true)]
    public DocumentSymbol[] DocumentSymbols(DocumentParams p)
    {
        var (analysis, _) = Locate(p?.TextDocument, new Position(0, 0));
        return Features.DocumentSymbols(analysis);
    }

    [JsonRpcMethod("textDocument/foldingRange", UseSingleObjectParameterDeserialization = true)]
    public FoldingRange[] FoldingRanges(DocumentParams p)
    {
        var (analysis, _) = Locate(p?.TextDocument, new Position(0, 0));
        return Features.FoldingRanges(analysis);
    }

    [JsonRpcMethod("workspace/symbol", UseSingleObjectParameterDeserialization = true)]
    public object[] WorkspaceSymbols(JsonElement p)
    {
        string query = p.ValueKind == JsonValueKind.Object && p.TryGetProperty("query", out var q) && q.ValueKind == JsonValueKind.String ? q.GetString()! : "";
        return Features.WorkspaceSymbols(_workspace, query);
    }

    [JsonRpcMethod("textDocument/completion", UseSingleObjectParameterDeserialization = true)]
    public CompletionList Completion(TextDocumentPositionParams p)
    {
        var doc = OpenOrFail(p?.TextDocument);
        string text;
        lock (doc.Gate) text = doc.Text;
        var lines = new LineMap(text);
        if (p!.Position == null || !lines.IsValid(p.Position)) throw OutOfRange(p.Position);
        // Completion reads the current text around the cursor and the latest analysis, which may be a keystroke
        // old: it must answer at once, not after a re-analysis.
        return Completions.Complete(_workspace, text, lines.Offset(p.Position), doc.Latest);
    }

    private OpenDocument OpenOrFail(TextDocumentIdentifier? id)
    {
        if (id?.Uri == null) throw new LocalRpcException("textDocument is required") { ErrorCode = InvalidParams };
        return _workspace.Get(id.Uri) ?? throw new LocalRpcException("Unknown document (not open): " + id.Uri) { ErrorCode = InvalidRequest };
    }

    private (Analysis Analysis, Position Position) Locate(TextDocumentIdentifier? id, Position? position)
    {
        var doc = OpenOrFail(id);
        var analysis = _workspace.Current(doc);
        if (position == null || !analysis.Lines.IsValid(position)) throw OutOfRange(position);
        return (analysis, position);
    }

    private static LocalRpcException OutOfRange(Position? p) =>
        new(p == null ? "position is required" : $"Position {p.Line}:{p.Character} is outside the document") { ErrorCode = InvalidParams };
}
