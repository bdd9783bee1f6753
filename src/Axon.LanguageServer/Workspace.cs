using System.Collections.Concurrent;
using Axon.LanguageServer.Protocol;
using Range = Axon.LanguageServer.Protocol.Range;

namespace Axon.LanguageServer;

/// <summary>An open document: its current text, and the latest analysis (of this or an earlier version).</summary>
internal sealed class OpenDocument
{
    public OpenDocument(string uri, string text, int version)
    {
        Uri = uri;
        Text = text;
        Version = version;
    }

    public readonly object Gate = new();
    public string Uri { get; }
    public string Text { get; set; }
    public int Version { get; set; }
    public Analysis? Latest { get; set; }
    public bool Dirty { get; set; }
    public bool Running { get; set; }
    public bool Closed { get; set; }
}

/// <summary>
/// The documents the server knows: open ones (analysed as they change, one worker per document, so only the
/// changed document is re-analysed) and the workspace's other <c>.axon</c> files (indexed once, from disk).
/// </summary>
internal sealed class Workspace
{
    private readonly ConcurrentDictionary<string, OpenDocument> _open = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Analysis> _disk = new(StringComparer.Ordinal);

    public ServerOptions Options { get; set; } = new();

    public OpenDocument? Get(string uri) => _open.TryGetValue(uri, out var d) ? d : null;

    public OpenDocument Open(string uri, string text, int version)
    {
        var doc = new OpenDocument(uri, text, version);
        _open[uri] = doc;
        return doc;
    }

    public void Close(string uri)
    {
        if (_open.TryRemove(uri, out var doc))
            lock (doc.Gate) doc.Closed = true;
    }

    /// <summary>The analysis of the document's current text: the latest one when it is current, else a new one (not published).</summary>
    public Analysis Current(OpenDocument doc)
    {
        string text;
        int version;
        lock (doc.Gate)
        {
            if (doc.Latest is { } latest && latest.Version == doc.Version && ReferenceEquals(latest.Text, doc.Text)) return latest;
            text = doc.Text;
            version = doc.Version;
        }
        var analysis = Analysis.Run(doc.Uri, text, version, Options.MaxDocumentChars);
        lock (doc.Gate)
        {
            if (ReferenceEquals(doc.Text, text)) doc.Latest = analysis;
        }
        return analysis;
    }

    /// <summary>Every analysis known: open documents (current) and indexed files that are not open.</summary>
    public IEnumerable<Analysis> All()
    {
        foreach (var doc in _open.Values) yield return Current(doc);
        foreach (var (uri, analysis) in _disk)
            if (!_open.ContainsKey(uri)) yield return analysis;
    }

    /// <summary>The latest analyses without re-analysing anything (for answers that must be immediate, such as completion).</summary>
    public IEnumerable<Analysis> AllLatest()
    {
        foreach (var doc in _open.Values) if (doc.Latest is { } a) yield return a;
        foreach (var (uri, analysis) in _disk)
            if (!_open.ContainsKey(uri)) yield return analysis;
    }

    /// <summary>Indexes the <c>.axon</c> files under <paramref name="roots"/> (bounded: build output and dependencies skipped).</summary>
    public void IndexFolders(IEnumerable<string> roots, CancellationToken ct)
    {
        int files = 0;
        foreach (var root in roots)
        {
            if (!Directory.Exists(root)) continue;
            foreach (var path in Enumerate(root))
            {
                if (ct.IsCancellationRequested || files >= Options.MaxIndexedFiles) return;
                try
                {
                    var info = new FileInfo(path);
                    if (info.Length > Options.MaxIndexedFileBytes) continue;
                    string uri = new Uri(path).AbsoluteUri;
                    if (_open.ContainsKey(uri)) continue;
                    _disk[uri] = Analysis.Run(uri, File.ReadAllText(path), 0, Options.MaxDocumentChars);
                    files++;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // A file that vanished or cannot be read is simply not indexed.
                }
            }
        }
    }

    private static IEnumerable<string> Enumerate(string root)
    {
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            string dir = pending.Pop();
            string[] subdirs, files;
            try
            {
                subdirs = Directory.GetDirectories(dir);
                files = Directory.GetFiles(dir, "*.axon");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            foreach (var f in files) yield return f;
            foreach (var s in subdirs)
            {
                string name = Path.GetFileName(s);
                if (name is "bin" or "obj" or "node_modules" || name.StartsWith('.')) continue;
                pending.Push(s);
            }
        }
    }

    /// <summary>Turns a <c>file:</c> URI into a path, or null for other schemes.</summary>
    public static string? PathOf(string uri)
    {
        try
        {
            var u = new Uri(uri);
            return u.IsFile ? u.LocalPath : null;
        }
        catch (UriFormatException)
        {
            return null;
        }
    }
}

/// <summary>Server settings (from <c>initializationOptions</c>).</summary>
public sealed class ServerOptions
{
    /// <summary>Quiet time after a change before the document is re-analysed (later changes within it are coalesced).</summary>
    public int DebounceMilliseconds { get; set; } = 15;

    /// <summary>Documents larger than this (in UTF-16 characters) are not analysed; a diagnostic says so.</summary>
    public int MaxDocumentChars { get; set; } = 16 * 1024 * 1024;

    /// <summary>The most workspace files indexed from disk.</summary>
    public int MaxIndexedFiles { get; set; } = 5000;

    /// <summary>Workspace files larger than this are not indexed.</summary>
    public long MaxIndexedFileBytes { get; set; } = 4 * 1024 * 1024;

    internal void Apply(System.Text.Json.JsonElement? options)
    {
        if (options is not { ValueKind: System.Text.Json.JsonValueKind.Object } o) return;
        if (o.TryGetProperty("debounceMs", out var d) && d.TryGetInt32(out int ms) && ms >= 0) DebounceMilliseconds = Math.Min(ms, 10_000);
        if (o.TryGetProperty("maxDocumentChars", out var m) && m.TryGetInt32(out int max) && max > 0) MaxDocumentChars = max;
    }
}
