using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Axon.Runtime.Anchors;
using Axon.Runtime.Model;
using Axon.Runtime.Prompting;
using Axon.Runtime.Stub;
using Axon.Runtime.Tracing;
using Axon.Runtime.Typing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Axon.Runtime.Execution;

/// <summary>
/// Entry point for executing AXON flows: runs <see cref="RunDefinition"/>s (or flows with
/// arguments), honours <c>on_failure</c> and <c>output_to</c>, and resumes hibernated executions.
/// Thread-safe; one instance can run many flows concurrently.
/// </summary>
public sealed partial class AxonRuntime
{
    private readonly ConcurrentDictionary<string, FlowDefinition> _flows = new(StringComparer.Ordinal);
    private readonly IChatClient _client;
    private readonly SecretRedactor _redactor;
    private readonly ILogger _logger;
    private readonly FlowExecutor _executor;

    /// <summary>Creates a runtime. Without a chat client the offline stub backend is used.</summary>
    public AxonRuntime(AxonRunOptions? options = null)
    {
        Options = options ?? new AxonRunOptions();
        var inner = Options.ChatClient ?? new StubChatClient();
        _redactor = new SecretRedactor(Options.Secrets);
        Options.Trace?.AddSecrets(Options.Secrets);
        var loggerFactory = new RedactingLoggerFactory(Options.LoggerFactory ?? NullLoggerFactory.Instance, _redactor);
        _logger = loggerFactory.CreateLogger("Axon.Runtime");
        _client = AxonChatPipeline.WithTelemetry(inner, _redactor, loggerFactory);
        _executor = new FlowExecutor(Options, _client, _redactor, _logger);
        if (Options.ChatClient is null && !string.Equals(Options.Backend, "stub", StringComparison.OrdinalIgnoreCase))
            _logger.LogWarning("No chat client configured for backend '{Backend}'; using the offline stub backend (synthetic outputs).", Options.Backend);
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<AxonRunOptions, AxonRuntime> ByOptions = new();
    private static readonly Lazy<AxonRuntime> Default = new(() => new AxonRuntime());

    /// <summary>
    /// The runtime for an options instance, created once and reused (generated flow classes call this on
    /// every <c>RunAsync</c>); null gives a shared default runtime on the offline stub backend.
    /// </summary>
    public static AxonRuntime For(AxonRunOptions? options) =>
        options is null ? Default.Value : ByOptions.GetValue(options, o => new AxonRuntime(o));

    /// <summary>The options this runtime was created with.</summary>
    public AxonRunOptions Options { get; }

    /// <summary>Makes a program's flows known (needed to resume them after a restart).</summary>
    public AxonRuntime Register(AxonProgram program)
    {
        foreach (var f in program.Flows) _flows[f.Name] = f;
        return this;
    }

    /// <summary>Makes a flow known (needed to resume it after a restart).</summary>
    public AxonRuntime Register(FlowDefinition flow)
    {
        _flows[flow.Name] = flow;
        return this;
    }

    /// <summary>Runs every <c>run</c> of a program in source order (a failing run does not stop the next).</summary>
    public async Task<IReadOnlyList<AxonRunResult>> RunProgramAsync(AxonProgram program, CancellationToken cancellationToken = default)
    {
        Register(program);
        var results = new List<AxonRunResult>(program.Runs.Count);
        foreach (var run in program.Runs)
        {
            try
            {
                results.Add(await RunAsync(run, (IReadOnlyDictionary<string, object?>?)null, cancellationToken).ConfigureAwait(false));
            }
            catch (AxonRunFailedException ex) when (!Options.ThrowOnFailure)
            {
                results.Add(ex.Result);
            }
        }
        return results;
    }

    /// <summary>Runs a flow with named arguments (no persona, context or anchors).</summary>
    public Task<AxonRunResult> RunAsync(FlowDefinition flow, IReadOnlyDictionary<string, object?> arguments, CancellationToken cancellationToken = default) =>
        RunAsync(new RunDefinition(flow), arguments, cancellationToken);

    /// <summary>Runs a flow with positional arguments (bound to parameters in order).</summary>
    public Task<AxonRunResult> RunAsync(RunDefinition run, IReadOnlyList<object?> positionalArguments, CancellationToken cancellationToken = default)
    {
        var named = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (positionalArguments.Count > run.Flow.Parameters.Count)
            throw new AxonFlowDefinitionException($"Flow '{run.Flow.Name}' takes {run.Flow.Parameters.Count} argument(s), {positionalArguments.Count} given.");
        for (var i = 0; i < positionalArguments.Count; i++) named[run.Flow.Parameters[i].Name] = positionalArguments[i];
        return RunAsync(run, named, cancellationToken);
    }

    /// <summary>
    /// Runs a <c>run</c>: binds its arguments (the run's own, by position and <c>name:value</c>, then
    /// <paramref name="arguments"/> by name), executes the flow, applies <c>on_failure</c>
    /// (retry with backoff, raise) and writes <c>output_to</c>.
    /// </summary>
    public async Task<AxonRunResult> RunAsync(RunDefinition run, IReadOnlyDictionary<string, object?>? arguments, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        _flows.TryAdd(run.Flow.Name, run.Flow);
        var (values, argumentWarnings) = BindArguments(run, arguments);
        foreach (var w in argumentWarnings) Options.Trace?.Record("run_warning", run.Flow.Name, new Dictionary<string, object?> { ["message"] = w });
        var retry = run.OnFailure == "retry";
        var maxRuns = retry ? Math.Max(1, ParamInt(run.OnFailureParams, "attempts", ParamInt(run.OnFailureParams, "max_attempts", 3))) : 1;
        var backoff = ParamString(run.OnFailureParams, "backoff") switch
        {
            "linear" => BackoffStrategy.Linear,
            "exponential" => BackoffStrategy.Exponential,
            _ => BackoffStrategy.None,
        };
        AxonRunResult result = null!;
        for (var attempt = 1; attempt <= maxRuns; attempt++)
        {
            result = await ExecuteOnceAsync(run, values, null, cancellationToken).ConfigureAwait(false) with { RunAttempts = attempt, Warnings = argumentWarnings };
            if (result.Status != RunStatus.Failed) break;
            if (attempt < maxRuns)
            {
                _logger.LogWarning("Run of {Flow} failed (attempt {Attempt}/{Max}), retrying: {Error}", run.Flow.Name, attempt, maxRuns, result.Error);
                await DelayAsync(backoff, attempt, cancellationToken).ConfigureAwait(false);
            }
        }
        return await FinishAsync(run, result, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Continues a hibernated execution with the event's <paramref name="payload"/>. A continuation id
    /// can be resumed exactly once; a second call (or an unknown or expired id) throws
    /// <see cref="AxonResumeException"/>. The payload is available to later steps as <c>{{event_name}}</c>.
    /// </summary>
    /// <remarks>
    /// The resume claims a lease in the state store, renews it while the flow runs and marks the continuation
    /// completed at the end (also when the resumed run fails): a resumer that dies leaves it resumable again once
    /// the lease expires, and a completed one never resumes again. State that cannot be read or does not fit the
    /// flow (<c>next_index</c>, the hibernate it names, …) is quarantined and reported as
    /// <see cref="AxonResumeException"/>. Cancelling gives the claim back.
    /// </remarks>
    public async Task<AxonRunResult> ResumeAsync(string continuationId, object? payload = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(continuationId);
        var store = Options.StateStore;
        Axon.Runtime.State.StateClaim? claim;
        try { claim = await store.TryClaimLeaseAsync(continuationId, cancellationToken).ConfigureAwait(false); }
        catch (ArgumentException) { throw new AxonResumeException("Invalid continuation id."); }
        if (claim is null)
            throw new AxonResumeException($"Continuation '{continuationId}' is unknown, has already been resumed, or is being resumed by another process.");

        SuspendedState state;
        FlowDefinition? flow;
        try
        {
            state = ResumeValidation.Read(claim.State, continuationId);
            if (!_flows.TryGetValue(state.FlowName, out flow))
            {
                // Not this runtime's flow: give it back untouched for a runtime that knows it.
                await store.ReleaseAsync(claim, CancellationToken.None).ConfigureAwait(false);
                throw new AxonResumeException($"Flow '{state.FlowName}' is not registered with this runtime; register its program before resuming.");
            }
            ResumeValidation.Check(state, flow);
        }
        catch (CorruptStateException ex)
        {
            await store.QuarantineAsync(claim, ex.Message, CancellationToken.None).ConfigureAwait(false);
            _logger.LogError("Continuation {Id} has corrupt or incompatible state and was quarantined: {Reason}", continuationId, ex.Message);
            throw new AxonResumeException($"Continuation '{continuationId}' has corrupt or incompatible state and was quarantined: {_redactor.Redact(ex.Message)}");
        }
        if (state.ExpiresAt is { } exp && Options.TimeProvider.GetUtcNow() > exp)
        {
            await store.CompleteAsync(claim, CancellationToken.None).ConfigureAwait(false);
            throw new AxonResumeException($"Continuation '{continuationId}' timed out at {exp.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)} waiting for '{state.EventName}'.");
        }

        var run = new RunDefinition(flow)
        {
            Persona = state.Persona, Context = state.Context, Anchors = state.Anchors, Effort = state.Effort,
            OutputTo = state.OutputTo, OnFailure = state.OnFailure, OnFailureParams = state.OnFailureParams,
        };
        AxonRunResult result;
        var lease = new LeaseKeeper(store, claim, Options.TimeProvider, _logger);
        await using (lease.ConfigureAwait(false))
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.Lost);
            try
            {
                result = await ExecuteOnceAsync(run, state.Values, state, linked.Token, payload).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (lease.IsLost && !cancellationToken.IsCancellationRequested)
            {
                throw new AxonResumeException($"Continuation '{continuationId}': the resume lost its lease to another resumer and was stopped.");
            }
            catch (OperationCanceledException)
            {
                await store.ReleaseAsync(claim, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
        }
        AxonRunFailedException? raised = null;
        try
        {
            result = await FinishAsync(run, result, cancellationToken).ConfigureAwait(false);
        }
        catch (AxonRunFailedException ex)
        {
            raised = ex;
        }
        // Completed after output_to is written: a crash in between re-runs the resume (at least once) rather than
        // losing its output; the completion itself happens once.
        if (!await store.CompleteAsync(claim, CancellationToken.None).ConfigureAwait(false))
            throw new AxonResumeException($"Continuation '{continuationId}': the resume lost its lease to another resumer before it completed.");
        if (raised is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(raised);
        return result;
    }

    /// <summary>
    /// Describes a suspended execution without claiming it: its flow, the event it waits for and the program it
    /// came from. Null when the id is unknown or was already resumed.
    /// </summary>
    public async Task<SuspendedRunInfo?> FindSuspendedAsync(string continuationId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(continuationId);
        byte[]? bytes;
        try { bytes = await Options.StateStore.LoadAsync(continuationId, cancellationToken).ConfigureAwait(false); }
        catch (ArgumentException) { throw new AxonResumeException("Invalid continuation id."); }
        if (bytes is null) return null;
        SuspendedState state;
        try { state = ExecutionStateSerializer.Deserialize(bytes); }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new AxonResumeException($"Continuation '{continuationId}' has unreadable state: {ex.Message}");
        }
        return new SuspendedRunInfo(state.ContinuationId, state.FlowName, state.EventName, state.ExpiresAt, state.Source, state.ProgramPath, state.ProgramFingerprint);
    }

    private async Task<AxonRunResult> FinishAsync(RunDefinition run, AxonRunResult result, CancellationToken ct)
    {
        if (result.Status == RunStatus.Completed && run.OutputTo.Length > 0 && Options.OutputDirectory != "")
        {
            // Relative paths resolve against OutputDirectory (null: the current directory); the result names the full path.
            var path = Path.GetFullPath(Path.Combine(Options.OutputDirectory ?? Directory.GetCurrentDirectory(), run.OutputTo));
            var dir = Path.GetDirectoryName(path);
            if (dir is not null) Directory.CreateDirectory(dir);
            var content = result.OutputJson is { } json ? json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) : result.Output ?? "";
            // Written beside and moved into place, so a failed write never leaves half a file.
            var tmp = path + ".tmp";
            try
            {
                await File.WriteAllTextAsync(tmp, content, ct).ConfigureAwait(false);
                File.Move(tmp, path, overwrite: true);
            }
            catch
            {
                File.Delete(tmp);
                throw;
            }
            result = result with { OutputPath = path };
        }
        if (result.Status == RunStatus.Failed)
        {
            if (run.OnFailure == "raise")
            {
                var name = ParamString(run.OnFailureParams, "target") is { Length: > 0 } t ? t : result.ErrorName ?? "RunFailed";
                result = result with { ErrorName = name };
                throw new AxonRunFailedException($"{name}: flow '{run.Flow.Name}' failed: {result.Error}", name, result);
            }
            if (run.OnFailure == "escalate")
            {
                _logger.LogWarning("Run of {Flow} failed and was escalated: {Error}", run.Flow.Name, result.Error);
                if (Options.OnEscalate is { } handler)
                    await handler(new EscalationContext(run.Flow.Name, result.Steps.LastOrDefault(s => s.Error is not null)?.Name ?? "", result.Error ?? "", result.Output), ct).ConfigureAwait(false);
            }
            else if (run.OnFailure is "log" or "warn")
            {
                _logger.LogWarning("Run of {Flow} failed: {Error}", run.Flow.Name, result.Error);
            }
            if (Options.ThrowOnFailure)
                throw new AxonRunFailedException($"Flow '{run.Flow.Name}' failed: {result.Error}", result.ErrorName ?? "RunFailed", result);
        }
        return result;
    }

    private async Task<AxonRunResult> ExecuteOnceAsync(RunDefinition run, IReadOnlyDictionary<string, AxonValue> values, SuspendedState? resumed, CancellationToken ct, object? payload = null)
    {
        var plan = FlowPlan.For(run.Flow);
        var anchors = EffectiveAnchors(run);
        var style = PromptCompiler.StyleFor(Options.Backend);
        var (temperature, topP) = EpistemicSampling(run.Flow.EpistemicMode);
        var baseOptions = new ChatOptions
        {
            ModelId = Options.Model,
            Temperature = temperature ?? (float?)run.Context?.Temperature,
            TopP = topP,
            MaxOutputTokens = run.Context?.MaxTokens,
        };
        if (run.Effort.Length > 0) baseOptions.AdditionalProperties = new AdditionalPropertiesDictionary { ["effort"] = run.Effort };

        var systemPrompt = PromptCompiler.CompileSystemPrompt(style, run.Persona, run.Context, anchors);
        var trace = Options.Trace;
        var span = trace?.StartSpan("unit:" + run.Flow.Name, "run", new Dictionary<string, object?>
        {
            ["persona"] = run.Persona?.Name, ["context"] = run.Context?.Name, ["effort"] = run.Effort,
            ["epistemic_mode"] = run.Flow.EpistemicMode == EpistemicMode.None ? null : run.Flow.EpistemicMode.ToString().ToLowerInvariant(),
            ["resumed"] = resumed is not null,
        });
        using var activity = AxonTelemetry.ActivitySource.HasListeners() ? AxonTelemetry.ActivitySource.StartActivity("invoke_agent " + run.Flow.Name) : null;
        activity?.SetTag(AxonTelemetry.Attributes.OperationName, "invoke_agent");
        activity?.SetTag(AxonTelemetry.Attributes.AgentName, run.Flow.Name);

        var ctx = new ExecutionContext
        {
            Plan = plan,
            Run = run,
            SystemPrompt = systemPrompt,
            SystemMessage = systemPrompt.Length > 0 ? new ChatMessage(ChatRole.System, systemPrompt) : null,
            Anchors = anchors,
            CitationsInOutput = AnchorEvaluator.RequiresCitations(anchors),
            BaseOptions = baseOptions,
            Style = style,
            Refine = plan.Refine ?? Options.DefaultRefine,
            RunSpan = span,
            Observer = AxonRunObservation.Current,
        };
        foreach (var kv in values) ctx.Values[kv.Key] = kv.Value;
        var startIndex = 0;
        if (resumed is not null)
        {
            ctx.Memories.AddRange(resumed.Memories);
            ctx.Results.AddRange(resumed.Results);
            ctx.LastOutputKey = resumed.LastOutputKey;
            var payloadValue = AxonValue.From(payload);
            if (resumed.EventName.Length > 0) ctx.Values[resumed.EventName] = payloadValue;
            startIndex = resumed.NextIndex;
            trace?.Record(TraceEventKinds.Resume, resumed.EventName, new Dictionary<string, object?> { ["continuation_id"] = resumed.ContinuationId, ["event"] = resumed.EventName });
        }

        var start = Clock.Now();
        try
        {
            var result = await _executor.ExecuteAsync(ctx, startIndex, ct).ConfigureAwait(false);
            span?.End(result.Status == RunStatus.Suspended ? "suspended" : "ok", Totals(result));
            activity?.SetTag("axon.run.status", result.Status.ToString().ToLowerInvariant());
            return result;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            span?.End("cancelled");
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Any failure (model, validation, a user tool or store) ends the run with a redacted error.
            var failed = _executor.BuildResult(ctx, RunStatus.Failed, start, ex);
            span?.End("error", new Dictionary<string, object?> { ["error"] = failed.Error });
            activity?.SetStatus(ActivityStatusCode.Error);
            activity?.SetTag(AxonTelemetry.Attributes.ErrorType, failed.ErrorName);
            _logger.LogError("Flow {Flow} failed: {Error}", run.Flow.Name, failed.Error);
            return failed;
        }
    }

    private static Dictionary<string, object?> Totals(AxonRunResult r) => new()
    {
        ["status"] = r.Status.ToString().ToLowerInvariant(),
        ["input_tokens"] = r.TotalUsage.InputTokens,
        ["output_tokens"] = r.TotalUsage.OutputTokens,
        ["cost_usd"] = (double)r.TotalCost,
        ["continuation_id"] = r.ContinuationId,
    };

    /// <summary>Temperature/top_p of an epistemic mode (reference §6.8).</summary>
    public static (float? Temperature, float? TopP) EpistemicSampling(EpistemicMode mode) => mode switch
    {
        EpistemicMode.Know => (0.1f, 0.3f),
        EpistemicMode.Believe => (0.3f, 0.5f),
        EpistemicMode.Speculate => (0.9f, 0.95f),
        EpistemicMode.Doubt => (0.2f, 0.4f),
        _ => (null, null),
    };

    /// <summary>Anchors an epistemic mode injects (reference §6.8).</summary>
    public static IReadOnlyList<string> EpistemicAnchors(EpistemicMode mode) => mode switch
    {
        EpistemicMode.Know => ["RequiresCitation", "NoHallucination"],
        EpistemicMode.Believe => ["NoHallucination"],
        EpistemicMode.Doubt => ["RequiresCitation", "SyllogismChecker"],
        _ => [],
    };

    private IReadOnlyList<AnchorDefinition> EffectiveAnchors(RunDefinition run)
    {
        var injected = EpistemicAnchors(run.Flow.EpistemicMode);
        if (injected.Count == 0 && Options.Anchors.Count == 0) return run.Anchors;
        var list = new List<AnchorDefinition>(run.Anchors);
        foreach (var a in Options.Anchors) if (list.All(x => x.Name != a.Name)) list.Add(a);
        foreach (var n in injected) if (list.All(x => x.Name != n)) list.Add(StandardAnchors.Definition(n));
        return list;
    }

    private (Dictionary<string, AxonValue> Values, IReadOnlyList<string> Warnings) BindArguments(RunDefinition run, IReadOnlyDictionary<string, object?>? arguments)
    {
        var flow = run.Flow;
        var binding = RunArguments.Bind(run);
        var bound = new Dictionary<string, AxonValue>(StringComparer.Ordinal);
        foreach (var kv in binding.Values) bound[kv.Key] = new AxonValue(kv.Value);
        if (arguments is not null)
        {
            // Explicit arguments (generated code, the CLI's --arg) override the run statement's literals.
            foreach (var kv in arguments)
            {
                if (flow.Parameters.All(p => p.Name != kv.Key))
                    throw new AxonFlowDefinitionException($"Flow '{flow.Name}' has no parameter '{kv.Key}'. Parameters: {RunArguments.ParameterList(flow)}.");
                bound[kv.Key] = AxonValue.From(kv.Value);
            }
        }
        foreach (var w in binding.Warnings) _logger.LogWarning("{Warning}", w);
        var types = FlowExecutor.TypesOf(flow);
        foreach (var p in flow.Parameters)
        {
            if (!bound.TryGetValue(p.Name, out var v))
            {
                if (p.Type.Optional) continue;
                throw new AxonFlowDefinitionException($"Flow '{flow.Name}' needs an argument for parameter '{p.Name}'{(p.Type.IsSpecified ? $" ({p.Type.Name})" : "")}, and the run gives none. Parameters: {RunArguments.ParameterList(flow)}.");
            }
            // Ranged parameter types are checked before anything runs.
            if (types.Find(p.Type.Name) is { Fields.Count: 0 } t && (t.RangeMin is not null || t.RangeMax is not null)
                && double.TryParse(v.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
                && (n < (t.RangeMin ?? double.MinValue) || n > (t.RangeMax ?? double.MaxValue)))
                throw new AxonValidationException($"Argument {p.Name} = {v.Text} is outside the range of {t.Name} ({t.RangeMin}..{t.RangeMax}).");
        }
        return (bound, binding.Warnings);
    }

    private async Task DelayAsync(BackoffStrategy backoff, int attempt, CancellationToken ct)
    {
        var factor = backoff switch { BackoffStrategy.Linear => attempt, BackoffStrategy.Exponential => 0.5 * Math.Pow(2, attempt), _ => 0 };
        if (factor <= 0 || Options.BackoffUnit <= TimeSpan.Zero) return;
        await Task.Delay(TimeSpan.FromTicks((long)Math.Min(Options.BackoffUnit.Ticks * factor, Options.BackoffUnit.Ticks * 30.0)), Options.TimeProvider, ct).ConfigureAwait(false);
    }

    private static int ParamInt(IReadOnlyList<KeyValuePair<string, string>> ps, string key, int fallback) =>
        int.TryParse(ParamString(ps, key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : fallback;

    private static string ParamString(IReadOnlyList<KeyValuePair<string, string>> ps, string key)
    {
        foreach (var kv in ps) if (kv.Key == key) return kv.Value;
        return "";
    }
}
