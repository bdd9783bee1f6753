using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Axon.Runtime.Tracing;

/// <summary>Event kinds of the trace (reference §7.1 plus <c>route_decision</c> and the AXON extras).</summary>
public static class TraceEventKinds
{
#pragma warning disable CS1591 // the names are the documentation
    public const string StepStart = "step_start";
    public const string StepEnd = "step_end";
    public const string ModelCall = "model_call";
    public const string ModelResponse = "model_response";
    public const string AnchorCheck = "anchor_check";
    public const string AnchorPass = "anchor_pass";
    public const string AnchorBreach = "anchor_breach";
    public const string ValidationPass = "validation_pass";
    public const string ValidationFail = "validation_fail";
    public const string RetryAttempt = "retry_attempt";
    public const string RefineStart = "refine_start";
    public const string MemoryRead = "memory_read";
    public const string MemoryWrite = "memory_write";
    public const string ConfidenceCheck = "confidence_check";
    public const string RouteDecision = "route_decision";
    public const string ToolCall = "tool_call";
    public const string Hibernate = "hibernate";
    public const string Resume = "resume";
#pragma warning restore CS1591
}

/// <summary>One recorded event.</summary>
/// <param name="Type">The event kind (see <see cref="TraceEventKinds"/>).</param>
/// <param name="Timestamp">Unix seconds.</param>
/// <param name="StepName">The step, when the event belongs to one.</param>
/// <param name="Data">Event data (already redacted).</param>
/// <param name="DurationMs">Duration, when the event measures one.</param>
public sealed record TraceEvent(string Type, double Timestamp, string? StepName, IReadOnlyDictionary<string, object?> Data, double? DurationMs);

/// <summary>A span (a run or a step). End it with <see cref="End"/>.</summary>
public sealed class TraceSpan
{
    private readonly TraceRecorder _recorder;
    internal readonly List<TraceSpan> Children = [];

    internal TraceSpan(TraceRecorder recorder, string name, string kind, double start, IReadOnlyDictionary<string, object?> metadata)
    {
        _recorder = recorder;
        Name = name;
        Kind = kind;
        StartTime = start;
        Metadata = metadata;
    }

    /// <summary>Span name (<c>unit:Flow</c>, <c>step:Extract</c>).</summary>
    public string Name { get; }
    /// <summary>run or step.</summary>
    public string Kind { get; }
    /// <summary>Start, Unix seconds.</summary>
    public double StartTime { get; }
    /// <summary>End, Unix seconds (null while open).</summary>
    public double? EndTime { get; private set; }
    /// <summary>Metadata.</summary>
    public IReadOnlyDictionary<string, object?> Metadata { get; private set; }
    /// <summary>Status (ok, error, suspended).</summary>
    public string Status { get; private set; } = "ok";

    /// <summary>Starts a child span.</summary>
    public TraceSpan StartChild(string name, string kind, IReadOnlyDictionary<string, object?>? metadata = null) =>
        _recorder.StartSpan(name, kind, metadata, this);

    /// <summary>Ends the span.</summary>
    public void End(string status = "ok", IReadOnlyDictionary<string, object?>? extra = null)
    {
        lock (_recorder.Gate)
        {
            if (EndTime is not null) return;
            EndTime = _recorder.Now();
            Status = status;
            if (extra is { Count: > 0 })
            {
                var merged = new Dictionary<string, object?>(Metadata);
                foreach (var kv in extra) merged[kv.Key] = _recorder.Clean(kv.Value);
                Metadata = merged;
            }
        }
    }
}

/// <summary>
/// Records a run's spans and events and writes the trace file of product.md §7:
/// <c>{"_meta": {source, backend, axon_version, duration_ms, started_at}, "spans": […], "events": […]}</c>.
/// Thread-safe (par branches record concurrently). Every string is passed through the
/// <see cref="SecretRedactor"/> when recorded.
/// </summary>
public sealed class TraceRecorder
{
    internal readonly Lock Gate = new();
    private readonly List<TraceSpan> _roots = [];
    private readonly List<TraceEvent> _events = [];
    private readonly TimeProvider _time;
    private readonly SecretRedactor _redactor;
    private readonly DateTimeOffset _startedAt;

    /// <summary>Creates a recorder.</summary>
    /// <param name="source">The program's source file name, as shown in <c>_meta.source</c>.</param>
    /// <param name="backend">The backend name.</param>
    /// <param name="timeProvider">Clock (tests use a fake one).</param>
    /// <param name="redactor">Secret redactor (default: environment secrets and key patterns).</param>
    public TraceRecorder(string source = "", string backend = "", TimeProvider? timeProvider = null, SecretRedactor? redactor = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        _redactor = redactor ?? SecretRedactor.FromEnvironment();
        _startedAt = _time.GetUtcNow();
        Source = source;
        Backend = backend;
    }

    /// <summary>Adds secrets that must never appear in this trace (the runtime passes its configured secrets).</summary>
    public void AddSecrets(IEnumerable<string> secrets) => _redactor.AddSecrets(secrets);

    /// <summary>Source file shown in <c>_meta</c>.</summary>
    public string Source { get; set; }
    /// <summary>Backend shown in <c>_meta</c>.</summary>
    public string Backend { get; set; }
    /// <summary>Language version shown in <c>_meta.axon_version</c>.</summary>
    public string AxonVersion { get; set; } = "0.7.0";

    /// <summary>Events recorded so far, in order.</summary>
    public IReadOnlyList<TraceEvent> Events { get { lock (Gate) return _events.ToArray(); } }

    /// <summary>Top-level spans recorded so far.</summary>
    public IReadOnlyList<TraceSpan> Spans { get { lock (Gate) return _roots.ToArray(); } }

    internal double Now() => _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>Starts a span (a root span when <paramref name="parent"/> is null).</summary>
    public TraceSpan StartSpan(string name, string kind, IReadOnlyDictionary<string, object?>? metadata = null, TraceSpan? parent = null)
    {
        var span = new TraceSpan(this, _redactor.Redact(name), kind, Now(), CleanMap(metadata));
        lock (Gate)
        {
            if (parent is null) _roots.Add(span);
            else parent.Children.Add(span);
        }
        return span;
    }

    /// <summary>Records an event.</summary>
    public void Record(string type, string? stepName = null, IReadOnlyDictionary<string, object?>? data = null, double? durationMs = null)
    {
        var e = new TraceEvent(type, Now(), stepName is null ? null : _redactor.Redact(stepName), CleanMap(data),
            durationMs is { } d && d > 0 ? Math.Round(d, 2) : null);
        lock (Gate) _events.Add(e);
    }

    /// <summary>
    /// Records a provider routing decision (<c>route_decision</c>): the strategy, the candidates
    /// considered, the provider chosen, the attempt number and why.
    /// </summary>
    public void RecordRouteDecision(string strategy, IReadOnlyList<string> candidates, string chosen, int attempt, string reason, string? stepName = null) =>
        Record(TraceEventKinds.RouteDecision, stepName, new Dictionary<string, object?>
        {
            ["strategy"] = strategy,
            ["candidates"] = candidates.ToArray(),
            ["chosen"] = chosen,
            ["attempt"] = attempt,
            ["reason"] = reason,
        });

    internal object? Clean(object? value) => value switch
    {
        null => null,
        string s => _redactor.Redact(s),
        bool or int or long or double or float or decimal => value,
        IEnumerable<string> list => list.Select(x => _redactor.Redact(x)).ToArray(),
        IReadOnlyDictionary<string, object?> map => CleanMap(map),
        _ => _redactor.Redact(Convert.ToString(value, CultureInfo.InvariantCulture)),
    };

    private IReadOnlyDictionary<string, object?> CleanMap(IReadOnlyDictionary<string, object?>? data)
    {
        if (data is null || data.Count == 0) return EmptyMap;
        var copy = new Dictionary<string, object?>(data.Count);
        foreach (var kv in data) copy[kv.Key] = Clean(kv.Value);
        return copy;
    }

    private static readonly IReadOnlyDictionary<string, object?> EmptyMap = new Dictionary<string, object?>();

    /// <summary>The trace file as JSON (indented).</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        WriteTo(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes the trace file to <paramref name="path"/>.</summary>
    public async Task SaveAsync(string path, CancellationToken cancellationToken = default)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        await using var stream = File.Create(path);
        WriteTo(stream);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the trace JSON to a stream.</summary>
    public void WriteTo(Stream stream)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        lock (Gate)
        {
            var end = _time.GetUtcNow();
            w.WriteStartObject();
            w.WriteStartObject("_meta");
            w.WriteString("source", _redactor.Redact(Source));
            w.WriteString("backend", Backend);
            w.WriteString("axon_version", AxonVersion);
            w.WriteNumber("duration_ms", Math.Round((end - _startedAt).TotalMilliseconds, 2));
            w.WriteString("started_at", _startedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            w.WriteEndObject();
            w.WriteStartArray("spans");
            foreach (var s in _roots) WriteSpan(w, s);
            w.WriteEndArray();
            w.WriteStartArray("events");
            foreach (var e in _events)
            {
                w.WriteStartObject();
                w.WriteString("type", e.Type);
                w.WriteNumber("timestamp", Math.Round(e.Timestamp, 3));
                if (e.StepName is { Length: > 0 }) w.WriteString("step_name", e.StepName);
                w.WritePropertyName("data");
                w.WriteStartObject();
                if (e.StepName is { Length: > 0 } && !e.Data.ContainsKey("step_name")) w.WriteString("step_name", e.StepName);
                foreach (var kv in e.Data) { w.WritePropertyName(kv.Key); WriteValue(w, kv.Value); }
                w.WriteEndObject();
                if (e.DurationMs is { } d) w.WriteNumber("duration_ms", d);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
    }

    private void WriteSpan(Utf8JsonWriter w, TraceSpan s)
    {
        w.WriteStartObject();
        w.WriteString("name", s.Name);
        w.WriteString("kind", s.Kind);
        w.WriteNumber("start_time", Math.Round(s.StartTime, 3));
        if (s.EndTime is { } e) w.WriteNumber("end_time", Math.Round(e, 3));
        w.WriteNumber("duration_ms", s.EndTime is { } end ? Math.Round((end - s.StartTime) * 1000, 2) : 0);
        w.WriteString("status", s.Status);
        if (s.Metadata.Count > 0)
        {
            w.WritePropertyName("metadata");
            WriteValue(w, s.Metadata);
        }
        if (s.Children.Count > 0)
        {
            w.WriteStartArray("children");
            foreach (var c in s.Children) WriteSpan(w, c);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null: w.WriteNullValue(); break;
            case string s: w.WriteStringValue(s); break;
            case bool b: w.WriteBooleanValue(b); break;
            case int i: w.WriteNumberValue(i); break;
            case long l: w.WriteNumberValue(l); break;
            case double d: w.WriteNumberValue(Math.Round(d, 6)); break;
            case float f: w.WriteNumberValue(f); break;
            case decimal m: w.WriteNumberValue(m); break;
            case IReadOnlyDictionary<string, object?> map:
                w.WriteStartObject();
                foreach (var kv in map) { w.WritePropertyName(kv.Key); WriteValue(w, kv.Value); }
                w.WriteEndObject();
                break;
            case IEnumerable<string> list:
                w.WriteStartArray();
                foreach (var x in list) w.WriteStringValue(x);
                w.WriteEndArray();
                break;
            default: w.WriteStringValue(value.ToString()); break;
        }
    }
}
