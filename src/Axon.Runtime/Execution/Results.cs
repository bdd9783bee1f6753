using System.Text.Json.Nodes;
using Axon.Runtime.Anchors;

namespace Axon.Runtime.Execution;

/// <summary>Token usage of one or more model calls.</summary>
/// <param name="InputTokens">Prompt tokens.</param>
/// <param name="OutputTokens">Completion tokens.</param>
public readonly record struct TokenUsage(long InputTokens, long OutputTokens)
{
    /// <summary>Input + output.</summary>
    public long TotalTokens => InputTokens + OutputTokens;

    /// <summary>Sum of two usages.</summary>
    public static TokenUsage operator +(TokenUsage a, TokenUsage b) => new(a.InputTokens + b.InputTokens, a.OutputTokens + b.OutputTokens);
}

/// <summary>How a run ended.</summary>
public enum RunStatus
{
    /// <summary>All steps ran.</summary>
    Completed,
    /// <summary>A <c>hibernate</c> suspended the run; resume it with its continuation id.</summary>
    Suspended,
    /// <summary>A step failed and the failure was not recovered.</summary>
    Failed,
}

/// <summary>The result of one executed node.</summary>
public sealed record StepResult
{
    /// <summary>The name the output is stored under (<c>Extract</c>, <c>probe_doc</c>; an unnamed construct by kind and place: <c>if#1</c>, <c>par#2</c>…).</summary>
    public required string Name { get; init; }
    /// <summary>The node kind (IR <c>node_type</c>).</summary>
    public required string Kind { get; init; }
    /// <summary>The output as text (JSON text for structured outputs).</summary>
    public string? Output { get; init; }
    /// <summary>The structured output, when the step produced JSON.</summary>
    public JsonNode? Json { get; init; }
    /// <summary>Confidence reported with the output.</summary>
    public double? Confidence { get; init; }
    /// <summary>Tokens used (all attempts).</summary>
    public TokenUsage Usage { get; init; }
    /// <summary>Estimated cost in US dollars (all attempts).</summary>
    public decimal EstimatedCost { get; init; }
    /// <summary>Wall-clock duration.</summary>
    public TimeSpan Duration { get; init; }
    /// <summary>Model attempts made (0 for nodes without a model call).</summary>
    public int Attempts { get; init; }
    /// <summary>Anchor verdicts for the accepted output.</summary>
    public IReadOnlyList<AnchorVerdict> AnchorVerdicts { get; init; } = [];
    /// <summary>Warnings (validate warn, anchor warn/log/escalate, schema notes).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
    /// <summary>True when the output is synthetic (stub backend or stub tool).</summary>
    public bool IsSynthetic { get; init; }
    /// <summary>The error, when this node failed.</summary>
    public string? Error { get; init; }
    /// <summary>True when the result was escalated (anchor or refine <c>escalate</c>).</summary>
    public bool Escalated { get; init; }
    /// <summary>
    /// The citations of a typed output that had to cite: the entries of its <c>sources</c> array
    /// (see <see cref="Anchors.AnchorEvaluator.CitationsField"/>); empty otherwise.
    /// </summary>
    public IReadOnlyList<string> Citations { get; init; } = [];
    /// <summary>Set when a fallback text replaced the model's output (anchor <c>fallback(…)</c> or refine <c>on_exhaustion: fallback</c>).</summary>
    public AnchorFallback? Fallback { get; init; }
}

/// <summary>A fallback text that replaced a step's output.</summary>
/// <param name="Anchor">The breached anchor whose <c>on_violation: fallback(…)</c> applied; empty when refine's <c>on_exhaustion: fallback</c> applied.</param>
/// <param name="Text">The fallback text (the step's output now).</param>
/// <param name="Step">The step whose output was replaced.</param>
/// <param name="Reason">Why: the breach reason, or the exhausted refine's last error.</param>
public sealed record AnchorFallback(string Anchor, string Text, string Step, string Reason);

/// <summary>The result of running a flow.</summary>
public sealed record AxonRunResult
{
    /// <summary>The flow.</summary>
    public required string FlowName { get; init; }
    /// <summary>Completed, Suspended or Failed.</summary>
    public required RunStatus Status { get; init; }
    /// <summary>Results per executed node, in execution order.</summary>
    public IReadOnlyList<StepResult> Steps { get; init; } = [];
    /// <summary>The final output (the last produced value), as text.</summary>
    public string? Output { get; init; }
    /// <summary>The final output as JSON, when structured.</summary>
    public JsonNode? OutputJson { get; init; }
    /// <summary>Sum of all steps' usage.</summary>
    public TokenUsage TotalUsage { get; init; }
    /// <summary>Sum of all steps' estimated cost.</summary>
    public decimal TotalCost { get; init; }
    /// <summary>Duration of this execution segment (a resumed run reports the segment after the resume).</summary>
    public TimeSpan Duration { get; init; }
    /// <summary>For a suspended run: the id to pass to <c>ResumeAsync</c>.</summary>
    public string? ContinuationId { get; init; }
    /// <summary>For a suspended run: the event it waits for.</summary>
    public string? AwaitingEvent { get; init; }
    /// <summary>For a failed run: the error message (secrets redacted).</summary>
    public string? Error { get; init; }
    /// <summary>For a failed run: the error name (e.g. the <c>raise X</c> target).</summary>
    public string? ErrorName { get; init; }
    /// <summary>Number of times the whole flow ran (on_failure: retry).</summary>
    public int RunAttempts { get; init; } = 1;
    /// <summary>Where the output was written (<c>output_to</c>), as a full path, if anywhere.</summary>
    public string? OutputPath { get; init; }
    /// <summary>Warnings about the run itself (e.g. extra run arguments that were ignored).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
    /// <summary>The citations of the final output when it is typed and had to cite (its <c>sources</c> array); empty otherwise.</summary>
    public IReadOnlyList<string> Citations { get; init; } = [];
    /// <summary>
    /// Set when the final output is a fallback text (an anchor's <c>fallback(…)</c>, or refine's) instead of the
    /// model's answer: a typed caller gets <c>AxonAnchorFallbackException</c> rather than a conversion error.
    /// </summary>
    public AnchorFallback? Fallback { get; init; }
    /// <summary>Finds a step result by name.</summary>
    public StepResult? this[string name] => Steps.LastOrDefault(s => s.Name == name);

    /// <summary>
    /// The final output as <typeparamref name="T"/>: the text for <see cref="string"/>, otherwise the
    /// JSON output deserialised (e.g. into a generated record or an <c>Axon.Runtime.SemanticTypes</c> type).
    /// Throws <see cref="AxonAnchorFallbackException"/> when the output is a fallback text.
    /// </summary>
    /// <remarks>
    /// Without <paramref name="options"/> (or with options that have no type resolver) this uses System.Text.Json
    /// reflection, which trimmed and NativeAOT apps do not have: there pass options with a JsonSerializerContext,
    /// or use <see cref="GetOutput{T}(System.Text.Json.Serialization.Metadata.JsonTypeInfo{T})"/>.
    /// </remarks>
    public T? GetOutput<T>(System.Text.Json.JsonSerializerOptions? options = null) =>
        typeof(T) == typeof(string) ? (T?)(object?)Output : GetOutput(Json.CallerTypes.Info<T>(options));

    /// <summary>
    /// The final output as <typeparamref name="T"/> read with source-generated metadata (trim- and NativeAOT-safe):
    /// the JSON output deserialised. Throws <see cref="AxonAnchorFallbackException"/> when the output is a fallback text.
    /// </summary>
    public T? GetOutput<T>(System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (Fallback is { } fallback) throw new AxonAnchorFallbackException(fallback, this);
        if (OutputJson is { } json) return System.Text.Json.JsonSerializer.Deserialize(json, typeInfo);
        return Output is { Length: > 0 } text ? System.Text.Json.JsonSerializer.Deserialize(text, typeInfo) : default;
    }
}

/// <summary>A suspended execution as a state store holds it (see <see cref="AxonRuntime.FindSuspendedAsync"/>).</summary>
/// <param name="ContinuationId">The id that resumes it.</param>
/// <param name="FlowName">The suspended flow.</param>
/// <param name="EventName">The event it waits for (<c>hibernate until "…"</c>).</param>
/// <param name="ExpiresAt">When its <c>timeout</c> runs out, if it has one.</param>
/// <param name="Source">The program's file name, as recorded in traces.</param>
/// <param name="ProgramPath">The program's full path, when the runner saved it.</param>
/// <param name="ProgramFingerprint">The program text's fingerprint, when the runner saved it.</param>
public sealed record SuspendedRunInfo(string ContinuationId, string FlowName, string EventName, DateTimeOffset? ExpiresAt,
    string Source, string? ProgramPath, string? ProgramFingerprint);
