using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Axon.Cli.Tracing;

/// <summary>One trace event, whichever shape it came from.</summary>
internal sealed record TraceEventView(string Type, double? Timestamp, string? StepName, JsonObject Data, double? DurationMs);

/// <summary>One span (a run or a step) with its nested spans and events.</summary>
internal sealed class TraceSpanView
{
    public required string Name { get; init; }
    public string Kind { get; init; } = "";
    public double? Start { get; init; }
    public double? End { get; init; }
    public double DurationMs { get; init; }
    public string Status { get; init; } = "";
    public JsonObject Metadata { get; init; } = [];
    public List<TraceSpanView> Children { get; } = [];
    public List<TraceEventView> Events { get; } = [];

    /// <summary>The step name of a <c>step:X</c> span (or the whole name).</summary>
    public string ShortName => Name.StartsWith("step:", StringComparison.Ordinal) ? Name[5..] : Name.StartsWith("unit:", StringComparison.Ordinal) ? Name[5..] : Name;
}

/// <summary>
/// A trace file read leniently: the trace of product.md §7 (<c>_meta</c>, <c>spans</c>, <c>events</c>), the
/// reference's older file (§7.2: <c>_meta</c>/<c>meta</c> and events with <c>type</c> and <c>data</c>), the
/// reference tracer's root (§7.1: <c>program_name</c>, <c>spans</c> with nested events), the v2.80 event
/// shape (<c>event</c>, <c>unit</c>, <c>step</c>, <c>detail</c>), or a top-level list of events.
/// </summary>
internal sealed class TraceDocument
{
    public List<KeyValuePair<string, string>> Meta { get; } = [];
    public List<TraceSpanView> Spans { get; } = [];
    public List<TraceEventView> Events { get; } = [];
    /// <summary>The root object when it has neither spans nor events (rendered as a flat key/value dump).</summary>
    public JsonObject? Unrecognised { get; private set; }

    public string? MetaValue(string key) => Meta.FirstOrDefault(kv => kv.Key == key).Value;

    public static TraceDocument Parse(string json)
    {
        var root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 256 });
        var doc = new TraceDocument();
        switch (root)
        {
            case JsonArray list:
                doc.Events.AddRange(list.OfType<JsonObject>().Select(ReadEvent));
                break;
            case JsonObject o:
                var meta = o["_meta"] as JsonObject ?? o["meta"] as JsonObject;
                if (meta is not null)
                    foreach (var kv in meta) doc.Meta.Add(new(kv.Key, Scalar(kv.Value)));
                else
                {
                    // The reference tracer's root keeps its facts at the top level.
                    if (o["program_name"] is { } pn) doc.Meta.Add(new("source", Scalar(pn)));
                    if (o["backend_name"] is { } bn) doc.Meta.Add(new("backend", Scalar(bn)));
                    if (o["duration_ms"] is { } dm) doc.Meta.Add(new("duration_ms", Scalar(dm)));
                    if (o["start_time"] is { } st) doc.Meta.Add(new("start_time", Scalar(st)));
                    if (o["total_events"] is { } te) doc.Meta.Add(new("total_events", Scalar(te)));
                }
                if (o["spans"] is JsonArray spans) doc.Spans.AddRange(spans.OfType<JsonObject>().Select(ReadSpan));
                if (o["events"] is JsonArray events) doc.Events.AddRange(events.OfType<JsonObject>().Select(ReadEvent));
                if (doc.Spans.Count == 0 && doc.Events.Count == 0 && o["spans"] is null && o["events"] is null) doc.Unrecognised = o;
                break;
            default:
                throw new JsonException("a trace must be a JSON object or a list of events");
        }
        return doc;
    }

    private static TraceSpanView ReadSpan(JsonObject o)
    {
        var span = new TraceSpanView
        {
            Name = Str(o["name"]) ?? "(span)",
            Kind = Str(o["kind"]) ?? "",
            Start = Num(o["start_time"]),
            End = Num(o["end_time"]),
            DurationMs = Num(o["duration_ms"]) ?? 0,
            Status = Str(o["status"]) ?? "",
            Metadata = o["metadata"] is JsonObject m ? (JsonObject)m.DeepClone() : [],
        };
        if (o["children"] is JsonArray children) span.Children.AddRange(children.OfType<JsonObject>().Select(ReadSpan));
        if (o["events"] is JsonArray events) span.Events.AddRange(events.OfType<JsonObject>().Select(ReadEvent));
        return span;
    }

    private static TraceEventView ReadEvent(JsonObject o)
    {
        var type = Str(o["type"]) ?? Str(o["event_type"]) ?? Str(o["event"]) ?? "event";
        var data = o["data"] is JsonObject d ? (JsonObject)d.DeepClone() : [];
        // v2.80 events keep their facts in unit/step/detail.
        if (o["detail"] is { } detail && !data.ContainsKey("message")) data["message"] = detail is JsonValue ? Scalar(detail) : detail.ToJsonString();
        if (o["unit"] is { } unit && !data.ContainsKey("unit")) data["unit"] = Scalar(unit);
        var step = Str(o["step_name"]) ?? Str(data["step_name"]) ?? Str(o["step"]);
        return new TraceEventView(type, Num(o["timestamp"]), step, data, Num(o["duration_ms"]));
    }

    public static string? Str(JsonNode? n) => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : n is JsonValue ? Scalar(n) : null;

    public static double? Num(JsonNode? n)
    {
        if (n is not JsonValue v) return null;
        if (v.TryGetValue<double>(out var d)) return d;
        return v.TryGetValue<string>(out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out d) ? d : null;
    }

    /// <summary>A value as display text: strings bare, everything else as compact JSON.</summary>
    public static string Scalar(JsonNode? n) => n switch
    {
        null => "null",
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        _ => n.ToJsonString(Relaxed),
    };

    // Quotes and non-ASCII stay readable in terminal output (the HTML writer escapes on its own).
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
