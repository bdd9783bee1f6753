using System.Globalization;
using System.Text.Json.Nodes;

namespace Axon.Cli.Tracing;

/// <summary>
/// Renders a trace for a terminal the way the reference's <c>axon trace</c> does (§7.2: a titled box,
/// <c>source:</c>/<c>backend:</c>, spans as <c>┌─ name (Nms)</c> … <c>└─</c>, then events with a summary),
/// plus the new trace's extras: run/step status, durations, and a routing summary.
/// </summary>
internal static class TraceTextRenderer
{
    private static readonly string Rule = new('═', 60);

    /// <summary>Event kinds whose other data keys are listed under the summary (reference §7.2).</summary>
    private static readonly HashSet<string> Detailed = ["anchor_breach", "validation_fail", "retry_attempt"];

    public static void Render(TraceDocument doc, CliConsole c)
    {
        var w = c.Out;
        w.WriteLine(Rule);
        w.WriteLine(c.Bold("  AXON Execution Trace"));
        w.WriteLine(Rule);
        w.WriteLine($"  source:  {doc.MetaValue("source") ?? "(unknown)"}");
        w.WriteLine($"  backend: {doc.MetaValue("backend") ?? "(unknown)"}");
        foreach (var (key, value) in doc.Meta.Where(kv => kv.Key is not ("source" or "backend")))
            w.WriteLine($"  {key}: {(key == "duration_ms" ? Ms(TraceDocument.Num(JsonValue.Create(value)) ?? 0) : value)}");
        double? origin = Origin(doc);

        if (doc.Spans.Count > 0)
        {
            w.WriteLine();
            w.WriteLine(c.Bold("  Spans"));
            foreach (var span in doc.Spans) RenderSpan(w, c, span, "  ", origin);
        }
        if (doc.Events.Count > 0)
        {
            w.WriteLine();
            w.WriteLine(c.Bold($"  Events ({doc.Events.Count})"));
            foreach (var e in doc.Events) RenderEvent(w, c, e, "  ", origin);
        }
        var routes = doc.Events.Concat(AllSpanEvents(doc.Spans)).Where(e => e.Type == "route_decision").ToList();
        if (routes.Count > 0)
        {
            w.WriteLine();
            var tally = routes.GroupBy(e => TraceDocument.Str(e.Data["chosen"]) ?? "?").OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal);
            w.WriteLine(c.Bold($"  Routing decisions ({routes.Count})") + ": " + string.Join(", ", tally.Select(g => $"{g.Key} ×{g.Count()}")));
            var failovers = routes.Count(e => TraceDocument.Str(e.Data["reason"]) == "failover");
            if (failovers > 0) w.WriteLine($"  {c.Warn($"{failovers} failover(s)")}");
        }
        if (doc.Unrecognised is { } raw)
        {
            // Neither spans nor events: show what is there rather than nothing.
            w.WriteLine();
            foreach (var kv in raw.Where(kv => kv.Key is not ("_meta" or "meta")))
                w.WriteLine($"  {kv.Key}: {Cut(TraceDocument.Scalar(kv.Value), 80, 77)}");
        }
        w.WriteLine(Rule);
    }

    private static IEnumerable<TraceEventView> AllSpanEvents(IEnumerable<TraceSpanView> spans) =>
        spans.SelectMany(s => s.Events.Concat(AllSpanEvents(s.Children)));

    /// <summary>The first timestamp, so Unix times are shown as offsets (<c>+12.5 ms</c>).</summary>
    private static double? Origin(TraceDocument doc)
    {
        var times = doc.Spans.Select(s => s.Start).Concat(doc.Events.Select(e => e.Timestamp)).Concat(AllSpanEvents(doc.Spans).Select(e => e.Timestamp))
            .Where(t => t is > 1e8).Select(t => t!.Value).ToList();
        return times.Count > 0 ? times.Min() : null;
    }

    private static void RenderSpan(TextWriter w, CliConsole c, TraceSpanView s, string indent, double? origin)
    {
        var status = s.Status is "" or "ok" ? "" : " " + (s.Status is "error" or "exhausted" ? c.Fail($"[{s.Status}]") : c.Warn($"[{s.Status}]"));
        var meta = s.Metadata.Where(kv => kv.Value is not null && TraceDocument.Scalar(kv.Value) is not ("" or "false" or "null"))
            .Select(kv => $"{kv.Key}={Cut(TraceDocument.Scalar(kv.Value), 40, 37)}").ToList();
        w.WriteLine($"{indent}┌─ {c.Cyan(s.Name)} ({Ms(s.DurationMs)}){status}{(meta.Count > 0 ? "  " + c.Dim(string.Join(" ", meta)) : "")}");
        foreach (var e in s.Events) RenderEvent(w, c, e, indent + "│  ", origin);
        foreach (var child in s.Children) RenderSpan(w, c, child, indent + "│  ", origin);
        w.WriteLine($"{indent}└─");
    }

    private static void RenderEvent(TextWriter w, CliConsole c, TraceEventView e, string indent, double? origin)
    {
        var ts = e.Timestamp is { } t ? (origin is { } o && t > 1e8 ? $"[+{Ms((t - o) * 1000)}] " : $"[{t.ToString(CultureInfo.InvariantCulture)}] ") : "";
        var kind = e.Type.PadRight(16);
        kind = e.Type switch
        {
            "anchor_breach" or "validation_fail" or "retry_attempt" => c.Fail(kind),
            "anchor_pass" or "validation_pass" => c.Ok(kind),
            "route_decision" => c.Cyan(kind),
            "step_start" or "step_end" => c.Bold(kind),
            _ => kind,
        };
        var line = $"{indent}{c.Dim(ts)}{kind} {Summary(e)}";
        if (e.DurationMs is { } d) line += c.Dim($" ({Ms(d)})");
        w.WriteLine(line);
        if (Detailed.Contains(e.Type))
            foreach (var kv in e.Data.Where(kv => kv.Key is not ("step_name" or "name" or "message" or "content")))
                w.WriteLine($"{indent}    {kv.Key}: {Cut(TraceDocument.Scalar(kv.Value), 60, 57)}");
    }

    /// <summary>The reference's summary (first of step_name, name, message, content, reason), with the new trace's key facts.</summary>
    public static string Summary(TraceEventView e)
    {
        var d = e.Data;
        if (e.Type == "route_decision")
        {
            var candidates = d["candidates"] is JsonArray a ? string.Join(", ", a.Select(TraceDocument.Scalar)) : "";
            var step = e.StepName is { Length: > 0 } s ? s + " " : "";
            return Cut($"{step}→ {TraceDocument.Str(d["chosen"])} ({TraceDocument.Str(d["strategy"])}, attempt {TraceDocument.Scalar(d["attempt"])}, {TraceDocument.Str(d["reason"])}) among [{candidates}]", 80, 77);
        }
        var text = First(d, "step_name", "name", "message", "content", "reason") ?? e.StepName ?? "";
        var extra = e.Type switch
        {
            "anchor_pass" or "anchor_breach" or "anchor_check" => First(d, "anchor", "anchor_name") is { } an && an != text ? an : null,
            "model_response" when d["input_tokens"] is not null => $"{TraceDocument.Scalar(d["input_tokens"])}→{TraceDocument.Scalar(d["output_tokens"])} tok",
            "step_end" when d["error"] is { } err => "error: " + TraceDocument.Scalar(err),
            _ => null,
        };
        return Cut(extra is null ? text : text.Length == 0 ? extra : $"{text} · {extra}", 80, 77);
    }

    private static string? First(JsonObject d, params string[] keys)
    {
        foreach (var k in keys)
            if (d[k] is { } v && TraceDocument.Scalar(v) is { Length: > 0 } s) return s;
        return null;
    }

    /// <summary>Cuts text longer than <paramref name="max"/> to <paramref name="keep"/> characters plus <c>...</c> (reference §7.2).</summary>
    public static string Cut(string text, int max, int keep)
    {
        text = text.ReplaceLineEndings(" ");
        return text.Length > max ? text[..keep] + "..." : text;
    }

    public static string Ms(double ms) => ms < 1000
        ? ms.ToString("0.##", CultureInfo.InvariantCulture) + "ms"
        : (ms / 1000).ToString("0.00", CultureInfo.InvariantCulture) + "s";
}
