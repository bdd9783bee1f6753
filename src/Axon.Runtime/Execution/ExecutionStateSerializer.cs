using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Axon.Runtime.Json;
using Axon.Runtime.Model;

namespace Axon.Runtime.Execution;

/// <summary>A suspended execution as read back from a state store.</summary>
internal sealed record SuspendedState(
    string ContinuationId, string FlowName, string EventName, int NextIndex, DateTimeOffset? ExpiresAt,
    Dictionary<string, AxonValue> Values, List<string> Memories, string? LastOutputKey, List<StepResult> Results,
    PersonaDefinition? Persona, ContextDefinition? Context, List<AnchorDefinition> Anchors, string Effort,
    string OutputTo, string OnFailure, List<KeyValuePair<string, string>> OnFailureParams, string Source,
    string? ProgramPath = null, string? ProgramFingerprint = null);

/// <summary>Serialises execution state for <c>hibernate</c> as UTF-8 JSON (values, memories, run settings, results so far).</summary>
internal static class ExecutionStateSerializer
{
    public static byte[] Serialize(ExecutionContext ctx, string id, HibernateNode h, int nextIndex, DateTimeOffset now, DateTimeOffset? expires,
        string source = "", string? programPath = null, string? programFingerprint = null)
    {
        var values = new JsonObject();
        foreach (var kv in ctx.Values)
        {
            var v = new JsonObject { ["text"] = kv.Value.Text };
            if (kv.Value.Json is not null) v["json"] = kv.Value.Json.DeepClone();
            if (kv.Value.Confidence is { } c) v["confidence"] = c;
            values[kv.Key] = v;
        }
        var results = new JsonArray();
        lock (ctx.Gate)
        {
            foreach (var r in ctx.Results)
                results.Add((JsonNode)new JsonObject
                {
                    ["name"] = r.Name, ["kind"] = r.Kind, ["output"] = r.Output, ["confidence"] = r.Confidence,
                    ["input_tokens"] = r.Usage.InputTokens, ["output_tokens"] = r.Usage.OutputTokens,
                    ["cost"] = r.EstimatedCost.ToString(CultureInfo.InvariantCulture), ["attempts"] = r.Attempts,
                    ["synthetic"] = r.IsSynthetic, ["duration_ms"] = r.Duration.TotalMilliseconds,
                });
        }
        var run = ctx.Run;
        var root = new JsonObject
        {
            ["version"] = 1,
            ["continuation_id"] = id,
            ["flow"] = ctx.Flow.Name,
            ["event"] = h.EventName,
            ["node_continuation_id"] = h.ContinuationId,
            ["next_index"] = nextIndex,
            ["suspended_at"] = now.ToString("O", CultureInfo.InvariantCulture),
            ["expires_at"] = expires?.ToString("O", CultureInfo.InvariantCulture),
            ["last_output"] = ctx.LastOutputKey,
            ["values"] = values,
            ["memories"] = new JsonArray(ctx.Memories.Select(m => (JsonNode?)m).ToArray()),
            ["results"] = results,
            ["persona"] = run.Persona is null ? null : JsonSerializer.SerializeToNode(run.Persona, RuntimeJsonContext.Default.PersonaDefinition),
            ["context"] = run.Context is null ? null : JsonSerializer.SerializeToNode(run.Context, RuntimeJsonContext.Default.ContextDefinition),
            ["anchors"] = JsonSerializer.SerializeToNode(run.Anchors.ToList(), RuntimeJsonContext.Default.ListAnchorDefinition),
            ["effort"] = run.Effort,
            ["output_to"] = run.OutputTo,
            ["on_failure"] = run.OnFailure,
            ["on_failure_params"] = new JsonArray(run.OnFailureParams.Select(p => (JsonNode?)new JsonArray(p.Key, p.Value)).ToArray()),
            ["source"] = source,
            ["program_path"] = programPath,
            ["program_fingerprint"] = programFingerprint,
        };
        return JsonSerializer.SerializeToUtf8Bytes(root, RuntimeJsonContext.Default.JsonNode);
    }

    public static SuspendedState Deserialize(byte[] bytes)
    {
        var root = JsonNode.Parse(bytes)!.AsObject();
        var values = new Dictionary<string, AxonValue>(StringComparer.Ordinal);
        foreach (var kv in root["values"]!.AsObject())
        {
            var v = kv.Value!.AsObject();
            values[kv.Key] = new AxonValue(v["text"]!.GetValue<string>(), v["json"]?.DeepClone(), v["confidence"]?.GetValue<double>());
        }
        var results = new List<StepResult>();
        foreach (var r in root["results"]!.AsArray())
        {
            var o = r!.AsObject();
            results.Add(new StepResult
            {
                Name = o["name"]!.GetValue<string>(), Kind = o["kind"]!.GetValue<string>(), Output = o["output"]?.GetValue<string>(),
                Confidence = o["confidence"]?.GetValue<double>(),
                Usage = new TokenUsage(o["input_tokens"]!.GetValue<long>(), o["output_tokens"]!.GetValue<long>()),
                EstimatedCost = decimal.Parse(o["cost"]!.GetValue<string>(), CultureInfo.InvariantCulture),
                Attempts = o["attempts"]!.GetValue<int>(), IsSynthetic = o["synthetic"]!.GetValue<bool>(),
                Duration = TimeSpan.FromMilliseconds(o["duration_ms"]!.GetValue<double>()),
                Json = values.TryGetValue(o["name"]!.GetValue<string>(), out var val) ? val.Json : null,
            });
        }
        var expires = root["expires_at"]?.GetValue<string>();
        return new SuspendedState(
            root["continuation_id"]!.GetValue<string>(),
            root["flow"]!.GetValue<string>(),
            root["event"]!.GetValue<string>(),
            root["next_index"]!.GetValue<int>(),
            expires is null ? null : DateTimeOffset.Parse(expires, CultureInfo.InvariantCulture),
            values,
            root["memories"]!.AsArray().Select(m => m!.GetValue<string>()).ToList(),
            root["last_output"]?.GetValue<string>(),
            results,
            root["persona"]?.Deserialize(RuntimeJsonContext.Default.PersonaDefinition),
            root["context"]?.Deserialize(RuntimeJsonContext.Default.ContextDefinition),
            root["anchors"]?.Deserialize(RuntimeJsonContext.Default.ListAnchorDefinition) ?? [],
            root["effort"]?.GetValue<string>() ?? "",
            root["output_to"]?.GetValue<string>() ?? "",
            root["on_failure"]?.GetValue<string>() ?? "",
            root["on_failure_params"]!.AsArray().Select(p => new KeyValuePair<string, string>(p![0]!.GetValue<string>(), p[1]!.GetValue<string>())).ToList(),
            root["source"]?.GetValue<string>() ?? "",
            root["program_path"]?.GetValue<string>(),
            root["program_fingerprint"]?.GetValue<string>());
    }
}
