using System.Globalization;
using System.Net;
using System.Text;

namespace Axon.Cli.Tracing;

/// <summary>
/// Writes a trace as one self-contained HTML page (inline CSS, no scripts, fonts or images from
/// elsewhere): a timeline of runs and steps, with provider, tokens, cost, duration and anchor verdicts
/// per step, then the routing decisions and every event.
/// </summary>
internal static class TraceHtmlRenderer
{
    private const string Css = """
        :root { --bg:#0f1720; --panel:#17212b; --line:#2a3a4a; --text:#e6edf3; --dim:#8b9bab; --run:#3b82f6; --ok:#22c55e; --bad:#ef4444; --warn:#f59e0b; }
        * { box-sizing: border-box; }
        body { margin:0; padding:24px 32px; background:var(--bg); color:var(--text); font:14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
        h1 { margin:0 0 4px; font-size:22px; } h2 { font-size:16px; margin:28px 0 10px; color:var(--dim); text-transform:uppercase; letter-spacing:.06em; }
        .meta { display:flex; flex-wrap:wrap; gap:6px 22px; color:var(--dim); margin:6px 0 0; padding:0; list-style:none; }
        .meta b { color:var(--text); font-weight:600; }
        .cards { display:flex; gap:12px; flex-wrap:wrap; margin-top:16px; }
        .card { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:10px 14px; min-width:120px; }
        .card .v { font-size:20px; font-weight:600; } .card .k { color:var(--dim); font-size:12px; }
        .timeline { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:12px 16px; }
        .axis { display:grid; grid-template-columns:220px 1fr 400px; color:var(--dim); font-size:11px; margin-bottom:6px; }
        .axis .ticks { position:relative; height:16px; border-bottom:1px solid var(--line); }
        .axis .tick { position:absolute; transform:translateX(-50%); }
        .run { border-top:1px solid var(--line); padding:6px 0; }
        .row { display:grid; grid-template-columns:220px 1fr 400px; align-items:center; min-height:26px; }
        .label { white-space:nowrap; overflow:hidden; text-overflow:ellipsis; padding-right:10px; }
        .run-row .label { font-weight:600; } .step-row .label { padding-left:18px; color:#c9d4df; }
        .track { position:relative; height:18px; background:repeating-linear-gradient(90deg, transparent 0 calc(10% - 1px), #223040 calc(10% - 1px) 10%); border-radius:3px; }
        .bar { position:absolute; top:2px; height:14px; border-radius:3px; min-width:3px; }
        .run-bar { background:var(--run); opacity:.55; top:4px; height:10px; }
        .step-bar { background:var(--ok); } .step-bar.status-error, .step-bar.status-exhausted { background:var(--bad); } .step-bar.status-open { background:var(--warn); }
        .run-bar.status-error { background:var(--bad); } .run-bar.status-suspended { background:var(--warn); }
        .facts { font-size:12px; color:var(--dim); padding-left:12px; white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
        .facts .provider { color:#93c5fd; } .anchor.pass { color:var(--ok); } .anchor.breach { color:var(--bad); font-weight:600; }
        table { border-collapse:collapse; width:100%; background:var(--panel); border:1px solid var(--line); border-radius:8px; font-size:13px; }
        th, td { text-align:left; padding:6px 10px; border-bottom:1px solid var(--line); vertical-align:top; }
        th { color:var(--dim); font-weight:500; } td.num { text-align:right; font-variant-numeric:tabular-nums; }
        details summary { cursor:pointer; color:var(--dim); margin-bottom:8px; }
        code { font:12px ui-monospace, SFMono-Regular, Menlo, monospace; color:#c9d4df; word-break:break-word; }
        .empty { color:var(--dim); font-style:italic; }
        """;

    public static string Render(TraceDocument doc)
    {
        var timeline = TraceTimeline.Build(doc);
        var source = doc.MetaValue("source") ?? "trace";
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        sb.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        sb.Append($"<title>AXON trace — {E(source)}</title>\n<style>\n{Css}\n</style>\n</head>\n<body>\n");

        sb.Append("<header>\n<h1>AXON Execution Trace</h1>\n<ul class=\"meta\" id=\"meta\">");
        foreach (var (k, v) in doc.Meta)
            sb.Append($"<li data-key=\"{E(k)}\">{E(k)}: <b>{E(k == "duration_ms" ? Ms(TraceDocument.Num(System.Text.Json.Nodes.JsonValue.Create(v)) ?? 0) : v)}</b></li>");
        sb.Append("</ul>\n</header>\n");

        var steps = timeline.Runs.SelectMany(r => r.Steps).ToList();
        var allEvents = doc.Events.Concat(SpanEvents(doc.Spans)).ToList();
        var routes = allEvents.Where(e => e.Type == "route_decision").ToList();
        sb.Append("<section class=\"cards\" id=\"summary\">");
        Card(sb, "runs", timeline.Runs.Count.ToString(CultureInfo.InvariantCulture));
        Card(sb, "steps", steps.Count.ToString(CultureInfo.InvariantCulture));
        Card(sb, "tokens in → out", $"{steps.Sum(s => s.InputTokens ?? 0)} → {steps.Sum(s => s.OutputTokens ?? 0)}");
        Card(sb, "cost (USD)", "$" + steps.Sum(s => s.CostUsd ?? 0).ToString("0.0000", CultureInfo.InvariantCulture));
        Card(sb, "duration", Ms(timeline.TotalMs));
        Card(sb, "anchor breaches", steps.Sum(s => s.Anchors.Count(a => !a.Passed)).ToString(CultureInfo.InvariantCulture));
        Card(sb, "route decisions", routes.Count.ToString(CultureInfo.InvariantCulture));
        sb.Append("</section>\n");

        sb.Append("<h2>Timeline</h2>\n<section class=\"timeline\" id=\"timeline\">\n");
        sb.Append("<div class=\"axis\"><span>run / step</span><div class=\"ticks\">");
        for (int i = 0; i <= 4; i++)
            // The first and last labels are aligned inwards so they stay inside the track.
            sb.Append($"<span class=\"tick\" style=\"left:{P(i * 25.0)}%;transform:translateX({(i == 0 ? "0" : i == 4 ? "-100%" : "-50%")})\">{E(Ms(timeline.TotalMs * i / 4))}</span>");
        sb.Append("</div><span style=\"padding-left:12px\">provider · tokens · cost · duration · anchors</span></div>\n");
        if (timeline.Runs.Count == 0) sb.Append("<p class=\"empty\">This trace has no runs or steps.</p>\n");
        foreach (var run in timeline.Runs)
        {
            sb.Append($"<div class=\"run\" data-run=\"{E(run.Name)}\">\n");
            sb.Append($"<div class=\"row run-row\"><span class=\"label\" title=\"{E(run.Name)}\">{E(run.Name)}</span><div class=\"track\">");
            Bar(sb, "run-bar", run.Status, run.StartMs, run.DurationMs, timeline.TotalMs, $"{run.Name}: {Ms(run.DurationMs)}");
            sb.Append($"</div><span class=\"facts\">{run.Steps.Count} step(s) · {E(Ms(run.DurationMs))}{(run.Status is "" or "ok" ? "" : " · " + E(run.Status))}</span></div>\n");
            foreach (var s in run.Steps)
            {
                sb.Append($"<div class=\"row step-row\" data-step=\"{E(s.Name)}\" data-provider=\"{E(s.Provider)}\"><span class=\"label\" title=\"{E(s.Name)}\">{E(s.Name)}</span><div class=\"track\">");
                Bar(sb, "step-bar", s.Status, s.StartMs, s.DurationMs, timeline.TotalMs, $"{s.Name}: {Ms(s.DurationMs)}");
                sb.Append("</div><span class=\"facts\">");
                sb.Append($"<span class=\"provider\">{E(s.Provider.Length > 0 ? s.Provider : "—")}</span>");
                sb.Append($" · <span class=\"tokens\">{(s.InputTokens is null ? "— tok" : $"{s.InputTokens}→{s.OutputTokens} tok")}</span>");
                sb.Append($" · <span class=\"cost\">{(s.CostUsd is { } c ? "$" + c.ToString("0.0000", CultureInfo.InvariantCulture) : "—")}</span>");
                sb.Append($" · <span class=\"duration\">{E(Ms(s.DurationMs))}</span>");
                foreach (var (anchor, passed) in s.Anchors)
                    sb.Append($" · <span class=\"anchor {(passed ? "pass" : "breach")}\">{E(anchor)} {(passed ? "✓" : "✗")}</span>");
                sb.Append("</span></div>\n");
            }
            sb.Append("</div>\n");
        }
        sb.Append("</section>\n");

        sb.Append("<h2>Steps</h2>\n<table id=\"steps\"><thead><tr><th>run</th><th>step</th><th>status</th><th>provider</th><th>tokens in</th><th>tokens out</th><th>cost</th><th>duration</th><th>attempts</th><th>anchors</th></tr></thead><tbody>\n");
        foreach (var run in timeline.Runs)
            foreach (var s in run.Steps)
                sb.Append($"<tr><td>{E(run.Name)}</td><td>{E(s.Name)}</td><td>{E(s.Status)}</td><td>{E(s.Provider)}</td><td class=\"num\">{s.InputTokens?.ToString(CultureInfo.InvariantCulture) ?? "—"}</td>" +
                    $"<td class=\"num\">{s.OutputTokens?.ToString(CultureInfo.InvariantCulture) ?? "—"}</td><td class=\"num\">{(s.CostUsd is { } c ? "$" + c.ToString("0.000000", CultureInfo.InvariantCulture) : "—")}</td>" +
                    $"<td class=\"num\">{E(Ms(s.DurationMs))}</td><td class=\"num\">{s.Attempts}</td><td>{string.Join(", ", s.Anchors.Select(a => $"<span class=\"anchor {(a.Passed ? "pass" : "breach")}\">{E(a.Anchor)} {(a.Passed ? "✓" : "✗")}</span>"))}</td></tr>\n");
        sb.Append("</tbody></table>\n");

        sb.Append("<h2>Routing decisions</h2>\n");
        if (routes.Count == 0) sb.Append("<p class=\"empty\" id=\"routing\">No routing decisions (a single pinned backend).</p>\n");
        else
        {
            sb.Append("<table id=\"routing\"><thead><tr><th>step</th><th>strategy</th><th>chosen</th><th>attempt</th><th>reason</th><th>candidates</th></tr></thead><tbody>\n");
            foreach (var r in routes)
                sb.Append($"<tr><td>{E(r.StepName ?? "")}</td><td>{E(TraceDocument.Str(r.Data["strategy"]) ?? "")}</td><td>{E(TraceDocument.Str(r.Data["chosen"]) ?? "")}</td>" +
                    $"<td class=\"num\">{E(TraceDocument.Scalar(r.Data["attempt"]))}</td><td>{E(TraceDocument.Str(r.Data["reason"]) ?? "")}</td><td>{E(r.Data["candidates"] is System.Text.Json.Nodes.JsonArray a ? string.Join(", ", a.Select(TraceDocument.Scalar)) : "")}</td></tr>\n");
            sb.Append("</tbody></table>\n");
        }

        sb.Append($"<h2>Events</h2>\n<details id=\"events\"><summary>All {allEvents.Count} events</summary>\n<table><thead><tr><th>time</th><th>event</th><th>step</th><th>data</th></tr></thead><tbody>\n");
        var origin = allEvents.Where(e => e.Timestamp is > 1e8).Select(e => e.Timestamp!.Value).DefaultIfEmpty(0).Min();
        foreach (var e in allEvents)
        {
            var ts = e.Timestamp is { } t ? (t > 1e8 ? "+" + Ms((t - origin) * 1000) : t.ToString(CultureInfo.InvariantCulture)) : "";
            sb.Append($"<tr><td class=\"num\">{E(ts)}</td><td>{E(e.Type)}</td><td>{E(e.StepName ?? "")}</td><td><code>{E(TraceTextRenderer.Cut(e.Data.ToJsonString(), 300, 297))}</code></td></tr>\n");
        }
        sb.Append("</tbody></table>\n</details>\n</body>\n</html>\n");
        return sb.ToString();
    }

    private static IEnumerable<TraceEventView> SpanEvents(IEnumerable<TraceSpanView> spans) => spans.SelectMany(s => s.Events.Concat(SpanEvents(s.Children)));

    private static void Card(StringBuilder sb, string key, string value) =>
        sb.Append($"<div class=\"card\"><div class=\"v\">{E(value)}</div><div class=\"k\">{E(key)}</div></div>");

    private static void Bar(StringBuilder sb, string cls, string status, double start, double duration, double total, string title)
    {
        var left = Math.Clamp(start / total * 100, 0, 100);
        // Instant steps (stub runs take microseconds) still get a visible sliver.
        var width = Math.Max(0.3, Math.Min(duration / total * 100, 100 - left));
        sb.Append($"<div class=\"bar {cls} status-{E(status.Length > 0 ? status : "ok")}\" style=\"left:{P(left)}%;width:{P(width)}%\" title=\"{E(title)}\"></div>");
    }

    private static string P(double x) => x.ToString("0.###", CultureInfo.InvariantCulture);

    private static string E(string s) => WebUtility.HtmlEncode(s);

    private static string Ms(double ms) => TraceTextRenderer.Ms(ms);
}
