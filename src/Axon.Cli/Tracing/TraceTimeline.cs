using System.Text.Json.Nodes;

namespace Axon.Cli.Tracing;

/// <summary>One step on the timeline with the facts shown for it.</summary>
internal sealed record TimelineStep(string Name, double StartMs, double DurationMs, string Status, string Provider,
    long? InputTokens, long? OutputTokens, double? CostUsd, IReadOnlyList<(string Anchor, bool Passed)> Anchors, int Attempts);

/// <summary>One run (a <c>unit:</c> span) and its steps.</summary>
internal sealed record TimelineRun(string Name, double StartMs, double DurationMs, string Status, IReadOnlyList<TimelineStep> Steps);

/// <summary>
/// The runs and steps of a trace laid out in time (milliseconds from the first span or event). Built
/// from spans when the trace has them, otherwise from <c>step_start</c>/<c>step_end</c> events (the
/// reference's older file has only events, often without timestamps: those are laid out in order).
/// </summary>
internal sealed class TraceTimeline
{
    public List<TimelineRun> Runs { get; } = [];
    public double TotalMs { get; private set; }

    public static TraceTimeline Build(TraceDocument doc)
    {
        var t = new TraceTimeline();
        var events = doc.Events.Concat(SpanEvents(doc.Spans)).ToList();
        var backend = doc.MetaValue("backend") ?? "";
        var times = doc.Spans.Where(s => s.Start is not null).Select(s => s.Start!.Value)
            .Concat(events.Where(e => e.Timestamp is not null).Select(e => e.Timestamp!.Value)).ToList();
        var origin = times.Count > 0 ? times.Min() : 0;

        if (doc.Spans.Count > 0)
        {
            int order = 0;
            foreach (var root in doc.Spans)
            {
                var runStart = root.Start is { } rs ? (rs - origin) * 1000 : order;
                var steps = Flatten(root.Children).Select(s => StepFrom(s, events, backend, origin)).ToList();
                // Events nested in old tracer spans (no step spans) still give steps.
                if (steps.Count == 0 && root.Events.Count > 0) steps = StepsFromEvents(root.Events, backend, origin, runStart);
                t.Runs.Add(new TimelineRun(root.Name, runStart, Math.Max(root.DurationMs, steps.Select(s => s.StartMs + s.DurationMs - runStart).DefaultIfEmpty(0).Max()),
                    root.Status, steps));
                order++;
            }
        }
        else if (doc.Events.Count > 0)
        {
            var steps = StepsFromEvents(doc.Events, backend, origin, 0);
            t.Runs.Add(new TimelineRun(doc.MetaValue("source") ?? "events", 0, steps.Select(s => s.StartMs + s.DurationMs).DefaultIfEmpty(0).Max(), "", steps));
        }
        t.TotalMs = t.Runs.SelectMany(r => r.Steps.Select(s => s.StartMs + s.DurationMs).Append(r.StartMs + r.DurationMs)).DefaultIfEmpty(0).Max();
        if (TraceDocument.Num(JsonValue.Create(doc.MetaValue("duration_ms") ?? "")) is { } total && total > t.TotalMs) t.TotalMs = total;
        if (t.TotalMs <= 0) t.TotalMs = 1;
        return t;
    }

    private static IEnumerable<TraceEventView> SpanEvents(IEnumerable<TraceSpanView> spans) => spans.SelectMany(s => s.Events.Concat(SpanEvents(s.Children)));

    private static IEnumerable<TraceSpanView> Flatten(IEnumerable<TraceSpanView> spans) => spans.SelectMany(s => Flatten(s.Children).Prepend(s));

    private static TimelineStep StepFrom(TraceSpanView s, List<TraceEventView> events, string backend, double origin)
    {
        var name = s.ShortName;
        // A step's events: same step name, inside the span's time window (runs of the same flow reuse names).
        var mine = events.Where(e => e.StepName == name && (s.Start is null || e.Timestamp is null
            || (e.Timestamp >= s.Start - 0.0015 && e.Timestamp <= (s.End ?? double.MaxValue) + 0.0015))).ToList();
        var start = s.Start is { } st ? (st - origin) * 1000 : 0;
        return Facts(name, start, s.DurationMs, s.Status, mine, backend,
            TraceDocument.Num(s.Metadata["input_tokens"]), TraceDocument.Num(s.Metadata["output_tokens"]), TraceDocument.Num(s.Metadata["attempts"]));
    }

    private static List<TimelineStep> StepsFromEvents(List<TraceEventView> events, string backend, double origin, double offset)
    {
        var steps = new List<TimelineStep>();
        var open = new Dictionary<string, (int Index, double Start)>(StringComparer.Ordinal);
        var groups = new Dictionary<string, List<TraceEventView>>(StringComparer.Ordinal);
        string? current = null;
        for (int i = 0; i < events.Count; i++)
        {
            var e = events[i];
            // The older file names the step only on step_start/step_end; events in between belong to the open step.
            var name = e.StepName ?? (e.Type is "step_start" or "step_end" ? TraceDocument.Str(e.Data["name"]) : null) ?? current;
            if (name is null) continue;
            if (e.Type == "step_start") current = name;
            else if (e.Type == "step_end" && current == name) current = null;
            // Without timestamps each event is one unit of time, so the order still reads left to right.
            var at = e.Timestamp is { } ts ? (ts - origin) * 1000 : offset + i;
            if (!groups.TryGetValue(name, out var list)) groups[name] = list = [];
            list.Add(e);
            if (e.Type == "step_start") open[name] = (i, at);
            else if (e.Type == "step_end" && open.Remove(name, out var begun))
            {
                var duration = e.DurationMs ?? Math.Max(at - begun.Start, e.Timestamp is null ? 1 : 0);
                var status = e.Data["error"] is not null || e.Data["success"] is JsonValue v && v.TryGetValue<bool>(out var ok) && !ok ? "error" : "ok";
                steps.Add(Facts(name, e.DurationMs is { } d && e.Timestamp is not null ? at - d : begun.Start, duration, status, list, backend, null, null, null));
                groups.Remove(name);
            }
        }
        foreach (var (name, begun) in open)
            steps.Add(Facts(name, begun.Start, 0, "open", groups.GetValueOrDefault(name) ?? [], backend, null, null, null));
        steps.Sort((a, b) => a.StartMs.CompareTo(b.StartMs));
        return steps;
    }

    private static TimelineStep Facts(string name, double start, double duration, string status, List<TraceEventView> mine, string backend,
        double? spanIn, double? spanOut, double? spanAttempts)
    {
        var responses = mine.Where(e => e.Type == "model_response").ToList();
        long? inTok = spanIn is { } si ? (long)si : responses.Count > 0 ? responses.Sum(e => (long)(TraceDocument.Num(e.Data["input_tokens"]) ?? 0)) : null;
        long? outTok = spanOut is { } so ? (long)so : responses.Count > 0 ? responses.Sum(e => (long)(TraceDocument.Num(e.Data["output_tokens"]) ?? 0)) : null;
        double? cost = responses.Any(e => e.Data["cost_usd"] is not null) ? responses.Sum(e => TraceDocument.Num(e.Data["cost_usd"]) ?? 0) : null;
        var route = mine.LastOrDefault(e => e.Type == "route_decision");
        var provider = route is not null ? TraceDocument.Str(route.Data["chosen"]) ?? backend : backend;
        var anchors = mine.Where(e => e.Type is "anchor_pass" or "anchor_breach")
            .Select(e => (Anchor: TraceDocument.Str(e.Data["anchor"]) ?? TraceDocument.Str(e.Data["name"]) ?? TraceDocument.Str(e.Data["anchor_name"]) ?? "anchor", Passed: e.Type == "anchor_pass"))
            // The reference records anchor_pass twice per check (once when checking, once with the result).
            .Distinct().ToList();
        int attempts = spanAttempts is { } sa ? (int)sa : Math.Max(1, mine.Count(e => e.Type == "model_call"));
        return new TimelineStep(name, start, Math.Max(0, duration), status, provider, inTok, outTok, cost, anchors, attempts);
    }
}
