using System.Globalization;
using System.Text.Json;
using Axon.Runtime.Execution;

namespace Axon.Cli.Running;

/// <summary>Prints one run's result readably: status, steps, output, anchors, usage, cost, duration.</summary>
internal static class ResultPrinter
{
    /// <summary>Outputs longer than this many lines are cut (the full output is in <c>output_to</c> or the trace).</summary>
    public const int MaxOutputLines = 40;

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Print(CliConsole c, int index, int count, string label, AxonRunResult r,
        (IReadOnlyDictionary<string, int> Tally, IReadOnlyDictionary<string, string> StepProviders) routing, bool synthetic,
        IReadOnlyList<string>? inputs = null)
    {
        var w = c.Out;
        w.WriteLine();
        w.WriteLine(c.Bold($"━━ run {index}/{count}: {label} ━━"));
        foreach (var input in inputs ?? []) w.WriteLine($"  input     {input}");
        foreach (var warning in r.Warnings) w.WriteLine($"  warning   {c.Warn(warning)}");
        var status = r.Status switch
        {
            RunStatus.Completed => c.Ok("✓ completed"),
            RunStatus.Suspended => c.Warn("⏸ suspended"),
            _ => c.Fail("✗ failed"),
        };
        w.WriteLine($"  status    {status}{(r.RunAttempts > 1 ? $" after {r.RunAttempts} attempts (on_failure: retry)" : "")}");
        if (r.Status == RunStatus.Failed)
            w.WriteLine($"  error     {(r.ErrorName is { Length: > 0 } n ? n + ": " : "")}{r.Error}");
        if (r.Status == RunStatus.Suspended)
            w.WriteLine($"  waiting   for event '{r.AwaitingEvent}' (continuation {r.ContinuationId}); resume it with: axon resume {r.ContinuationId} --payload JSON");

        if (r.Steps.Count > 0)
        {
            w.WriteLine("  steps");
            int width = Math.Min(28, r.Steps.Max(s => s.Name.Length));
            foreach (var s in r.Steps)
            {
                var mark = s.Error is not null ? c.Fail("✗") : c.Ok("✓");
                var tokens = s.Usage.InputTokens + s.Usage.OutputTokens > 0 ? $"{s.Usage.InputTokens}→{s.Usage.OutputTokens} tok" : "";
                var parts = new List<string> { $"{s.Kind,-9}", $"{Ms(s.Duration),8}" };
                if (tokens.Length > 0) parts.Add(tokens);
                if (s.Attempts > 1) parts.Add($"{s.Attempts} attempts");
                if (routing.StepProviders.TryGetValue(s.Name, out var provider)) parts.Add("via " + provider);
                if (s.Confidence is { } conf) parts.Add("confidence " + conf.ToString("0.00", CultureInfo.InvariantCulture));
                w.WriteLine($"    {mark} {s.Name.PadRight(width)}  {string.Join("  ", parts)}");
                if (s.Error is { } err) w.WriteLine($"        {c.Fail(err)}");
                foreach (var warning in s.Warnings) w.WriteLine($"        {c.Warn("! " + warning)}");
            }
        }

        var verdicts = r.Steps.SelectMany(s => s.AnchorVerdicts.Select(v => (Step: s.Name, Verdict: v))).ToList();
        if (verdicts.Count > 0)
        {
            var byAnchor = verdicts.GroupBy(v => v.Verdict.Anchor, StringComparer.Ordinal)
                .Select(g =>
                {
                    int passed = g.Count(x => x.Verdict.Passed), breached = g.Count() - passed;
                    return breached == 0 ? c.Ok($"{g.Key} ✓ {passed}/{g.Count()}") : c.Fail($"{g.Key} ✗ {breached} breach(es) of {g.Count()}");
                });
            w.WriteLine($"  anchors   {string.Join(" · ", byAnchor)}");
            foreach (var (step, v) in verdicts.Where(v => !v.Verdict.Passed))
                w.WriteLine($"        {c.Fail($"{step}: {v.Anchor} breached: {v.Reason}{(v.Action.Length > 0 ? $" ({v.Action})" : "")}")}");
        }

        w.WriteLine($"  usage     {r.TotalUsage.InputTokens} input + {r.TotalUsage.OutputTokens} output tokens");
        w.WriteLine($"  cost      ${r.TotalCost.ToString("0.000000", CultureInfo.InvariantCulture)}{(synthetic ? " (synthetic: stub backend, nothing was billed)" : " (estimated)")}");
        w.WriteLine($"  duration  {Ms(r.Duration)}");
        if (routing.Tally.Count > 0)
            w.WriteLine($"  routing   {string.Join(", ", routing.Tally.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} ×{kv.Value}"))}");
        if (r.OutputPath is { } path) w.WriteLine($"  written   {path}");
        if (r.Fallback is { } fallback)
            w.WriteLine($"  fallback  {c.Warn(fallback.Anchor.Length > 0 ? $"anchor {fallback.Anchor} replaced the output of {fallback.Step} with its fallback text" : $"refine exhausted for {fallback.Step}; its fallback text is the output")}");
        if (r.Citations.Count > 0) w.WriteLine($"  sources   {string.Join(" · ", r.Citations)}");

        var output = OutputText(r);
        if (output.Length > 0)
        {
            w.WriteLine("  output" + (synthetic ? c.Dim(" (synthetic)") : ""));
            var lines = output.Split('\n');
            foreach (var line in lines.Take(MaxOutputLines)) w.WriteLine("    " + line.TrimEnd('\r'));
            if (lines.Length > MaxOutputLines) w.WriteLine(c.Dim($"    … {lines.Length - MaxOutputLines} more line(s)"));
        }
    }

    private static string OutputText(AxonRunResult r)
    {
        if (r.OutputJson is { } json) return json.ToJsonString(Indented);
        return r.Output?.Trim() ?? "";
    }

    public static string Ms(TimeSpan t) => t.TotalMilliseconds < 1000
        ? t.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture) + " ms"
        : t.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";
}
