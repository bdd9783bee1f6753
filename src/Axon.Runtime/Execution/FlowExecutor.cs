using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Axon.Runtime.Anchors;
using Axon.Runtime.Model;
using Axon.Runtime.Prompting;
using Axon.Runtime.Tools;
using Axon.Runtime.Tracing;
using Axon.Runtime.Typing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Axon.Runtime.Execution;

/// <summary>Executes the nodes of one flow against an <see cref="IChatClient"/>.</summary>
internal sealed partial class FlowExecutor
{
    private static readonly ConditionalWeakTable<FlowDefinition, AxonTypeSystem> TypeSystems = new();
    private readonly AxonRunOptions _options;
    private readonly IChatClient _client;
    private readonly SecretRedactor _redactor;
    private readonly ILogger _logger;
    private readonly TraceRecorder? _trace;

    public FlowExecutor(AxonRunOptions options, IChatClient client, SecretRedactor redactor, ILogger logger)
    {
        _options = options;
        _client = client;
        _redactor = redactor;
        _logger = logger;
        _trace = options.Trace;
    }

    internal static AxonTypeSystem TypesOf(FlowDefinition flow) => TypeSystems.GetValue(flow, f => new AxonTypeSystem(f.Types));

    // ───────────────────────────── run segment ─────────────────────────────

    public async Task<AxonRunResult> ExecuteAsync(ExecutionContext ctx, int startIndex, CancellationToken ct)
    {
        var start = Clock.Now();
        var order = ctx.Plan.Order;
        for (var i = startIndex; i < order.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            await ExecuteNodeAsync(ctx, order[i], ctx.RunSpan, null, ct).ConfigureAwait(false);
            if (ctx.PendingHibernate is { } h)
            {
                var id = await SuspendAsync(ctx, h, i + 1, ct).ConfigureAwait(false);
                return BuildResult(ctx, RunStatus.Suspended, start) with { ContinuationId = id, AwaitingEvent = h.EventName };
            }
        }
        return BuildResult(ctx, RunStatus.Completed, start);
    }

    public AxonRunResult BuildResult(ExecutionContext ctx, RunStatus status, long start, Exception? error = null)
    {
        StepResult[] steps;
        lock (ctx.Gate) steps = ctx.Results.ToArray();
        var usage = default(TokenUsage);
        var cost = 0m;
        foreach (var s in steps) { usage += s.Usage; cost += s.EstimatedCost; }
        AxonValue? final = null;
        StepResult? finalStep = null;
        if (ctx.LastOutputKey is { } k)
        {
            ctx.Values.TryGetValue(k, out final);
            for (var i = steps.Length - 1; i >= 0 && finalStep is null; i--) if (steps[i].Name == k) finalStep = steps[i];
        }
        return new AxonRunResult
        {
            FlowName = ctx.Flow.Name,
            Status = status,
            Steps = steps,
            Output = final?.Text,
            OutputJson = final?.Json,
            Citations = finalStep?.Citations ?? [],
            Fallback = finalStep?.Fallback,
            TotalUsage = usage,
            TotalCost = cost,
            Duration = Clock.Since(start),
            Error = error is null ? null : _redactor.Redact(error.Message),
            ErrorName = error is AxonRuntimeException are ? are.ErrorName : error?.GetType().Name,
        };
    }

    // ───────────────────────────── node dispatch ─────────────────────────────

    private async Task ExecuteNodeAsync(ExecutionContext ctx, FlowNode node, TraceSpan? parent, string? failureContext, CancellationToken ct)
    {
        switch (node)
        {
            case StepNode s: await StepAsync(ctx, s, parent, failureContext, ct).ConfigureAwait(false); break;
            case ProbeNode p: await ProbeAsync(ctx, p, parent, failureContext, ct).ConfigureAwait(false); break;
            case ReasonNode r: await ReasonAsync(ctx, r, parent, failureContext, ct).ConfigureAwait(false); break;
            case WeaveNode w: await WeaveAsync(ctx, w, parent, failureContext, ct).ConfigureAwait(false); break;
            case ValidateNode v: await ValidateAsync(ctx, v, parent, ct).ConfigureAwait(false); break;
            case RefineNode: break; // a policy, applied to every model step of the flow
            case UseToolNode u: await UseToolAsync(ctx, u, parent, ct).ConfigureAwait(false); break;
            case RememberNode m: await RememberAsync(ctx, m, ct).ConfigureAwait(false); break;
            case RecallNode rc: await RecallAsync(ctx, rc, ct).ConfigureAwait(false); break;
            case ConditionalNode c: await ConditionalAsync(ctx, c, parent, ct).ConfigureAwait(false); break;
            case ParallelNode par: await ParallelAsync(ctx, par, parent, ct).ConfigureAwait(false); break;
            case HibernateNode h: Hibernate(ctx, h); break;
            default: throw new AxonFlowDefinitionException($"Unsupported node kind '{node.NodeType}'.");
        }
    }

    // ───────────────────────────── model-call constructs ─────────────────────────────

    private Task StepAsync(ExecutionContext ctx, StepNode s, TraceSpan? parent, string? failureContext, CancellationToken ct)
    {
        var types = TypesOf(ctx.Flow);
        var outputType = s.OutputType;
        JsonElement? schema = types.GetOutputSchema(outputType);
        var schemaText = types.GetOutputSchemaText(outputType);
        if (schema is null && outputType.Length == 0 && s.Probe is { } inlineProbe)
            (schema, schemaText) = AxonTypeSystem.ProbeSchemaWithText(inlineProbe.Fields);
        return ModelStepAsync(ctx, new ModelCall
        {
            Node = s,
            Key = s.Name,
            Kind = "step",
            OutputType = outputType,
            Schema = schema,
            SchemaText = schemaText,
            ConfidenceFloor = s.ConfidenceFloor,
            Tool = s.UseTool,
        }, parent, failureContext, ct);
    }

    private Task ProbeAsync(ExecutionContext ctx, ProbeNode p, TraceSpan? parent, string? failureContext, CancellationToken ct)
    {
        var (schema, schemaText) = AxonTypeSystem.ProbeSchemaWithText(p.Fields);
        return ModelStepAsync(ctx, new ModelCall
        {
            Node = p,
            Key = ctx.Plan.KeyOf(p),
            Kind = "probe",
            OutputType = "",
            Schema = schema,
            SchemaText = schemaText,
        }, parent, failureContext, ct);
    }

    private Task ReasonAsync(ExecutionContext ctx, ReasonNode r, TraceSpan? parent, string? failureContext, CancellationToken ct)
    {
        var types = TypesOf(ctx.Flow);
        return ModelStepAsync(ctx, new ModelCall
        {
            Node = r,
            Key = ctx.Plan.KeyOf(r),
            Aliases = r.About.Length > 0 ? ["reason_" + r.About] : null,
            Kind = "reason",
            OutputType = r.OutputType,
            Schema = types.GetOutputSchema(r.OutputType),
            SchemaText = types.GetOutputSchemaText(r.OutputType),
        }, parent, failureContext, ct);
    }

    private Task WeaveAsync(ExecutionContext ctx, WeaveNode w, TraceSpan? parent, string? failureContext, CancellationToken ct)
    {
        var types = TypesOf(ctx.Flow);
        var outputType = w.FormatType.Length > 0 ? w.FormatType : w.Target;
        return ModelStepAsync(ctx, new ModelCall
        {
            Node = w,
            Key = ctx.Plan.KeyOf(w),
            Aliases = w.Target.Length > 0 ? ["weave_" + w.Target] : null,
            Kind = "weave",
            OutputType = outputType,
            Schema = types.GetOutputSchema(outputType),
            SchemaText = types.GetOutputSchemaText(outputType),
        }, parent, failureContext, ct);
    }

    /// <summary>The prompt parts of one attempt of a model-call construct, with the values bound now.</summary>
    private static StepPromptParts BuildParts(ExecutionContext ctx, in ModelCall call, (string Name, string Argument, string Result)? tool, string? failureContext) => call.Node switch
    {
        StepNode s => new StepPromptParts
        {
            Kind = "step",
            Inputs = ResolveInputs(ctx, s.Given),
            Ask = Interpolate(ctx, s.Ask),
            Probe = s.Probe is { } p ? (DisplayRef(ctx, p.Target), p.Fields) : null,
            Reason = s.Reason,
            Weave = s.Weave is { } w ? (w, ResolveAll(ctx, w.Sources)) : null,
            OutputType = call.OutputType,
            JsonSchema = call.SchemaText,
            ConfidenceFloor = s.ConfidenceFloor,
            Tool = tool,
            Memories = SnapshotMemories(ctx),
            FailureContext = failureContext,
        },
        ProbeNode p => new StepPromptParts
        {
            Kind = "probe",
            Inputs = ResolveInputs(ctx, p.Target),
            Probe = (p.Target, p.Fields),
            JsonSchema = call.SchemaText,
            Memories = SnapshotMemories(ctx),
            FailureContext = failureContext,
        },
        ReasonNode r => new StepPromptParts
        {
            Kind = "reason",
            Inputs = ResolveInputs(ctx, r.Given),
            Ask = Interpolate(ctx, r.Ask),
            Reason = r,
            OutputType = r.OutputType,
            JsonSchema = call.SchemaText,
            Memories = SnapshotMemories(ctx),
            FailureContext = failureContext,
        },
        WeaveNode w => new StepPromptParts
        {
            Kind = "weave",
            Weave = (w, ResolveAll(ctx, w.Sources)),
            OutputType = call.OutputType,
            JsonSchema = call.SchemaText,
            Memories = SnapshotMemories(ctx),
            FailureContext = failureContext,
        },
        _ => throw new UnreachableException($"Node kind '{call.Node.NodeType}' makes no model call."),
    };

    /// <summary>
    /// One model-call construct as the retry loop needs it. A struct without delegates: it costs no
    /// allocation when the call completes synchronously, and the prompt is built by <see cref="BuildParts"/>.
    /// </summary>
    private readonly struct ModelCall
    {
        public required FlowNode Node { get; init; }
        public required string Key { get; init; }
        /// <summary>Further names the output is stored under, or null.</summary>
        public string[]? Aliases { get; init; }
        public required string Kind { get; init; }
        public required string OutputType { get; init; }
        public JsonElement? Schema { get; init; }
        public string? SchemaText { get; init; }
        public double? ConfidenceFloor { get; init; }
        public UseToolNode? Tool { get; init; }
    }

    private sealed class AttemptFailure(AxonRuntimeException error, AxonValue? value, TokenUsage usage = default, decimal cost = 0, bool permanent = false) : Exception(error.Message, error)
    {
        public AxonRuntimeException Error { get; } = error;
        /// <summary>Another attempt cannot succeed (missing key, refused credentials, a malformed request).</summary>
        public bool Permanent { get; } = permanent;
        public AxonValue? Value { get; } = value;
        public TokenUsage Usage { get; } = usage;
        public decimal Cost { get; } = cost;
        /// <summary>A transient provider failure (counted against <see cref="AxonRunOptions.ProviderAttempts"/>).</summary>
        public bool ProviderFailure { get; init; }
    }

    private async Task ModelStepAsync(ExecutionContext ctx, ModelCall call, TraceSpan? parent, string? initialFailureContext, CancellationToken ct)
    {
        var start = Clock.Now();
        // A typed step that must cite gets a place for its citations in the output contract.
        if (ctx.CitationsInOutput && call.Schema is { } plain && call.SchemaText is { } plainText)
        {
            var (cited, citedText) = AxonTypeSystem.WithCitations(plain, plainText);
            call = call with { Schema = cited, SchemaText = citedText };
        }
        var span = parent?.StartChild("step:" + call.Key, "step", new Dictionary<string, object?> { ["kind"] = call.Kind });
        using var activity = AxonTelemetry.ActivitySource.HasListeners() ? AxonTelemetry.ActivitySource.StartActivity("axon.step " + call.Key) : null;
        activity?.SetTag("axon.step.name", call.Key);
        activity?.SetTag("axon.step.kind", call.Kind);
        var policy = ctx.Refine;
        var usage = default(TokenUsage);
        var cost = 0m;
        var attempts = 0;
        var synthetic = false;
        List<string>? warnings = null;
        var escalated = false;
        string? failureContext = initialFailureContext;
        AxonRuntimeException? lastError = null;
        AxonValue? lastValue = null;

        ctx.Observer?.OnUpdate(new AxonStepStarted(call.Key, call.Kind));
        if (_trace is not null)
        {
            _trace.Record(TraceEventKinds.StepStart, call.Key, new Dictionary<string, object?> { ["kind"] = call.Kind });
            if (policy.MaxAttempts > 1)
                _trace.Record(TraceEventKinds.RefineStart, call.Key, new Dictionary<string, object?> { ["max_attempts"] = policy.MaxAttempts, ["backoff"] = policy.Backoff.ToString().ToLowerInvariant() });
        }

        // A reference that binds nothing (a misspelt given:, X.output or {{name}}) fails the step before any call:
        // sending its literal text to a paid model would only produce a confident wrong answer.
        var unresolved = UnresolvedReference(ctx, call.Node);

        // The tool runs once, before the model; its result is part of every attempt's prompt.
        (string Name, string Argument, string Result)? toolResult = null;
        if (call.Tool is { } tool)
        {
            var (result, isStub) = await InvokeToolAsync(ctx, tool, call.Key, ct).ConfigureAwait(false);
            toolResult = (tool.ToolName, Interpolate(ctx, tool.Argument), result.Success ? result.Output : "ERROR: " + result.Error);
            synthetic |= isStub;
        }

        var permanentFailure = false;
        var providerFailures = 0;
        var providerGaveUp = false;
        for (var attempt = 1; attempt <= policy.MaxAttempts; attempt++)
        {
            ct.ThrowIfCancellationRequested();
            attempts = attempt;
            try
            {
                if (unresolved is not null)
                    throw new AttemptFailure(new AxonValidationException(
                        $"Step '{call.Key}' references '{unresolved}', which nothing in this run binds (no parameter, step output or recalled memory of that name); the step fails instead of sending the unresolved text to the model.",
                        "UnresolvedReferenceError", call.Key), null, permanent: true);
                var parts = BuildParts(ctx, call, toolResult, policy.PassFailureContext || attempt == 1 ? failureContext : null);
                var prompt = PromptCompiler.CompileStepPromptText(ctx.Style, parts);
                var (value, callUsage, callCost, isSynthetic, callWarnings, callEscalated) = await AttemptAsync(ctx, call, prompt, attempt, ct).ConfigureAwait(false);
                usage += callUsage;
                cost += callCost;
                synthetic |= isSynthetic;
                if (callWarnings.Warnings is { Count: > 0 } w) (warnings ??= []).AddRange(w);
                escalated |= callEscalated;
                var result = new StepResult
                {
                    Name = call.Key, Kind = call.Kind, Output = value.Text, Json = value.Json, Confidence = value.Confidence,
                    Usage = usage, EstimatedCost = cost, Duration = Clock.Since(start), Attempts = attempts,
                    AnchorVerdicts = callWarnings.Verdicts, Warnings = (IReadOnlyList<string>?)warnings ?? [], IsSynthetic = synthetic, Escalated = escalated,
                    Citations = callWarnings.Citations ?? [], Fallback = callWarnings.Fallback,
                };
                ctx.AddResult(result, value, call.Aliases ?? []);
                _trace?.Record(TraceEventKinds.StepEnd, call.Key, new Dictionary<string, object?> { ["success"] = true }, result.Duration.TotalMilliseconds);
                span?.End("ok", new Dictionary<string, object?> { ["attempts"] = attempts, ["input_tokens"] = usage.InputTokens, ["output_tokens"] = usage.OutputTokens });
                AxonTelemetry.Steps.Add(1, new KeyValuePair<string, object?>("axon.step.kind", call.Kind), new KeyValuePair<string, object?>("axon.outcome", "ok"));
                return;
            }
            catch (AttemptFailure f)
            {
                usage += f.Usage;
                cost += f.Cost;
                lastError = f.Error;
                lastValue = f.Value ?? lastValue;
                failureContext = _redactor.Redact(f.Error.ToFailureContext());
                _trace?.Record(TraceEventKinds.RetryAttempt, call.Key, new Dictionary<string, object?>
                {
                    ["error_type"] = f.Error.ErrorName, ["attempt"] = attempt, ["reason"] = f.Error.Message,
                });
                _logger.LogWarning("Step {Step} attempt {Attempt}/{Max} failed: {Error}", call.Key, attempt, policy.MaxAttempts, _redactor.Redact(f.Error.Message));
                if (f.Permanent) { permanentFailure = true; break; }
                // A provider that keeps failing transiently is not asked more often than ProviderAttempts.
                if (f.ProviderFailure && ++providerFailures >= Math.Max(1, _options.ProviderAttempts)) { providerGaveUp = true; break; }
                if (attempt < policy.MaxAttempts) await DelayAsync(policy.Backoff, attempt, ct).ConfigureAwait(false);
            }
        }

        // Exhausted (or stopped by a failure no retry can fix): the flow's refine on_exhaustion decides.
        var message = permanentFailure
            ? $"Step '{call.Key}' failed with an error that retrying cannot fix. {lastError?.Message}"
            : providerGaveUp
            ? $"Step '{call.Key}' failed: the provider failed {providerFailures} time(s) (ProviderAttempts). Last error: {lastError?.Message}"
            : $"All {policy.MaxAttempts} refine attempts exhausted for step '{call.Key}'. Last error: {lastError?.Message}";
        var exhausted = new StepResult
        {
            Name = call.Key, Kind = call.Kind, Usage = usage, EstimatedCost = cost, Duration = Clock.Since(start), Attempts = attempts,
            IsSynthetic = synthetic, Error = _redactor.Redact(message), Warnings = (IReadOnlyList<string>?)warnings ?? [],
        };
        warnings ??= [];
        switch (policy.OnExhaustion)
        {
            case "skip":
                ctx.AddResult(exhausted, null);
                break;
            case "fallback":
                var fb = new AxonValue(policy.OnExhaustionTarget);
                ctx.AddResult(exhausted with
                {
                    Output = fb.Text, Warnings = [.. warnings, "refine exhausted; fallback used"],
                    Fallback = new AnchorFallback("", fb.Text, call.Key, _redactor.Redact(lastError?.Message ?? "refine exhausted")),
                }, fb, call.Aliases ?? []);
                break;
            case "warn" or "log" when lastValue is not null:
                if (policy.OnExhaustion == "warn") _logger.LogWarning("{Message}", _redactor.Redact(message));
                ctx.AddResult(exhausted with { Output = lastValue.Text, Json = lastValue.Json, Confidence = lastValue.Confidence, Warnings = [.. warnings, _redactor.Redact(message)] }, lastValue, call.Aliases ?? []);
                break;
            case "escalate":
                await EscalateAsync(ctx, call.Key, message, lastValue?.Text, ct).ConfigureAwait(false);
                ctx.AddResult(exhausted with { Output = lastValue?.Text, Json = lastValue?.Json, Confidence = lastValue?.Confidence, Escalated = true }, lastValue, call.Aliases ?? []);
                break;
            default:
                _trace?.Record(TraceEventKinds.StepEnd, call.Key, new Dictionary<string, object?> { ["error"] = message });
                span?.End("error");
                AxonTelemetry.Steps.Add(1, new KeyValuePair<string, object?>("axon.step.kind", call.Kind), new KeyValuePair<string, object?>("axon.outcome", "error"));
                ctx.AddResult(exhausted, null);
                throw new AxonRefineExhaustedException(_redactor.Redact(message),
                    policy.OnExhaustion == "raise" && policy.OnExhaustionTarget.Length > 0 ? policy.OnExhaustionTarget : "RefineExhaustedError", call.Key, lastError);
        }
        _trace?.Record(TraceEventKinds.StepEnd, call.Key, new Dictionary<string, object?> { ["success"] = false, ["on_exhaustion"] = policy.OnExhaustion }, Clock.Since(start).TotalMilliseconds);
        span?.End("exhausted");
    }

    private sealed class AttemptNotes(List<string> warnings, IReadOnlyList<AnchorVerdict> verdicts, IReadOnlyList<string>? citations = null)
    {
        public List<string> Warnings { get; } = warnings;
        public IReadOnlyList<AnchorVerdict> Verdicts { get; } = verdicts;
        public IReadOnlyList<string>? Citations { get; } = citations;
        public AnchorFallback? Fallback { get; set; }
    }

    private static readonly AttemptNotes NoNotes = new([], []);

    private async ValueTask<(AxonValue Value, TokenUsage Usage, decimal Cost, bool Synthetic, AttemptNotes Notes, bool Escalated)> AttemptAsync(
        ExecutionContext ctx, ModelCall call, StepPromptText prompt, int attempt, CancellationToken ct)
    {
        var user = new ChatMessage(ChatRole.User, UserContents(prompt, ctx.Plan.SharesOutputContract(call.Node)));
        ChatMessage[] messages = ctx.SystemMessage is { } system ? [system, user] : [user];
        // Options are shared per run and output type (clients must not mutate request options).
        var options = call.Schema is { } schema ? ctx.OptionsFor(call.OutputType.Length > 0 ? call.OutputType : call.Kind, schema) : ctx.BaseOptions;

        _trace?.Record(TraceEventKinds.ModelCall, call.Key, new Dictionary<string, object?>
        {
            ["effort"] = ctx.Run.Effort,
            ["prompt_preview"] = Preview(prompt, 200),
            ["prompt_tokens"] = prompt.Length,
        });
        var callStart = Clock.Now();
        ChatResponse response;
        try
        {
            response = ctx.Observer is { WantsText: true } observer
                ? await StreamedResponseAsync(messages, options, observer, call.Key, attempt, ct).ConfigureAwait(false)
                : await _client.GetResponseAsync(messages, options, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            var err = new AxonModelCallException(_redactor.Redact($"Model call failed for step '{call.Key}': {ex.Message}"), call.Key);
            bool permanent = ex is Providers.AxonProviderException { IsTransient: false };
            throw new AttemptFailure(err, null, permanent: permanent) { ProviderFailure = !permanent };
        }
        var usage = new TokenUsage(response.Usage?.InputTokenCount ?? 0, response.Usage?.OutputTokenCount ?? 0);
        var synthetic = response.AdditionalProperties?.TryGetValue(Stub.StubChatClient.SyntheticKey, out var syn) == true && syn is true;
        var provider = ServingProvider(response);
        var cost = synthetic ? 0m : EstimateCost(response, provider, usage);
        if (cost > 0) AxonTelemetry.Cost.Add((double)cost, new KeyValuePair<string, object?>(AxonTelemetry.Attributes.ProviderName, provider));
        var text = response.Text ?? "";
        // Confidence and validation read the parsed element; the node handed on is backed by it and
        // builds its children only if a later step reads them.
        JsonNode? json = null;
        JsonElement element = default;
        if (call.Schema is not null && LenientJson.TryParseElement(text, out element)) json = LenientJson.ToNode(element);
        var confidence = AxonTypeSystem.ReadConfidence(element)
            ?? (response.AdditionalProperties?.TryGetValue("confidence", out var c) == true && c is double d ? d : null);
        _trace?.Record(TraceEventKinds.ModelResponse, call.Key, new Dictionary<string, object?>
        {
            ["content_length"] = text.Length,
            ["has_structured"] = json is not null,
            ["has_tool_calls"] = false,
            ["confidence"] = confidence,
            ["input_tokens"] = usage.InputTokens,
            ["output_tokens"] = usage.OutputTokens,
            ["cost_usd"] = (double)cost,
            ["synthetic"] = synthetic,
            ["cached_input_tokens"] = response.Usage?.CachedInputTokenCount,
            ["reasoning_tokens"] = response.Usage?.ReasoningTokenCount,
            // What the model's capability profile left out of the request (e.g. sampling params it rejects).
            ["request_notes"] = response.AdditionalProperties?.TryGetValue(Providers.RequestAdjustmentsKey.Value, out var rn) == true ? rn : null,
        }, Clock.Since(callStart).TotalMilliseconds);

        // Keep the model's own JSON text when the whole reply was the JSON (saves re-serialising).
        var value = new AxonValue(json is null ? text : IsWholeJson(text) ? text : json.ToJsonString(), json, confidence);
        if (text.Length == 0)
            throw new AttemptFailure(new AxonModelCallException($"Empty response for step '{call.Key}'.", call.Key), null, usage, cost);

        // 1. Type/schema.
        if (call.Schema is not null)
        {
            IReadOnlyList<string> violations = json is null
                ? ["Output is not valid JSON."]
                : call.Kind == "probe" ? ProbeViolations(element) : TypesOf(ctx.Flow).Validate(element, call.OutputType);
            if (violations.Count > 0)
            {
                _trace?.Record(TraceEventKinds.ValidationFail, call.Key, new Dictionary<string, object?> { ["expected_type"] = call.OutputType, ["violations"] = violations.ToArray() });
                throw new AttemptFailure(new AxonValidationException("Semantic validation failed:\n" + string.Join("\n", violations), stepName: call.Key), value, usage, cost);
            }
            _trace?.Record(TraceEventKinds.ValidationPass, call.Key, call.OutputType.Length > 0 ? new Dictionary<string, object?> { ["expected_type"] = call.OutputType } : null);
        }

        // 2. Confidence floor of the step.
        if (call.ConfidenceFloor is { } floor)
        {
            var passed = confidence is null || confidence >= floor;
            _trace?.Record(TraceEventKinds.ConfidenceCheck, call.Key, new Dictionary<string, object?> { ["score"] = confidence, ["floor"] = floor, ["passed"] = passed });
            if (!passed)
                throw new AttemptFailure(new AxonConfidenceException($"Confidence {confidence:0.00} is below the floor of {floor:0.00}.", call.Key), value, usage, cost);
        }

        // 3. Anchors.
        var notes = NoNotes;
        var escalated = false;
        if (ctx.Anchors.Count > 0)
        {
            // A typed output that must cite lists its citations in its sources array; the checker reads them there.
            var citations = ctx.CitationsInOutput && call.Schema is not null ? ReadCitations(element) : null;
            var verdicts = AnchorEvaluator.Evaluate(ctx.Anchors, text, confidence, citations);
            notes = new AttemptNotes([], verdicts, citations);
            foreach (var v in verdicts)
            {
                ctx.Observer?.OnUpdate(new AxonAnchorChecked(call.Key, v));
                _trace?.Record(TraceEventKinds.AnchorCheck, call.Key, new Dictionary<string, object?> { ["anchor_name"] = v.Anchor });
                if (v.Passed)
                {
                    _trace?.Record(TraceEventKinds.AnchorPass, call.Key, new Dictionary<string, object?> { ["anchor"] = v.Anchor, ["passed"] = true, ["reason"] = v.Reason.Length > 0 ? v.Reason : null });
                    continue;
                }
                AxonTelemetry.AnchorBreaches.Add(1, new KeyValuePair<string, object?>("axon.anchor", v.Anchor));
                _trace?.Record(TraceEventKinds.AnchorBreach, call.Key, new Dictionary<string, object?> { ["anchor"] = v.Anchor, ["passed"] = false, ["reason"] = v.Reason, ["action"] = v.Action });
                var anchor = ctx.Anchors.First(a => a.Name == v.Anchor);
                var msg = $"Anchor '{v.Anchor}' breached: {v.Reason}";
                switch (v.Action)
                {
                    case "warn":
                        _logger.LogWarning("Step {Step}: {Message}", call.Key, _redactor.Redact(msg));
                        notes.Warnings.Add(msg);
                        break;
                    case "log":
                        _logger.LogInformation("Step {Step}: {Message}", call.Key, _redactor.Redact(msg));
                        notes.Warnings.Add(msg);
                        break;
                    case "escalate":
                        escalated = true;
                        notes.Warnings.Add(msg + " (escalated)");
                        await EscalateAsync(ctx, call.Key, msg, value.Text, ct).ConfigureAwait(false);
                        break;
                    case "fallback":
                        // The fallback text replaces the output; later anchors judge the replacement.
                        notes.Warnings.Add(msg + " (fallback used)");
                        value = new AxonValue(anchor.OnViolationTarget.Length > 0 ? anchor.OnViolationTarget : anchor.UnknownResponse);
                        notes.Fallback = new AnchorFallback(v.Anchor, value.Text, call.Key, _redactor.Redact(v.Reason));
                        return (value, usage, cost, synthetic, notes, escalated);
                    default:
                        throw new AttemptFailure(new AxonAnchorBreachException("L3 Anchor breach detected:\n" + msg, v.Anchor,
                            anchor.OnViolationTarget.Length > 0 ? anchor.OnViolationTarget : "AnchorBreachError", call.Key), value, usage, cost);
                }
            }
        }
        return (value, usage, cost, synthetic, notes, escalated);
    }

    /// <summary>
    /// The user message's parts. A step's output contract (type, floor, schema) is the same string on
    /// every call, so it goes as its own text part instead of being copied into a new prompt string;
    /// the parts in order are the whole prompt (clients that send one text join them).
    /// </summary>
    // One instance for every marked contract: clients only read it, and a dictionary per model call would cost ~250 B.
    private static readonly AdditionalPropertiesDictionary SharedPrefixEndMark = new() { [Providers.PromptCacheKey.SharedPrefixEnd] = true };

    // The output contract comes first, right after the system prompt: together they are the prefix provider caches can
    // reuse across the steps that state the same contract; the per-call text follows.
    private static IList<AIContent> UserContents(StepPromptText prompt, bool sharedContract)
    {
        if (prompt.Contract.Length == 0) return [new TextContent(prompt.Body)];
        var parts = new List<AIContent>(prompt.Tail.Length > 0 ? 3 : 2);
        var contract = new TextContent(prompt.Contract);
        if (sharedContract) contract.AdditionalProperties = SharedPrefixEndMark;
        parts.Add(contract);
        if (prompt.Body.Length > 0) parts.Add(new TextContent(prompt.Body));
        if (prompt.Tail.Length > 0) parts.Add(new TextContent(prompt.Tail));
        return parts;
    }

    // The trace shows what this call asked, not the contract every call of the step repeats.
    private static string Preview(StepPromptText prompt, int max)
    {
        var text = prompt.Contract.Length == 0 ? prompt.Body : string.Concat(prompt.Body.AsSpan().TrimStart('\n'), prompt.Tail, prompt.Body.Length > 0 || prompt.Tail.Length > 0 ? "\n\n" : "", prompt.Contract);
        return text.Length > max ? text[..max] : text;
    }

    private static string[] ReadCitations(JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object || !json.TryGetProperty(AnchorEvaluator.CitationsField, out var sources) || sources.ValueKind != JsonValueKind.Array)
            return [];
        var list = new string[sources.GetArrayLength()];
        var i = 0;
        foreach (var item in sources.EnumerateArray())
            list[i++] = item.ValueKind == JsonValueKind.String ? item.GetString() ?? "" : item.ValueKind is JsonValueKind.Null ? "" : item.GetRawText();
        return list;
    }

    private static IReadOnlyList<string> ProbeViolations(JsonElement json) =>
        json.ValueKind == JsonValueKind.Object ? [] : ["Probe output must be a JSON object."];

    private static bool IsWholeJson(string text) => text.Length > 1 && text[0] is '{' or '[' && text[^1] is '}' or ']';

    internal static string SchemaName(string name)
    {
        Span<char> buffer = stackalloc char[Math.Min(name.Length, 64)];
        var n = 0;
        foreach (var c in name)
        {
            if (n == buffer.Length) break;
            buffer[n++] = char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_';
        }
        return n == 0 ? "output" : new string(buffer[..n]);
    }

    // Behind the router the call is served by one of several providers; it names the one on the response.
    /// <summary>
    /// The model call as a stream, for a streamed run: each text piece goes to the observer as it arrives, and the
    /// pieces are put back together into the response the step reads (usage, model and annotations included).
    /// </summary>
    private async Task<ChatResponse> StreamedResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions options, IAxonRunObserver observer,
        string step, int attempt, CancellationToken ct)
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in _client.GetStreamingResponseAsync(messages, options, ct).ConfigureAwait(false))
        {
            updates.Add(update);
            if (update.Text is { Length: > 0 } text) observer.OnUpdate(new AxonTextDelta(step, attempt, text));
        }
        return updates.ToChatResponse();
    }

    private string ServingProvider(ChatResponse response) =>
        response.AdditionalProperties?.TryGetValue(Routing.ProviderRoutingChatClient.ProviderPropertyKey, out var p) == true && p is string name
            ? name
            : _options.Backend;

    private decimal EstimateCost(ChatResponse response, string provider, TokenUsage usage)
    {
        var table = _options.PriceTable ?? Providers.ModelPriceTable.Default;
        var model = response.ModelId ?? _options.Model ?? "";
        // The response's usage prices cached input and reasoning at their own rates.
        return !table.TryGetPrice(provider, model, out var price) ? 0m
            : response.Usage is { } details ? price.Estimate(details) : price.Estimate(usage.InputTokens, usage.OutputTokens);
    }

    private async Task DelayAsync(BackoffStrategy backoff, int attempt, CancellationToken ct)
    {
        var unit = _options.BackoffUnit;
        var factor = backoff switch
        {
            BackoffStrategy.Linear => attempt,
            BackoffStrategy.Exponential => 0.5 * Math.Pow(2, attempt),
            _ => 0,
        };
        if (factor <= 0 || unit <= TimeSpan.Zero) return;
        var delay = TimeSpan.FromTicks((long)Math.Min(unit.Ticks * factor, unit.Ticks * 30.0));
        await Task.Delay(delay, _options.TimeProvider, ct).ConfigureAwait(false);
    }

    private async Task EscalateAsync(ExecutionContext ctx, string step, string reason, string? output, CancellationToken ct)
    {
        _logger.LogWarning("Escalated in step {Step}: {Reason}", step, _redactor.Redact(reason));
        if (_options.OnEscalate is { } handler)
            await handler(new EscalationContext(ctx.Flow.Name, step, _redactor.Redact(reason), output), ct).ConfigureAwait(false);
    }

    // ───────────────────────────── validate ─────────────────────────────

    private async Task ValidateAsync(ExecutionContext ctx, ValidateNode v, TraceSpan? parent, CancellationToken ct)
    {
        var start = Clock.Now();
        var key = ctx.Plan.KeyOf(v);
        var targetName = FirstRef(v.Target);
        var warnings = new List<string>();
        var refineBudget = new Dictionary<ValidateRule, int>(ReferenceEqualityComparer.Instance);
        var reruns = 0;
        ctx.Observer?.OnUpdate(new AxonStepStarted(key, "validate"));
        _trace?.Record(TraceEventKinds.StepStart, key, new Dictionary<string, object?> { ["kind"] = "validate", ["target"] = v.Target, ["schema"] = v.Schema });
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var (node, present) = ResolveReference(ctx, v.Target);
            ctx.Values.TryGetValue(targetName, out var targetValue);
            var violations = v.Schema.Length > 0 && targetValue is not null
                ? TypesOf(ctx.Flow).Validate(targetValue.Json, v.Schema)
                : present ? [] : (IReadOnlyList<string>)[$"'{v.Target}' has no value."];
            _trace?.Record(violations.Count == 0 ? TraceEventKinds.ValidationPass : TraceEventKinds.ValidationFail, key,
                new Dictionary<string, object?> { ["expected_type"] = v.Schema, ["violations"] = violations.ToArray() });

            ValidateRule? refineRule = null;
            string? refineReason = null;
            var explicitSchemaRule = false;
            foreach (var rule in v.Rules)
            {
                bool holds;
                if (rule.ComparisonOp.Length == 0 && rule.Condition is "schema_mismatch" or "invalid" or "type_mismatch" or "schema_violation")
                {
                    holds = violations.Count > 0;
                    explicitSchemaRule = true;
                }
                else if (rule.ComparisonOp.Length == 0 && rule.Condition is "valid")
                {
                    holds = violations.Count == 0;
                    explicitSchemaRule = true;
                }
                else
                {
                    var (value, has) = rule.Condition == "confidence"
                        ? (targetValue?.Confidence is { } c ? JsonValue.Create(c) : null, targetValue?.Confidence is not null)
                        : LookupField(ctx, targetValue, rule.Condition);
                    holds = rule.ComparisonOp.Length == 0
                        ? ValueComparison.IsTruthy(value, has)
                        : ValueComparison.Compare(value, has, rule.ComparisonOp, rule.ComparisonValue) ?? false;
                }
                if (!holds) continue;
                var ruleText = $"if {rule.Condition}{(rule.ComparisonOp.Length > 0 ? $" {rule.ComparisonOp} {rule.ComparisonValue}" : "")} -> {rule.Action}";
                if (rule.Action == "pass") break;
                if (rule.Action == "warn")
                {
                    var msg = rule.ActionTarget.Length > 0 ? rule.ActionTarget : $"Validation rule matched: {ruleText}";
                    warnings.Add(msg);
                    _logger.LogWarning("validate {Target}: {Message}", v.Target, _redactor.Redact(msg));
                    continue;
                }
                if (rule.Action == "raise")
                {
                    var name = rule.ActionTarget.Length > 0 ? rule.ActionTarget : "ValidationError";
                    AddValidateResult(ctx, key, start, warnings, $"{name}: {ruleText}");
                    throw new AxonValidationException($"Validation of '{v.Target}' against {v.Schema} raised {name} ({ruleText}).", name, targetName);
                }
                if (rule.Action == "refine")
                {
                    refineRule = rule;
                    refineReason = $"Validation rule '{ruleText}' matched for {v.Target}.";
                    break;
                }
                warnings.Add($"Unknown validate action '{rule.Action}' ({ruleText}); treated as warn.");
            }

            if (refineRule is null && violations.Count > 0 && !explicitSchemaRule)
            {
                // A schema mismatch without a rule about it is reported, not fatal (the reference never validated here).
                warnings.Add($"'{v.Target}' does not match {v.Schema}: {string.Join("; ", violations)}");
            }
            if (refineRule is null)
            {
                AddValidateResult(ctx, key, start, warnings, null, reruns);
                return;
            }

            var max = ParamInt(refineRule.ActionParams, "max_attempts", 1);
            refineBudget.TryGetValue(refineRule, out var used);
            var producer = FindProducer(ctx, targetName);
            if (used >= max || producer is null)
            {
                var msg = producer is null
                    ? $"validate cannot refine '{v.Target}': no step produces it."
                    : $"Validation refine exhausted after {max} attempt(s) for '{v.Target}': {refineReason}";
                AddValidateResult(ctx, key, start, warnings, msg, reruns);
                throw new AxonRefineExhaustedException(_redactor.Redact(msg), "RefineExhaustedError", targetName);
            }
            refineBudget[refineRule] = used + 1;
            reruns++;
            var passContext = ParamString(refineRule.ActionParams, "pass_failure_context", "true") != "false";
            _trace?.Record(TraceEventKinds.RetryAttempt, key, new Dictionary<string, object?> { ["error_type"] = "ValidationError", ["attempt"] = used + 1, ["reason"] = refineReason });
            var feedback = violations.Count > 0 ? refineReason + "\n" + string.Join("\n", violations) : refineReason;
            await ExecuteNodeAsync(ctx, producer, parent, passContext ? feedback : null, ct).ConfigureAwait(false);
        }
    }

    private void AddValidateResult(ExecutionContext ctx, string key, long start, List<string> warnings, string? error, int reruns = 0)
    {
        var result = new StepResult
        {
            Name = key, Kind = "validate", Duration = Clock.Since(start), Attempts = reruns, Warnings = warnings.ToArray(),
            Error = error is null ? null : _redactor.Redact(error),
        };
        lock (ctx.Gate) ctx.Results.Add(result);
        _trace?.Record(TraceEventKinds.StepEnd, key, error is null
            ? new Dictionary<string, object?> { ["success"] = true, ["warnings"] = warnings.ToArray() }
            : new Dictionary<string, object?> { ["error"] = error }, result.Duration.TotalMilliseconds);
    }

    private static FlowNode? FindProducer(ExecutionContext ctx, string name) =>
        FlowPlan.AllNodes(ctx.Flow.Steps).FirstOrDefault(n => n is StepNode or ProbeNode or ReasonNode or WeaveNode
            && (ctx.Plan.KeyOf(n) == name || (n is WeaveNode w && "weave_" + w.Target == name) || (n is ReasonNode r && "reason_" + r.About == name)));

    private static int ParamInt(IReadOnlyList<KeyValuePair<string, string>> ps, string key, int fallback) =>
        int.TryParse(ParamString(ps, key, ""), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;

    private static string ParamString(IReadOnlyList<KeyValuePair<string, string>> ps, string key, string fallback)
    {
        foreach (var kv in ps) if (kv.Key == key) return kv.Value;
        return fallback;
    }

    // ───────────────────────────── tools, memory ─────────────────────────────

    private async Task<(ToolResult Result, bool IsStub)> InvokeToolAsync(ExecutionContext ctx, UseToolNode use, string stepName, CancellationToken ct)
    {
        var tool = _options.Tools.Resolve(use.ToolName, _options.ToolMode, _options.TimeProvider);
        var argument = Interpolate(ctx, use.Argument);
        var isStub = tool is StubTool;
        var start = Clock.Now();
        ToolResult result;
        if (tool is null)
        {
            result = new ToolResult(false, "", false, $"Tool not found: {use.ToolName} (tool mode {_options.ToolMode.ToString().ToLowerInvariant()})");
        }
        else
        {
            var declared = ctx.Flow.Tools.FirstOrDefault(t => t.Name == use.ToolName);
            var timeout = declared is not null && Durations.TryParse(declared.Timeout, out var t) ? t : TimeSpan.FromSeconds(30);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(timeout);
            try
            {
                var output = await tool.InvokeAsync(argument, cts.Token).ConfigureAwait(false);
                result = new ToolResult(true, output, isStub);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                result = new ToolResult(false, "", isStub, $"Tool '{use.ToolName}' timed out after {timeout.TotalSeconds:0.###}s");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                result = new ToolResult(false, "", isStub, _redactor.Redact($"Tool '{use.ToolName}' failed: {ex.Message}"));
            }
        }
        _trace?.Record(TraceEventKinds.ToolCall, stepName, new Dictionary<string, object?>
        {
            ["tool_name"] = use.ToolName, ["argument"] = argument, ["success"] = result.Success, ["is_stub"] = isStub, ["error"] = result.Error,
        }, Clock.Since(start).TotalMilliseconds);
        if (!result.Success && _options.ToolMode == ToolMode.Real && tool is null)
            throw new AxonRuntimeException(result.Error!, "ToolNotFound", 5, stepName);
        return (result, isStub);
    }

    private async Task UseToolAsync(ExecutionContext ctx, UseToolNode use, TraceSpan? parent, CancellationToken ct)
    {
        var start = Clock.Now();
        var key = ctx.Plan.KeyOf(use);
        ctx.Observer?.OnUpdate(new AxonStepStarted(key, "use_tool"));
        _trace?.Record(TraceEventKinds.StepStart, key, new Dictionary<string, object?> { ["kind"] = "use_tool" });
        var (result, isStub) = await InvokeToolAsync(ctx, use, key, ct).ConfigureAwait(false);
        if (!result.Success)
        {
            ctx.AddResult(new StepResult { Name = key, Kind = "use_tool", Duration = Clock.Since(start), Error = result.Error, IsSynthetic = isStub }, null);
            _trace?.Record(TraceEventKinds.StepEnd, key, new Dictionary<string, object?> { ["error"] = result.Error });
            throw new AxonRuntimeException(result.Error ?? "Tool failed.", "ToolError", 5, key);
        }
        JsonNode? json = null;
        if (result.Output.Length > 0 && result.Output[0] is '{' or '[') LenientJson.TryParse(result.Output, out json);
        var value = new AxonValue(result.Output, json);
        ctx.AddResult(new StepResult { Name = key, Kind = "use_tool", Output = result.Output, Json = json, Duration = Clock.Since(start), IsSynthetic = isStub }, value);
        _trace?.Record(TraceEventKinds.StepEnd, key, new Dictionary<string, object?> { ["success"] = true }, Clock.Since(start).TotalMilliseconds);
    }

    private async Task RememberAsync(ExecutionContext ctx, RememberNode m, CancellationToken ct)
    {
        var start = Clock.Now();
        var key = ctx.Plan.KeyOf(m);
        var name = FirstRef(m.Expression);
        var (node, present) = ResolveReference(ctx, m.Expression);
        var text = present ? ctx.Values.TryGetValue(name, out var v) ? v.Text : ValueComparison.AsText(node) : m.Expression;
        await _options.MemoryStore.StoreAsync(m.MemoryTarget, name, text, ct).ConfigureAwait(false);
        _trace?.Record(TraceEventKinds.MemoryWrite, key, new Dictionary<string, object?> { ["key"] = name, ["memory"] = m.MemoryTarget, ["value_type"] = node is JsonObject ? "object" : "text" });
        lock (ctx.Gate) ctx.Results.Add(new StepResult { Name = key, Kind = "remember", Output = text, Duration = Clock.Since(start) });
    }

    private async Task RecallAsync(ExecutionContext ctx, RecallNode rc, CancellationToken ct)
    {
        var start = Clock.Now();
        var key = ctx.Plan.KeyOf(rc);
        // An identifier query (recall(form)) searches with that value; a string literal searches with itself.
        var query = ctx.Values.TryGetValue(rc.Query, out var qv) ? qv.Text : Interpolate(ctx, rc.Query);
        const int topK = 5;
        var entries = await _options.MemoryStore.RetrieveAsync(rc.MemorySource, query, topK, ct).ConfigureAwait(false);
        // A declared decay (e.g. 365d) hides entries older than that.
        if (ctx.Flow.Memories.FirstOrDefault(m => m.Name == rc.MemorySource) is { } declared && Durations.TryParse(declared.Decay, out var decay))
        {
            var cutoff = _options.TimeProvider.GetUtcNow() - decay;
            entries = entries.Where(e => e.StoredAt >= cutoff).ToList();
        }
        _trace?.Record(TraceEventKinds.MemoryRead, key, new Dictionary<string, object?> { ["query"] = query.Length > 200 ? query[..200] : query, ["memory"] = rc.MemorySource, ["results_count"] = entries.Count, ["top_k"] = topK });
        var array = new JsonArray();
        foreach (var e in entries) array.Add((JsonNode)new JsonObject { ["key"] = e.Key, ["value"] = e.Value, ["score"] = e.Score });
        lock (ctx.Gate)
            foreach (var e in entries) ctx.Memories.Add($"[{rc.MemorySource}] {e.Key}: {e.Value}");
        var value = new AxonValue(array.ToJsonString(), array);
        // Also bound under the memory's name, so `given: Memory` reads what was recalled.
        ctx.AddResult(new StepResult { Name = key, Kind = "recall", Output = value.Text, Json = array, Duration = Clock.Since(start) }, value, rc.MemorySource);
    }

    private static IReadOnlyList<string> SnapshotMemories(ExecutionContext ctx)
    {
        lock (ctx.Gate) return ctx.Memories.Count == 0 ? [] : ctx.Memories.ToArray();
    }

    // ───────────────────────────── control flow ─────────────────────────────

    private async Task ConditionalAsync(ExecutionContext ctx, ConditionalNode c, TraceSpan? parent, CancellationToken ct)
    {
        var start = Clock.Now();
        var key = ctx.Plan.KeyOf(c);
        var (value, present) = ResolveCondition(ctx, c.Condition);
        var holds = c.ComparisonOp.Length == 0
            ? ValueComparison.IsTruthy(value, present)
            : ValueComparison.Compare(value, present, c.ComparisonOp, c.ComparisonValue) ?? false;
        var branch = holds ? c.Then : c.Else;
        _trace?.Record(TraceEventKinds.StepStart, key, new Dictionary<string, object?>
        {
            ["kind"] = "conditional", ["condition"] = $"{c.Condition} {c.ComparisonOp} {c.ComparisonValue}".Trim(),
            ["value"] = present ? ValueComparison.AsText(value) : null, ["branch"] = holds ? "then" : branch is null ? "none" : "else",
        });
        lock (ctx.Gate) ctx.Results.Add(new StepResult { Name = key, Kind = "conditional", Output = holds ? "then" : "else", Duration = Clock.Since(start) });
        if (branch is not null) await ExecuteNodeAsync(ctx, branch, parent, null, ct).ConfigureAwait(false);
    }

    private async Task ParallelAsync(ExecutionContext ctx, ParallelNode par, TraceSpan? parent, CancellationToken ct)
    {
        var start = Clock.Now();
        var key = ctx.Plan.KeyOf(par);
        _trace?.Record(TraceEventKinds.StepStart, key, new Dictionary<string, object?> { ["kind"] = "parallel_block", ["branches"] = par.Branches.Count });
        var span = parent?.StartChild("par:" + key, "par");
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var tasks = new Task[par.Branches.Count];
        for (var i = 0; i < tasks.Length; i++)
        {
            var branch = par.Branches[i];
            tasks[i] = Task.Run(async () =>
            {
                try { await ExecuteNodeAsync(ctx, branch, span, null, cts.Token).ConfigureAwait(false); }
                catch { await cts.CancelAsync().ConfigureAwait(false); throw; } // one failed branch stops its siblings
            }, CancellationToken.None);
        }
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch
        {
            span?.End("error");
            ct.ThrowIfCancellationRequested();
            // Report the first real failure rather than a sibling's cancellation.
            var failure = tasks.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault(e => e is not OperationCanceledException);
            if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            throw;
        }
        span?.End();
        lock (ctx.Gate) ctx.Results.Add(new StepResult { Name = key, Kind = "parallel_block", Duration = Clock.Since(start) });
        _trace?.Record(TraceEventKinds.StepEnd, key, new Dictionary<string, object?> { ["success"] = true }, Clock.Since(start).TotalMilliseconds);
    }

    private void Hibernate(ExecutionContext ctx, HibernateNode h)
    {
        // The suspension happens after the enclosing top-level node finishes (a hibernate inside par
        // or if lets its siblings complete first).
        lock (ctx.Gate) ctx.PendingHibernate ??= h;
    }

    private async Task<string> SuspendAsync(ExecutionContext ctx, HibernateNode h, int nextIndex, CancellationToken ct)
    {
        var id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var now = _options.TimeProvider.GetUtcNow();
        DateTimeOffset? expires = Durations.TryParse(h.Timeout, out var t) ? now + t : null;
        var state = ExecutionStateSerializer.Serialize(ctx, id, h, nextIndex, now, expires, _options.Source, _options.ProgramPath, _options.ProgramFingerprint);
        await _options.StateStore.SaveAsync(id, state, ct).ConfigureAwait(false);
        _trace?.Record(TraceEventKinds.Hibernate, ctx.Plan.KeyOf(h), new Dictionary<string, object?>
        {
            ["continuation_id"] = id, ["event"] = h.EventName, ["timeout"] = h.Timeout, ["node_continuation_id"] = h.ContinuationId,
        });
        lock (ctx.Gate) ctx.Results.Add(new StepResult { Name = ctx.Plan.KeyOf(h), Kind = "hibernate", Output = id });
        _logger.LogInformation("Flow {Flow} suspended waiting for {Event} (continuation {Id})", ctx.Flow.Name, h.EventName, id);
        return id;
    }

    // ───────────────────────────── references and interpolation ─────────────────────────────

    private static string FirstRef(string reference)
    {
        var r = reference.Trim().TrimStart('[').Trim();
        var end = 0;
        while (end < r.Length && (char.IsLetterOrDigit(r[end]) || r[end] == '_')) end++;
        return r[..end];
    }

    /// <summary>Resolves <c>X</c>, <c>X.output</c>, <c>X.output.field</c>, <c>X.field</c>, <c>param</c>.</summary>
    internal static (JsonNode? Node, bool Present) ResolveReference(ExecutionContext ctx, string reference)
    {
        // Fast path for the common "X" and "X.output" forms (no allocation).
        var span = reference.AsSpan().Trim();
        if (span.EndsWith(".output")) span = span[..^7];
        if (span.IndexOfAny('.', ' ') < 0)
        {
            var lookup = ctx.Values.GetAlternateLookup<ReadOnlySpan<char>>();
            return lookup.TryGetValue(span, out var whole) ? (whole.Json ?? JsonValue.Create(whole.Text), true) : (null, false);
        }
        var parts = reference.Trim().Split('.', StringSplitOptions.TrimEntries);
        if (parts.Length == 0 || !ctx.Values.TryGetValue(parts[0], out var value)) return (null, false);
        var i = 1;
        if (i < parts.Length && parts[i] == "output") i++;
        if (i < parts.Length && parts[i] == "confidence" && i == parts.Length - 1 && value.Json?["confidence"] is null)
            return (value.Confidence is { } c ? JsonValue.Create(c) : null, value.Confidence is not null);
        if (i >= parts.Length) return (value.Json ?? JsonValue.Create(value.Text), true);
        JsonNode? current = value.Json;
        for (; i < parts.Length; i++)
        {
            if (current is JsonObject o && o.TryGetPropertyValue(parts[i], out var next)) current = next;
            else return (null, false);
        }
        return (current, true);
    }

    private static (JsonNode? Node, bool Present) LookupField(ExecutionContext ctx, AxonValue? target, string field)
    {
        if (target?.Json is JsonObject o && o.TryGetPropertyValue(field, out var v)) return (v, true);
        return ResolveCondition(ctx, field);
    }

    /// <summary>A condition word: confidence (of the latest output), a reference, or a field of the most recent output that has it.</summary>
    private static (JsonNode? Node, bool Present) ResolveCondition(ExecutionContext ctx, string condition)
    {
        if (condition == "confidence")
        {
            var last = ctx.LastResultWithOutput();
            return last?.Confidence is { } c ? (JsonValue.Create(c), true) : (null, false);
        }
        var direct = ResolveReference(ctx, condition);
        if (direct.Present) return direct;
        StepResult[] results;
        lock (ctx.Gate) results = ctx.Results.ToArray();
        for (var i = results.Length - 1; i >= 0; i--)
            if (results[i].Json is JsonObject o && o.TryGetPropertyValue(condition, out var v)) return (v, true);
        return (null, false);
    }

    private static string DisplayRef(ExecutionContext ctx, string reference) => reference;

    private static PromptInput Resolve(ExecutionContext ctx, string reference)
    {
        var span = reference.AsSpan().Trim();
        if (span.EndsWith(".output")) span = span[..^7];
        if (span.IndexOfAny('.', ' ') < 0)
            return ctx.Values.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(span, out var direct) ? new PromptInput(reference, direct.Text) : new PromptInput(reference, null);
        var (node, present) = ResolveReference(ctx, reference);
        if (!present) return new PromptInput(reference, null);
        var name = FirstRef(reference);
        var isWhole = reference.Trim() == name || reference.Trim() == name + ".output";
        if (isWhole && ctx.Values.TryGetValue(name, out var v)) return new PromptInput(reference, v.Text);
        return new PromptInput(reference, ValueComparison.AsText(node));
    }

    private static IReadOnlyList<PromptInput> ResolveInputs(ExecutionContext ctx, string given)
    {
        if (string.IsNullOrWhiteSpace(given)) return [];
        var g = given.Trim();
        if (g.StartsWith('[') && g.EndsWith(']'))
            return ResolveAll(ctx, g[1..^1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return [Resolve(ctx, g)];
    }

    private static IReadOnlyList<PromptInput> ResolveInputs(ExecutionContext ctx, IReadOnlyList<string> givens)
    {
        var inputs = new List<PromptInput>(givens.Count);
        for (var i = 0; i < givens.Count; i++) inputs.AddRange(ResolveInputs(ctx, givens[i]));
        return inputs;
    }

    // Loops rather than lambdas over ctx: a lambda's closure is allocated on every call, even when unused.
    private static PromptInput[] ResolveAll(ExecutionContext ctx, IReadOnlyList<string> references)
    {
        var inputs = new PromptInput[references.Count];
        for (var i = 0; i < inputs.Length; i++) inputs[i] = Resolve(ctx, references[i]);
        return inputs;
    }

    /// <summary>Replaces <c>{{X}}</c>, <c>{{ X.output }}</c>, <c>{{X.output.field}}</c> and <c>{{param}}</c> with their values; unknown placeholders stay.</summary>
    internal static string Interpolate(ExecutionContext ctx, string text)
    {
        if (string.IsNullOrEmpty(text) || !text.Contains("{{", StringComparison.Ordinal)) return text;
        return InterpolatePlaceholders(ctx, text);
    }

    // Separate from Interpolate so that text without placeholders does not allocate the closure over ctx.
    private static string InterpolatePlaceholders(ExecutionContext ctx, string text) =>
        Placeholder().Replace(text, m =>
        {
            var reference = m.Groups[1].Value;
            var (node, present) = ResolveReference(ctx, reference);
            if (!present) return m.Value;
            var name = FirstRef(reference);
            if ((reference == name || reference == name + ".output") && ctx.Values.TryGetValue(name, out var v)) return v.Text;
            return ValueComparison.AsText(node);
        });

    [GeneratedRegex(@"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}\}")]
    private static partial Regex Placeholder();

    /// <summary>The first reference of a model-call construct (given, probe target, weave source, <c>{{X}}</c> in its ask) that binds nothing now; null when all bind.</summary>
    private static string? UnresolvedReference(ExecutionContext ctx, FlowNode node)
    {
        string? Inputs(string given)
        {
            if (string.IsNullOrWhiteSpace(given)) return null;
            var g = given.Trim();
            // One reference (the common case) is checked without building the input list BuildParts builds anyway.
            if (!(g.StartsWith('[') && g.EndsWith(']'))) return Resolve(ctx, g).Value is null ? g : null;
            foreach (var input in ResolveInputs(ctx, given)) if (input.Value is null) return input.Reference.Trim();
            return null;
        }
        string? Placeholders(string text)
        {
            if (string.IsNullOrEmpty(text) || !text.Contains("{{", StringComparison.Ordinal)) return null;
            foreach (Match m in Placeholder().Matches(text))
                if (!ResolveReference(ctx, m.Groups[1].Value).Present) return m.Value;
            return null;
        }
        string? Sources(IReadOnlyList<string> sources)
        {
            foreach (var src in sources) if (Inputs(src) is { } missing) return missing;
            return null;
        }
        return node switch
        {
            StepNode s => Inputs(s.Given) ?? Placeholders(s.Ask) ?? (s.Probe is { } p ? Inputs(p.Target) : null)
                ?? (s.Weave is { } w ? Sources(w.Sources) : null) ?? (s.Reason is { } r ? Sources(r.Given) ?? Placeholders(r.Ask) : null),
            ProbeNode p => Inputs(p.Target),
            ReasonNode r => Sources(r.Given) ?? Placeholders(r.Ask),
            WeaveNode w => Sources(w.Sources),
            _ => null,
        };
    }
}
